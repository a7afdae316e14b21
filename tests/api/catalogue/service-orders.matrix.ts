import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { hashTrackingToken } from '../../../src/modules/community/tokens.ts';
import { ensureServiceCategories, insertOffering, insertOrder } from '../../../src/modules/service-orders/service-orders.repository.ts';
import { communityAndUp, field, pick, type City, type MatrixCatalogue, type Side } from './types.ts';

/**
 * 群众点单、社区派单、党员接单. Each mutating row acts on an order of its own per side and role, so one
 * role's step never changes what the next role meets. Side A's orders are served by A's party member
 * (the 'partymember' login); side B's by B's member, reported to B's community and without a login.
 */
type Kind = 'read' | 'reveal' | 'dispatch' | 'redispatch' | 'accept' | 'decline' | 'complete' | 'cancel' | 'confirm' | 'residentCancel';
const orders = new Map<string, { id: number; token: string }>();
const offerings = new Map<Side, number>();
const keyOf = (kind: Kind, side: Side, role?: Role) => `${kind}:${side}:${role ?? '*'}`;
const orderOf = (kind: Kind, side: Side, role?: Role) => orders.get(keyOf(kind, side, role))?.id ?? 0;
const tokenOf = (kind: Kind, side: Side, role?: Role) => orders.get(keyOf(kind, side, role))?.token ?? 'no-such-tracking-token-000';

const catalogueReaders: Role[] = [...field, 'organization_officer', 'party_member', 'unit_contact'];
const orderReaders: Role[] = [...field, 'organization_officer'];
let sequence = 0;
let categoryId = 0;

async function insertMatrixOrder(t: Parameters<NonNullable<MatrixCatalogue['setup']>>[0], city: City, side: Side, status: 'ordered' | 'dispatched' | 'accepted' | 'completed') {
  const database = t.context.database;
  const place = pick(city, side);
  const token = `matrix-order-token-${String(++sequence).padStart(6, '0')}`;
  const [offering] = await database.rows<{ category_id: number }>(sql`SELECT category_id FROM service_offerings WHERE id = ${offerings.get(side)!}`);
  const id = await insertOrder(database, database.db, {
    cityId: city.cityId, number: `FWM-${sequence}`, tokenHash: hashTrackingToken(token), offeringId: offerings.get(side)!, categoryId: Number(offering.category_id),
    communityId: place.community.id, regionPath: place.building.path, buildingId: place.building.id, residentName: '王秀英', residentPhone: '13987654321',
    address: '测试路1号3栋1单元101', description: '想订午餐', preferredTime: null,
  });
  if (status !== 'ordered') {
    await database.db.execute(sql`UPDATE service_orders SET status = ${status}, assignee_party_member_id = ${place.partyMember.id}, dispatched_at = now(),
      accepted_at = ${status === 'dispatched' ? null : sql`now()`}, completed_at = ${status === 'completed' ? sql`now()` : null} WHERE id = ${id}`);
  }
  return { id, token };
}

export const setup: MatrixCatalogue['setup'] = async (t, city) => {
  const database = t.context.database;
  await ensureServiceCategories(database, database.db, city.cityId);
  const [category] = await database.rows<{ id: number }>(sql`SELECT id FROM service_categories WHERE city_id = ${city.cityId} AND code = 'meal_assistance'`);
  // B's party member is reported to B's community, so dispatching there is possible for whoever may.
  categoryId = Number(category.id);
  await city.factory.dualRegistration(city.cityId, city.b.community, { partyMemberId: city.b.partyMember.id });
  for (const side of ['inside', 'outside'] as const) {
    const place = pick(city, side);
    offerings.set(side, await insertOffering(database, database.db, { cityId: city.cityId, categoryId: Number(category.id), regionNodeId: place.community.id, regionPath: place.community.path, name: '老年助餐', description: '', hours: null, createdBy: city.users.dispatcher.id }));
    orders.set(keyOf('read', side), await insertMatrixOrder(t, city, side, 'dispatched'));
    orders.set(keyOf('reveal', side), await insertMatrixOrder(t, city, side, 'ordered'));
    for (const role of roles) {
      orders.set(keyOf('dispatch', side, role), await insertMatrixOrder(t, city, side, 'ordered'));
      orders.set(keyOf('redispatch', side, role), await insertMatrixOrder(t, city, side, 'dispatched'));
      orders.set(keyOf('accept', side, role), await insertMatrixOrder(t, city, side, 'dispatched'));
      orders.set(keyOf('decline', side, role), await insertMatrixOrder(t, city, side, 'dispatched'));
      orders.set(keyOf('complete', side, role), await insertMatrixOrder(t, city, side, 'accepted'));
      orders.set(keyOf('cancel', side, role), await insertMatrixOrder(t, city, side, 'ordered'));
      orders.set(keyOf('confirm', side, role), await insertMatrixOrder(t, city, side, 'completed'));
      orders.set(keyOf('residentCancel', side, role), await insertMatrixOrder(t, city, side, 'ordered'));
    }
  }
};

const actionRow = (kind: 'dispatch' | 'redispatch' | 'accept' | 'decline' | 'complete' | 'cancel', payload: (c: City, s: Side) => Record<string, unknown>, inside: Role[], outside: Role[]) => ({
  name: `POST service order ${kind}`,
  request: (c: City, side: Side, role: Role) => ({ method: 'POST' as const, url: `/api/v1/service-orders/${orderOf(kind, side, role)}/actions`, payload: { action: kind, ...payload(c, side) } }),
  inside,
  outside,
});

export const rows: MatrixCatalogue['rows'] = [
  // Residents' pages: no login needed, so every role gets the same answer.
  { name: 'GET public services of a place', request: (c, s) => ({ method: 'GET', url: `/api/v1/public/places/${pick(c, s).building.code}/services` }), inside: [...roles], outside: [...roles] },
  {
    name: 'POST public service order',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/public/service-orders', payload: { placeCode: pick(c, s).building.code, offeringId: offerings.get(s)!, name: '王秀英', phone: '13987654321' } }),
    inside: [...roles],
    outside: [...roles],
  },
  { name: 'GET public service order', request: (_c, s) => ({ method: 'GET', url: `/api/v1/public/service-orders/${tokenOf('read', s)}` }), inside: [...roles], outside: [...roles] },
  { name: 'POST public service order confirm', request: (_c, s, r) => ({ method: 'POST', url: `/api/v1/public/service-orders/${tokenOf('confirm', s, r)}/confirm`, payload: { rating: 5 } }), inside: [...roles], outside: [...roles] },
  { name: 'POST public service order cancel', request: (_c, s, r) => ({ method: 'POST', url: `/api/v1/public/service-orders/${tokenOf('residentCancel', s, r)}/cancel`, payload: {} }), inside: [...roles], outside: [...roles] },

  // The catalogue: read by everyone working in the area (a lists answers inside one's scope), managed by the community and up.
  { name: 'GET service categories', request: () => ({ method: 'GET', url: '/api/v1/service-categories' }), inside: catalogueReaders, outside: catalogueReaders },
  { name: 'GET service offerings', request: (c, s) => ({ method: 'GET', url: `/api/v1/service-offerings?regionId=${pick(c, s).community.id}` }), inside: catalogueReaders, outside: catalogueReaders },
  { name: 'GET service offerings Excel', request: () => ({ method: 'GET', url: '/api/v1/service-offerings/export.xlsx' }), inside: catalogueReaders, outside: catalogueReaders },
  {
    name: 'POST service offering',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/service-offerings', payload: { regionNodeId: pick(c, s).community.id, categoryId, name: '理发上门' } }),
    inside: communityAndUp,
    outside: ['city_admin'],
  },
  { name: 'PATCH service offering', request: (_c, s) => ({ method: 'PATCH', url: `/api/v1/service-offerings/${offerings.get(s)!}`, payload: { description: '午餐送到家' } }), inside: communityAndUp, outside: ['city_admin'] },

  // Orders.
  { name: 'GET service orders', request: () => ({ method: 'GET', url: '/api/v1/service-orders' }), inside: orderReaders, outside: orderReaders },
  { name: 'GET service orders Excel', request: () => ({ method: 'GET', url: '/api/v1/service-orders/export.xlsx' }), inside: orderReaders, outside: orderReaders },
  { name: 'GET my service orders', request: () => ({ method: 'GET', url: '/api/v1/my/service-orders' }), inside: ['party_member'], outside: ['party_member'] },
  { name: 'GET service order', request: (_c, s) => ({ method: 'GET', url: `/api/v1/service-orders/${orderOf('read', s)}` }), inside: [...orderReaders, 'party_member'], outside: ['city_admin', 'organization_officer'] },
  { name: 'GET service order candidates', request: (_c, s) => ({ method: 'GET', url: `/api/v1/service-orders/${orderOf('read', s)}/candidates` }), inside: communityAndUp, outside: ['city_admin'] },
  { name: 'POST service order reveal', request: (_c, s) => ({ method: 'POST', url: `/api/v1/service-orders/${orderOf('reveal', s)}/reveal`, payload: {} }), inside: communityAndUp, outside: ['city_admin'] },
  actionRow('dispatch', (c, s) => ({ partyMemberId: pick(c, s).partyMember.id }), communityAndUp, ['city_admin']),
  actionRow('redispatch', (c, s) => ({ partyMemberId: pick(c, s).partyMember.id }), communityAndUp, ['city_admin']),
  actionRow('cancel', () => ({ reason: '居民电话取消' }), communityAndUp, ['city_admin']),
  // Serving is the assignee's own: A's party member on A's orders; nobody here holds B's member's login.
  actionRow('accept', () => ({}), ['party_member'], []),
  actionRow('decline', () => ({ reason: '本周出差' }), ['party_member'], []),
  actionRow('complete', () => ({ note: '已送达' }), ['party_member'], []),
];
