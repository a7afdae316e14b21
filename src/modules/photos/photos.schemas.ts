import { Type } from 'typebox';

const token = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

export const PhotoParams = Type.Object({ token }, { additionalProperties: false });
/** `t`: the case's tracking token, for the resident who reported it. */
export const PhotoQuery = Type.Object({ t: Type.Optional(token) }, { additionalProperties: false });

export const PhotoCreated = Type.Object({
  token: Type.String(),
  url: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  bytes: Type.Integer(),
});
