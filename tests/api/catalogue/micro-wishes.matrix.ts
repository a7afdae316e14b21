import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import { roles, type Role } from '../../../src/db/schema/index.ts';
import { communityAndUp, field, pick, type City, type MatrixCatalogue, type Side } from './types.ts';

/**
 * Each mutating row acts on a wish of its own per side and role, so one role's step never changes what the
 * next role meets: posted wishes to claim and withdraw, unit-claimed ones to release and fulfil, fulfilled
 * ones to confirm.
 */
type Kind = 'read' | 'claim' | 'release' | 'fulfil' | 'confirm' | 'withdraw' | 'reveal';
const wishes = new Map<string, number>();
const keyOf = (kind: Kind, side: Side, role?: Role) => `${kind}:${side}:${role ?? '*'}`;
const wishOf = (kind: Kind, side: Side, role?: Role) => wishes.get(keyOf(kind, side, role)) ?? 0;

const readers: Role[] = [...field, 'organization_officer', 'party_member', 'unit_contact'];
let sequence = 0;

async function insertWish(database: import('../../../src/db/client.ts').Database, city: City, side: Side, status: string) {
  const place = pick(city, side);
  const claimed = status !== 'posted';
  const [row] = await database.rows<{ id: number }>(sql`
    INSERT INTO micro_wishes (city_id, number, tracking_token_hash, community_id, region_path, building_id, title, wisher_kind, wisher_name, wisher_phone, status,
                              claimed_by_unit_id, claimed_at, fulfilled_at)
    VALUES (${city.cityId}, ${`WXM-${++sequence}`}, ${crypto.randomBytes(32).toString('hex')}, ${place.community.id}, ${place.building.path}, ${place.building.id},
            '想要一副老花镜', 'elderly', '王小明', '13912345678', ${status},
            ${claimed ? place.residentUnit.id : null}, ${claimed ? sql`now()` : null}, ${status === 'fulfilled' ? sql`now()` : null})
    RETURNING id`);
  return Number(row.id);
}

export const setup: MatrixCatalogue['setup'] = async (t, city) => {
  const database = t.context.database;
  for (const side of ['inside', 'outside'] as const) {
    wishes.set(keyOf('read', side), await insertWish(database, city, side, 'posted'));
    wishes.set(keyOf('reveal', side), await insertWish(database, city, side, 'claimed'));
    for (const role of roles) {
      wishes.set(keyOf('claim', side, role), await insertWish(database, city, side, 'posted'));
      wishes.set(keyOf('withdraw', side, role), await insertWish(database, city, side, 'posted'));
      wishes.set(keyOf('release', side, role), await insertWish(database, city, side, 'claimed'));
      wishes.set(keyOf('fulfil', side, role), await insertWish(database, city, side, 'claimed'));
      wishes.set(keyOf('confirm', side, role), await insertWish(database, city, side, 'fulfilled'));
    }
  }
};

const stepRow = (kind: Exclude<Kind, 'read' | 'reveal'>, payload: Record<string, unknown>, inside: Role[], outside: Role[]) => ({
  name: `POST micro-wish ${kind}`,
  request: (_c: City, side: Side, role: Role) => ({ method: 'POST' as const, url: `/api/v1/micro-wishes/${wishOf(kind, side, role)}/${kind}`, payload }),
  inside,
  outside,
});

export const rows: MatrixCatalogue['rows'] = [
  { name: 'GET public wish wall', request: (c, s) => ({ method: 'GET', url: `/api/v1/public/places/${pick(c, s).building.code}/wishes` }), inside: [...roles], outside: [...roles] },
  { name: 'GET micro-wishes', request: () => ({ method: 'GET', url: '/api/v1/micro-wishes' }), inside: readers, outside: readers },
  { name: 'GET micro-wishes Excel', request: () => ({ method: 'GET', url: '/api/v1/micro-wishes/export.xlsx' }), inside: readers, outside: readers },
  { name: 'GET micro-wish', request: (_c, s) => ({ method: 'GET', url: `/api/v1/micro-wishes/${wishOf('read', s)}` }), inside: readers, outside: ['city_admin', 'organization_officer'] },
  {
    name: 'POST micro-wish on behalf',
    request: (c, s) => ({ method: 'POST', url: '/api/v1/micro-wishes', payload: { regionId: pick(c, s).building.id, title: '想学用智能手机', wisherKind: 'elderly', wisherName: '陈奶奶' } }),
    inside: [...communityAndUp, 'grid_worker', 'grid_head', 'building_head'],
    outside: ['city_admin'],
  },
  // Claims: party members and unit liaisons placed in the wish's community (side A's are; nobody's is B).
  stepRow('claim', {}, ['party_member', 'unit_contact'], []),
  // Side A's wishes were claimed by A's resident unit, whose liaison is unit_contact.
  stepRow('release', { note: '这周出差' }, ['unit_contact', ...communityAndUp], ['city_admin']),
  stepRow('fulfil', { note: '已送到' }, ['unit_contact'], []),
  stepRow('confirm', { thanksNote: '代老人致谢' }, communityAndUp, ['city_admin']),
  stepRow('withdraw', {}, communityAndUp, ['city_admin']),
  { name: 'POST micro-wish reveal', request: (_c, s) => ({ method: 'POST', url: `/api/v1/micro-wishes/${wishOf('reveal', s)}/reveal` }), inside: ['unit_contact', ...communityAndUp], outside: ['city_admin'] },
];
