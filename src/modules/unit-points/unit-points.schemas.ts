import { Type, type Static } from 'typebox';
import { unitPointEvents } from '../../db/schema/index.ts';
import { listQueryFields } from '../community/list-query.ts';

/** Events a community sets a rule for ('manual' is the adjustment itself: its points are given each time). */
export const ruleEvents = unitPointEvents.filter((e) => e !== 'manual');
export const standings = ['restricted', 'normal', 'honoured'] as const;

const Points = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });

export const SettingsBody = Type.Object(
  {
    basePoints: Points(0, 1000),
    bookingMinimum: Points(0, 1000),
    honourThreshold: Points(0, 1000),
  },
  { additionalProperties: false },
);
export type SettingsInput = Static<typeof SettingsBody>;

export const RulesBody = Type.Object(
  {
    rules: Type.Array(
      Type.Object(
        {
          event: Type.Union(ruleEvents.map((e) => Type.Literal(e))),
          points: Points(-100, 100),
          active: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: ruleEvents.length },
    ),
  },
  { additionalProperties: false },
);
export type RulesInput = Static<typeof RulesBody>;

export const AdjustmentBody = Type.Object(
  {
    communityId: Type.Integer({ minimum: 1, maximum: 9007199254740991 }),
    points: Type.Integer({ minimum: -100, maximum: 100, description: "Points to add (negative: to take); not 0" }),
    note: Type.String({ minLength: 2, maxLength: 200, description: 'Why: required, shown on the ledger' }),
  },
  { additionalProperties: false },
);
export type AdjustmentInput = Static<typeof AdjustmentBody>;

const { q, regionId, page, pageSize } = listQueryFields;
const balanceFields = {
  q,
  regionId,
  communityId: Type.Optional(Type.Integer({ minimum: 1, maximum: 9007199254740991 })),
  standing: Type.Optional(Type.Union(standings.map((s) => Type.Literal(s)))),
};
export const BalanceQuery = Type.Object({ ...balanceFields, page, pageSize }, { additionalProperties: false });
export const BalanceExportQuery = Type.Object(balanceFields, { additionalProperties: false });
export type BalanceFilters = Static<typeof BalanceQuery>;

const { from, to } = listQueryFields;
const entryFields = {
  communityId: Type.Integer({ minimum: 1, maximum: 9007199254740991 }),
  q: Type.Optional(Type.String({ maxLength: 50, description: 'Words in the note or the source' })),
  event: Type.Optional(Type.Union(unitPointEvents.map((e) => Type.Literal(e)))),
  from,
  to,
};
export const EntryQuery = Type.Object({ ...entryFields, page, pageSize }, { additionalProperties: false });
export const EntryExportQuery = Type.Object(entryFields, { additionalProperties: false });
export type EntryFilters = Static<typeof EntryQuery>;
