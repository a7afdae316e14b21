import { Type } from 'typebox';

export const PlaceParams = Type.Object({ code: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) }, { additionalProperties: false });
export const PlaceQuery = Type.Object({ cityCode: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })) }, { additionalProperties: false });

export const Place = Type.Object({
  cityCode: Type.String(),
  cityName: Type.String(),
  level: Type.Union([Type.Literal('building'), Type.Literal('grid')]),
  placeName: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  gridName: Type.Union([Type.String(), Type.Null()]),
  communityName: Type.Union([Type.String(), Type.Null()]),
  lng: Type.Union([Type.Number(), Type.Null()]),
  lat: Type.Union([Type.Number(), Type.Null()]),
});
