import { Type, type Static } from 'typebox';
import { sharedResourceKinds } from '../../db/schema/index.ts';
import { listQueryFields } from '../community/list-query.ts';
import { bookingStatuses } from './shared-resources-lifecycle.ts';

const Id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });
export const resourceTerms = ['free', 'low_cost', 'paid'] as const;
const Kind = Type.Union(sharedResourceKinds.map((k) => Type.Literal(k)));
const Terms = Type.Union(resourceTerms.map((t) => Type.Literal(t)));
const Name = Type.String({ minLength: 1, maxLength: 60 });
const Text = (max: number) => Type.String({ maxLength: max });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const ResourceBody = Type.Object(
  {
    communityId: Id,
    /** A unit of the community that owns (and approves bookings of) the resource; null: the community's own. */
    ownerUnitId: Type.Optional(Type.Union([Id, Type.Null()])),
    kind: Kind,
    name: Name,
    description: Type.Optional(Text(1000)),
    location: Type.Optional(Nullable(Text(200))),
    terms: Terms,
    priceNote: Type.Optional(Nullable(Text(200))),
    requiresApproval: Type.Boolean(),
    capacity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100000 }))),
  },
  { additionalProperties: false },
);
export type ResourceInput = Static<typeof ResourceBody>;

export const ResourcePatchBody = Type.Object(
  {
    kind: Type.Optional(Kind),
    name: Type.Optional(Name),
    description: Type.Optional(Text(1000)),
    location: Type.Optional(Nullable(Text(200))),
    terms: Type.Optional(Terms),
    priceNote: Type.Optional(Nullable(Text(200))),
    requiresApproval: Type.Optional(Type.Boolean()),
    capacity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100000 }))),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ResourcePatch = Static<typeof ResourcePatchBody>;

const { q, regionId, page, pageSize } = listQueryFields;
const resourceFields = {
  q,
  regionId,
  kind: Type.Optional(Kind),
  terms: Type.Optional(Terms),
  ownerUnitId: Type.Optional(Id),
  active: Type.Optional(Type.Boolean()),
};
export const ResourceQuery = Type.Object({ ...resourceFields, page, pageSize }, { additionalProperties: false });
export const ResourceExportQuery = Type.Object(resourceFields, { additionalProperties: false });
export type ResourceFilters = Static<typeof ResourceQuery>;

const Instant = Type.String({ format: 'date-time', maxLength: 40, description: 'An instant with its offset, e.g. 2026-11-25T09:00:00+08:00' });

export const BookingBody = Type.Object(
  {
    from: Instant,
    to: Instant,
    purpose: Type.String({ minLength: 2, maxLength: 200 }),
    /** The unit that books; a liaison's own unit by default; community staff may leave it out to book for the community. */
    unitId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type BookingInput = Static<typeof BookingBody>;

export const CalendarQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    includeClosed: Type.Optional(Type.Boolean({ description: 'Also rejected and cancelled bookings' })),
  },
  { additionalProperties: false },
);
export type CalendarFilters = Static<typeof CalendarQuery>;

const bookingFields = {
  q,
  regionId,
  status: Type.Optional(Type.Union(bookingStatuses.map((s) => Type.Literal(s)))),
  resourceId: Type.Optional(Id),
  unitId: Type.Optional(Id),
  from: listQueryFields.from,
  to: listQueryFields.to,
  /** Only bookings the caller may approve or reject now (the owners' queue). */
  toDecide: Type.Optional(Type.Boolean()),
};
export const BookingQuery = Type.Object({ ...bookingFields, page, pageSize }, { additionalProperties: false });
export const BookingExportQuery = Type.Object(bookingFields, { additionalProperties: false });
export type BookingFilters = Static<typeof BookingQuery>;

export const DecisionBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
export const RejectBody = Type.Object({ note: Type.String({ minLength: 2, maxLength: 200 }) }, { additionalProperties: false });
