import { Type } from 'typebox';
import { listKinds } from '../../db/schema/index.ts';
import { exportQuery, listQuery } from '../community/list-query.ts';
import { listItemActions } from './community-lists-lifecycle.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
const Quarter = Type.String({ pattern: '^20[0-9]{2}Q[1-4]$', description: 'A quarter such as 2026Q4' });
const text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });

const listFilters = {
  listKind: Type.Optional(literals(listKinds)),
  quarter: Type.Optional(Quarter),
  category: Type.Optional(Type.String({ maxLength: 50 })),
};
export const ListItemQuery = listQuery(listFilters);
export const ListItemExportQuery = exportQuery(listFilters);

/** Who posted a need: the community itself, a grid worker recording a resident, a resident unit for itself, a case. */
export const postSources = ['community', 'resident', 'grid_worker', 'resident_unit', 'case'] as const;

export const CreateListItemBody = Type.Object(
  {
    listKind: literals(listKinds),
    /** A community or street; for needs also the grid or building the need comes from (the item is listed under its community). */
    regionId: Type.Integer({ minimum: 1, maximum: 9007199254740991 }),
    title: text(100, 1),
    description: Type.Optional(text(2000)),
    category: Type.Optional(text(50)),
    source: Type.Optional(literals(postSources)),
    /** The resident who voiced a need (recorded by staff; masked on every output). */
    posterName: Type.Optional(text(50, 1)),
    posterPhone: Type.Optional(Type.String({ pattern: '^1[3-9][0-9]{9}$' })),
    /** A resident unit posting its own need: which of the caller's units (when they liaise for several). */
    posterUnitId: Type.Optional(Type.Integer({ minimum: 1, maximum: 9007199254740991 })),
    caseId: Type.Optional(Type.Integer({ minimum: 1, maximum: 9007199254740991 })),
    /** The need or problem a service item answers. */
    sourceItemId: Type.Optional(Type.Integer({ minimum: 1, maximum: 9007199254740991 })),
    /** Problem items entered by hand: their quarter. */
    quarter: Type.Optional(Quarter),
    dueOn: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

export const ListItemActionBody = Type.Object(
  { action: literals(listItemActions), note: Type.Optional(text(1000)) },
  { additionalProperties: false },
);

export const CompileBody = Type.Object(
  {
    regionId: Type.Integer({ minimum: 1, maximum: 9007199254740991 }),
    quarter: Quarter,
    /** A case category becomes a problem when it has at least this many cases in the quarter. */
    threshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);
