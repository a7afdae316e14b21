import { Type } from 'typebox';

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9007199254740991 }) });

export const RegionNode = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  level: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  hasChildren: Type.Boolean(),
  centroid: Type.Union([Type.Array(Type.Number()), Type.Null()]),
});

export const ChildrenQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

export const MapGridsQuery = Type.Object({ regionId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });

export const DateQuery = Type.Object({ date: Type.Optional(Type.String({ format: 'date' })) }, { additionalProperties: false });

const Ring = Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 3 }), { minItems: 4, maxItems: 10000 });
export const RedrawGridBody = Type.Object(
  {
    geometry: Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Ring, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false }),
    crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
    validFrom: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

export const LocateBody = Type.Object(
  {
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
  },
  { additionalProperties: false },
);
