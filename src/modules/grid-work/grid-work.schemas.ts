import { Type } from 'typebox';
import { careGroups } from '../../db/schema/grid-work.ts';
import { exportQuery, listQuery } from '../community/list-query.ts';
import { disputeActions } from './grid-work-lifecycle.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });
const Id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });

export const visitPurposes = ['routine', 'care', 'dispute', 'policy', 'other'] as const;
export const populationChanges = ['none', 'moved_in', 'moved_out', 'birth', 'death', 'other'] as const;
export const hazardKinds = ['fire', 'gas', 'electric', 'structure', 'sanitation', 'security', 'other'] as const;
export const disputeCategories = ['neighbour', 'family', 'property', 'labour', 'land', 'other'] as const;

/** What a visit collects (民情日志): a fixed shape, so the log can be counted and searched. */
export const Collected = Type.Object(
  {
    populationChange: Type.Optional(
      Type.Object({ kind: literals(populationChanges), count: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })), note: Type.Optional(Text(200)) }, { additionalProperties: false }),
    ),
    needs: Type.Optional(Type.Array(Text(200, 1), { maxItems: 10 })),
    hazards: Type.Optional(Type.Array(Type.Object({ kind: literals(hazardKinds), description: Text(200, 1) }, { additionalProperties: false }), { maxItems: 10 })),
    notes: Type.Optional(Text(1000)),
  },
  { additionalProperties: false },
);

export const VisitBody = Type.Object(
  {
    householdId: Id,
    visitedAt: Type.String({ format: 'date-time', description: 'When the visit took place; not in the future' }),
    purpose: Type.Optional(literals(visitPurposes)),
    collected: Type.Optional(Collected),
    notes: Type.Optional(Text(2000)),
    /** A care subject of this household, whose next visit becomes due `visit_every_days` after this one. */
    careSubjectId: Type.Optional(Id),
    /** A need raised during the visit: becomes a 需求清单 item (source grid_worker) in the same transaction. */
    raiseNeed: Type.Optional(
      Type.Object({ title: Text(100, 2), description: Type.Optional(Text(1000)), category: Type.Optional(Text(40)) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

const visitFilters = {
  mine: Type.Optional(Type.Boolean({ description: 'Only my own visits' })),
  purpose: Type.Optional(literals(visitPurposes)),
  careSubjectId: Type.Optional(Id),
};
export const VisitListQuery = listQuery(visitFilters);
export const VisitExportQuery = exportQuery(visitFilters);

export const DisputeBody = Type.Object(
  {
    gridId: Id,
    title: Text(100, 2),
    description: Type.Optional(Text(2000)),
    category: Type.Optional(literals(disputeCategories)),
    parties: Type.Optional(Text(200)),
    foundAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const DisputeActionBody = Type.Object(
  {
    action: literals(disputeActions),
    /** The version the user saw: a stale one is a 409 version_conflict. */
    version: Type.Integer({ minimum: 1, maximum: 1000000 }),
    mediator: Type.Optional(Text(60, 1)),
    /** Required to resolve. */
    result: Type.Optional(Text(2000, 1)),
    note: Type.Optional(Text(1000)),
    /** The case category when escalating (default neighbour_dispute). */
    categoryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z_]+$' })),
  },
  { additionalProperties: false },
);

const disputeFilters = { category: Type.Optional(literals(disputeCategories)) };
export const DisputeListQuery = listQuery(disputeFilters);
export const DisputeExportQuery = exportQuery(disputeFilters);
export const DisputeCountsQuery = Type.Object(
  {
    regionId: Type.Optional(Id),
    from: Type.Optional(Type.String({ format: 'date' })),
    to: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

export const CareSubjectBody = Type.Object(
  {
    residentId: Id,
    careGroup: literals(careGroups),
    visitEveryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    responsibleUserId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const CareSubjectPatchBody = Type.Object(
  {
    visitEveryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    responsibleUserId: Type.Optional(Type.Union([Id, Type.Null()])),
    /** false removes the resident from the care list (kept for the record). */
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CareFromTagsBody = Type.Object(
  {
    regionId: Id,
    visitEveryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  },
  { additionalProperties: false },
);

const careFilters = {
  careGroup: Type.Optional(literals(careGroups)),
  overdue: Type.Optional(Type.Boolean({ description: 'Only subjects whose next visit was due before today (Asia/Shanghai)' })),
  includeRemoved: Type.Optional(Type.Boolean()),
};
export const CareListQuery = listQuery(careFilters);
export const CareExportQuery = exportQuery(careFilters);
