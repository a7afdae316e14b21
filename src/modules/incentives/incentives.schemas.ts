import { Type } from 'typebox';
import { exportQuery, listQuery } from '../community/list-query.ts';
import { PERIOD_PATTERN } from './incentives-lifecycle.ts';

const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000]*$' });
const id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });

export const HeadQuery = listQuery({});
export const HeadExportQuery = exportQuery({});

const entryFilters = {
  userId: Type.Optional(id),
  event: Type.Optional(Type.Union(['case_satisfied', 'service', 'evaluation', 'manual', 'redeemed', 'redemption_returned'].map((e) => Type.Literal(e)))),
};
export const EntryQuery = listQuery(entryFilters);
export const EntryExportQuery = exportQuery(entryFilters);

export const CreateEntryBody = Type.Object(
  {
    userId: id,
    event: Type.Union([Type.Literal('service'), Type.Literal('manual')]),
    points: Type.Integer({ minimum: -100, maximum: 100 }),
    note: text(500, 1),
  },
  { additionalProperties: false },
);

const offerFilters = { shopUnitId: Type.Optional(id) };
export const OfferQuery = listQuery(offerFilters);
export const OfferExportQuery = exportQuery(offerFilters);

export const CreateOfferBody = Type.Object(
  {
    shopUnitId: id,
    title: text(100, 1),
    description: Type.Optional(text(1000)),
    pointsCost: Type.Integer({ minimum: 0, maximum: 100000 }),
    validUntil: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

export const UpdateOfferBody = Type.Object(
  {
    title: Type.Optional(text(100, 1)),
    description: Type.Optional(text(1000)),
    pointsCost: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    validUntil: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const codeFilters = { offerId: Type.Optional(id) };
export const CodeQuery = listQuery(codeFilters);
export const CodeExportQuery = exportQuery(codeFilters);

export const RedeemCodeBody = Type.Object({ code: Type.String({ pattern: '^[0-9]{8}$' }) }, { additionalProperties: false });

const evaluationFilters = {
  period: Type.Optional(Type.String({ pattern: PERIOD_PATTERN })),
  redFlag: Type.Optional(Type.Boolean()),
};
export const EvaluationQuery = listQuery(evaluationFilters);
export const EvaluationExportQuery = exportQuery(evaluationFilters);

export const SaveEvaluationBody = Type.Object(
  {
    buildingId: id,
    period: Type.String({ pattern: PERIOD_PATTERN }),
    score: Type.Number({ minimum: 0, maximum: 100 }),
    /** Score per criterion, e.g. { 环境卫生: 28, 邻里和睦: 25 }. */
    criteria: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 30, pattern: '^[^\\u0000]*$' }), Type.Number({ minimum: 0, maximum: 100 }), { maxProperties: 20 })),
    comment: Type.Optional(text(1000)),
    redFlag: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
