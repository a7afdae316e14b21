import { Type } from 'typebox';
import { residentTags } from '../../db/schema/index.ts';

export const ResidentListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 50 })),
    tag: Type.Optional(Type.Union(residentTags.map((tag) => Type.Literal(tag)))),
    regionId: Type.Optional(Type.Integer({ minimum: 1 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

export const RevealBody = Type.Object(
  { fields: Type.Array(Type.Union([Type.Literal('name'), Type.Literal('phone'), Type.Literal('idNumber'), Type.Literal('address')]), { minItems: 1, maxItems: 4 }) },
  { additionalProperties: false },
);
