import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Database, Executor } from '../../db/client.ts';
import type { DemoCommunity, DemoNode } from './demo-community.ts';
import type { DemoAccount } from './seed-demo.ts';
import { seedCommunityListsDemo } from '../community-lists/community-lists.demo.ts';
import { seedNoticesDemo } from '../notices/notices.demo.ts';
import { seedServiceOrdersDemo } from '../service-orders/service-orders.demo.ts';
import { seedMicroWishesDemo } from '../micro-wishes/micro-wishes.demo.ts';
import { seedDualReportingDemo } from '../dual-reporting/dual-reporting.demo.ts';
import { seedVolunteersDemo } from '../volunteers/volunteers.demo.ts';
import { seedUnitPointsDemo } from '../unit-points/unit-points.demo.ts';
import { seedSharedResourcesDemo } from '../shared-resources/shared-resources.demo.ts';
import { seedJointMeetingsDemo } from '../joint-meetings/joint-meetings.demo.ts';
import { seedIncentivesDemo } from '../incentives/incentives.demo.ts';
import { seedGridWorkDemo } from '../grid-work/grid-work.demo.ts';

const node = (row: Record<string, unknown>): DemoNode => ({ id: Number(row.id), path: row.path as string, name: row.name as string, code: row.code as string });

async function one(database: Database, tx: Executor, query: ReturnType<typeof sql>) {
  const [row] = await database.rows<Record<string, unknown>>(query, tx);
  if (!row) throw new Error('the demo city is missing a record the community demo needs');
  return row;
}

/** A demo login with the same password as the other demo accounts (the dispatcher's hash is reused). */
async function demoUser(database: Database, tx: Executor, cityId: number, username: string, displayName: string, role: string, scope: { regionNodeId: number | null; unitId: number | null }, partyMemberId: number | null = null) {
  const row = await one(database, tx, sql`INSERT INTO users (city_id, username, display_name, phone, password_hash, party_member_id)
    SELECT ${cityId}, ${username}, ${displayName}, '13800000000', password_hash, ${partyMemberId} FROM users WHERE username = 'dispatcher' RETURNING id`);
  const id = Number(row.id);
  await tx.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id, unit_id) VALUES (${cityId}, ${id}, ${role}, ${scope.regionNodeId}, ${scope.unitId})`);
  return id;
}

/**
 * The community-services demo: three more accounts (a party member reported to the dispatcher's community,
 * a resident unit's liaison and a partner shop's clerk), the units they act for, and each module's demo
 * records, in one transaction after the demo city.
 */
export async function seedCommunityDemo(context: AppContext): Promise<{ accounts: DemoAccount[]; counts: Record<string, number> }> {
  const { database } = context;
  return database.db.transaction(async (tx) => {
    const dispatcher = await one(database, tx, sql`SELECT u.id, u.city_id, ra.region_node_id FROM users u JOIN role_assignments ra ON ra.user_id = u.id AND ra.role = 'dispatcher' WHERE u.username = 'dispatcher'`);
    const cityId = Number(dispatcher.city_id);
    const community = node(await one(database, tx, sql`SELECT id, path, name, code, parent_id FROM region_nodes WHERE id = ${Number(dispatcher.region_node_id)}`));
    const streetRow = await one(database, tx, sql`SELECT p.id, p.path, p.name, p.code FROM region_nodes c JOIN region_nodes p ON p.id = c.parent_id WHERE c.id = ${community.id}`);
    const street = node(streetRow);
    const city = node(await one(database, tx, sql`SELECT id, path, name, code FROM region_nodes WHERE city_id = ${cityId} AND level = 'city' LIMIT 1`));
    const otherCommunity = node(await one(database, tx, sql`SELECT id, path, name, code FROM region_nodes WHERE parent_id = ${street.id} AND level = 'community' AND id <> ${community.id} ORDER BY id LIMIT 1`));
    const grids = (await database.rows<Record<string, unknown>>(sql`SELECT id, path, name, code FROM region_nodes WHERE level = 'grid' AND path LIKE ${community.path + '%'} ORDER BY id`, tx)).map(node);
    const buildings = (await database.rows<Record<string, unknown>>(sql`SELECT id, path, name, code FROM region_nodes WHERE level = 'building' AND path LIKE ${community.path + '%'} ORDER BY id LIMIT 40`, tx)).map(node);
    const residents = (await database.rows<Record<string, unknown>>(sql`SELECT id, name, phone, household_id, region_path FROM residents WHERE region_path LIKE ${community.path + '%'} ORDER BY id LIMIT 80`, tx)).map((r) => ({
      id: Number(r.id), name: r.name as string, phone: (r.phone as string | null) ?? null, householdId: Number(r.household_id), path: r.region_path as string,
    }));
    const partyMemberIds = (await database.rows<{ id: number }>(sql`SELECT id FROM party_members WHERE region_path LIKE ${community.path + '%'} ORDER BY id LIMIT 30`, tx)).map((r) => Number(r.id));
    if (partyMemberIds.length === 0) throw new Error('the demo community has no party members');

    const unit = async (kind: string, name: string, code: string) =>
      Number((await one(database, tx, sql`INSERT INTO units (city_id, kind, name, code, region_node_id, contact_name, contact_phone, address)
        VALUES (${cityId}, ${kind}, ${name}, ${code}, ${community.id}, '刘敏', '13985001234', ${community.name + '红旗路18号'}) RETURNING id`)).id);
    const residentUnitIds = (await database.rows<{ id: number }>(sql`SELECT id FROM units WHERE kind = 'resident_unit' AND region_node_id = ${community.id} ORDER BY id`, tx)).map((r) => Number(r.id));
    const unitsBefore = residentUnitIds.length;
    for (const [i, name] of ['遵义市第四中学', '红花岗区人民医院', '遵义供电局营业厅'].entries()) {
      if (residentUnitIds.length < 3) residentUnitIds.push(await unit('resident_unit', name, `demo-ru-${community.id}-${i}`));
    }
    const agencyUnitId = await unit('agency', '遵义市民政局机关党委', `demo-agency-${community.id}`);
    const shopUnitId = await unit('partner_shop', '红城星店·便民超市', `demo-shop-${community.id}`);

    // Placed in the community by the registration below, not by the assignment.
    const partymember = await demoUser(database, tx, cityId, 'partymember', '党员 王红', 'party_member', { regionNodeId: null, unitId: null }, partyMemberIds[0]);
    const unitcontact = await demoUser(database, tx, cityId, 'unitcontact', '联络员 陈刚', 'unit_contact', { regionNodeId: community.id, unitId: residentUnitIds[0] });
    const shopclerk = await demoUser(database, tx, cityId, 'shopclerk', '店员 李娜', 'unit_contact', { regionNodeId: community.id, unitId: shopUnitId });
    // 双报到: the party member and the agency report to the community.
    await tx.execute(sql`UPDATE party_members SET is_serving = true, serving_unit_id = ${agencyUnitId} WHERE id = ${partyMemberIds[0]}`);
    await tx.execute(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, party_member_id, basis, created_by)
      VALUES (${cityId}, 'member', ${community.id}, ${community.path}, ${partyMemberIds[0]}, 'residence', ${Number(dispatcher.id)})`);
    await tx.execute(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, unit_id, basis, created_by)
      VALUES (${cityId}, 'organization', ${community.id}, ${community.path}, ${agencyUnitId}, 'work', ${Number(dispatcher.id)})`);

    const userId = async (username: string) => Number((await one(database, tx, sql`SELECT id FROM users WHERE username = ${username}`)).id);
    const demo: DemoCommunity = {
      cityId, city, street, community, otherCommunity, grids, buildings, residents, partyMemberIds, residentUnitIds, agencyUnitId, shopUnitId,
      users: {
        dispatcher: Number(dispatcher.id), gridworker: await userId('gridworker'), gridhead: await userId('gridhead'), buildinghead: await userId('buildinghead'),
        street: await userId('street'), partymember, unitcontact, shopclerk,
      },
    };
    for (const seed of [seedServiceOrdersDemo, seedCommunityListsDemo, seedMicroWishesDemo, seedDualReportingDemo, seedVolunteersDemo, seedUnitPointsDemo,
      seedSharedResourcesDemo, seedJointMeetingsDemo, seedIncentivesDemo, seedGridWorkDemo, seedNoticesDemo]) {
      await seed(context, tx, demo);
    }
    const accounts: DemoAccount[] = [
      { username: 'partymember', role: 'party_member', scopeName: community.name, note: 'serving party member reported to the community (双报到)' },
      { username: 'unitcontact', role: 'unit_contact', scopeName: '遵义市第四中学', note: 'resident unit liaison' },
      { username: 'shopclerk', role: 'unit_contact', scopeName: '红城星店·便民超市', note: 'partner shop: verifies redemption codes' },
    ];
    return { accounts, counts: { units: residentUnitIds.length - unitsBefore + 2, users: 3, role_assignments: 3 } };
  });
}
