import { Type } from 'typebox';
import { exportQuery, listQuery } from '../community/list-query.ts';

const kind = Type.Union([Type.Literal('elderly'), Type.Literal('child'), Type.Literal('disabled'), Type.Literal('low_income'), Type.Literal('other')]);
/** An upload token from POST /api/v1/public/photos or /api/v1/photos. */
const photoToken = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });
const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$' });
const wishFields = {
  title: text(60, 2),
  description: Type.Optional(text(500)),
  wisherKind: kind,
  wisherName: text(20, 1),
  wisherPhone: Type.Optional(Type.String({ pattern: '^1[3-9][0-9]{9}$' })),
  photoToken: Type.Optional(photoToken),
};

export const PlaceParams = Type.Object({ code: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) }, { additionalProperties: false });
export const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) }, { additionalProperties: false });
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }, { additionalProperties: false });

export const WallQuery = Type.Object(
  {
    cityCode: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
    status: Type.Optional(Type.Union([Type.Literal('posted'), Type.Literal('claimed'), Type.Literal('fulfilled'), Type.Literal('confirmed')])),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

export const PostQuery = Type.Object({ cityCode: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })) }, { additionalProperties: false });

/** A resident posting on the wall: their name is shown masked; a phone needs their consent. */
export const PublicPostBody = Type.Object({ ...wishFields, consent: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
/** Staff posting for a resident: the wish hangs under a community, grid or building of their area. */
export const StaffPostBody = Type.Object({ regionId: Type.Integer({ minimum: 1, maximum: 2147483647 }), ...wishFields }, { additionalProperties: false });

export const ClaimBody = Type.Object({ as: Type.Optional(Type.Union([Type.Literal('unit'), Type.Literal('party_member')])) }, { additionalProperties: false });
export const NoteBody = Type.Object({ note: Type.Optional(text(500)) }, { additionalProperties: false });
export const FulfilBody = Type.Object({ note: text(500, 2), photoToken: Type.Optional(photoToken) }, { additionalProperties: false });
export const ConfirmBody = Type.Object({ thanksNote: Type.Optional(text(300)) }, { additionalProperties: false });

const listExtra = { kind: Type.Optional(kind) };
export const WishListQuery = listQuery(listExtra);
export const WishExportQuery = exportQuery(listExtra);
