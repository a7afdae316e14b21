import { Type } from 'typebox';
import { exportQuery, listQuery } from '../community/list-query.ts';

const id = Type.Integer({ minimum: 1, maximum: 9007199254740991 });
const text = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });
/** Hours a completed order credits: '1', '1.5', '2.25' (0 < hours ≤ 24, checked by the service). */
const hours = Type.String({ pattern: '^[0-9]{1,2}(\\.[0-9]{1,2})?$' });

export const IdParams = Type.Object({ id }, { additionalProperties: false });
export const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) }, { additionalProperties: false });
export const PlaceCodeParams = Type.Object({ code: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }) }, { additionalProperties: false });

const offeringFilters = {
  categoryId: Type.Optional(id),
  active: Type.Optional(Type.Boolean()),
};
export const OfferingListQuery = listQuery(offeringFilters);
export const OfferingExportQuery = exportQuery(offeringFilters);

export const OfferingCreateBody = Type.Object(
  {
    /** The community (or street, district, city for a wider offering) that offers it. */
    regionNodeId: id,
    categoryId: id,
    name: text(60),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    hours: Type.Optional(hours),
  },
  { additionalProperties: false },
);

export const OfferingUpdateBody = Type.Object(
  {
    categoryId: Type.Optional(id),
    name: Type.Optional(text(60)),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    hours: Type.Optional(Type.Union([hours, Type.Null()])),
    /** false deactivates: residents no longer see it; existing orders keep it. */
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const orderFilters = { categoryId: Type.Optional(id) };
export const OrderListQuery = listQuery(orderFilters);
export const OrderExportQuery = exportQuery(orderFilters);

export const MyOrdersQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ maxLength: 20, pattern: '^[a-z_]+$' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

const note = { note: Type.Optional(Type.String({ maxLength: 500 })) };
const assignee = { partyMemberId: Type.Optional(id), volunteerId: Type.Optional(id) };
const action = <N extends string>(name: N, fields: Record<string, import('typebox').TSchema> = {}) =>
  Type.Object({ action: Type.Literal(name), ...fields, ...note }, { additionalProperties: false });

/** A staff action on an order (If-Match: the version you read, optional). */
export const OrderActionBody = Type.Union([
  action('dispatch', assignee),
  action('redispatch', assignee),
  action('accept'),
  action('decline', { reason: text(200) }),
  action('complete', { note: text(500) }),
  action('cancel', { reason: text(200) }),
]);

export const RevealBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });

export const PublicOrderBody = Type.Object(
  {
    placeCode: Type.String({ pattern: '^[0-9A-Za-z_-]{1,40}$' }),
    offeringId: id,
    name: text(40),
    phone: Type.String({ pattern: '^1[3-9][0-9]{9}$', description: 'A mainland mobile number' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    preferredTime: Type.Optional(Type.String({ maxLength: 60 })),
  },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object(
  { rating: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
export const ResidentCancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
