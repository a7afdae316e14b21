import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildScopedCity } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Accounts of party members and unit liaisons: a party member's account is placed in every community it has
 * reported to (双报到) by a grant derived from the active registration, and nowhere else.
 */
describe('party member and unit liaison accounts', () => {
  let t: TestApp;
  let city: Awaited<ReturnType<typeof buildScopedCity>>;
  let sysadmin: string;
  let secadmin: string;

  beforeAll(async () => {
    t = await createTestApp();
    city = await buildScopedCity(t.context.database, t.context.cipher);
    sysadmin = await t.login('sysadmin');
    secadmin = await t.login('secadmin');
  });
  afterAll(async () => t?.close());

  const me = async (cookie: string) => (await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).json();

  it('links a new account to a party member once, and gives the party member role only to linked accounts', async () => {
    const create = (username: string, partyMemberId?: number) =>
      t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: sysadmin }, payload: { username, displayName: '党员账号', password: 'Party-Member-2024', ...(partyMemberId ? { partyMemberId } : {}) } });
    const linked = await create('pm_b', city.b.partyMember.id);
    expect(linked.statusCode).toBe(201);
    // Side A's member already has the factory's account.
    const again = await create('pm_a_again', city.a.partyMember.id);
    expect(again.statusCode).toBe(409);
    expect((await create('pm_other_city', 999_999_999)).statusCode).toBe(400);

    const plain = await create('pm_unlinked');
    const assign = (userId: number, body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/v1/users/${userId}/roles`, headers: { cookie: secadmin }, payload: body });
    const refused = await assign(plain.json().id, { role: 'party_member', regionNodeId: city.b.community.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/party member/);
    // Registrations place a party member, never the assignment.
    expect((await assign(linked.json().id, { role: 'party_member', regionNodeId: city.b.community.id })).statusCode).toBe(400);
    expect((await assign(linked.json().id, { role: 'party_member' })).statusCode).toBe(201);
    // A liaison acts for a unit other than a department, placed at the unit's own node.
    expect((await assign(plain.json().id, { role: 'unit_contact', unitId: city.department.id })).statusCode).toBe(400);
    const liaison = await assign(plain.json().id, { role: 'unit_contact', unitId: city.b.residentUnit.id });
    expect(liaison.statusCode).toBe(201);
    const [row] = await t.context.database.rows<{ region_node_id: number }>(sql`SELECT region_node_id FROM role_assignments WHERE user_id = ${plain.json().id} AND role = 'unit_contact'`);
    expect(Number(row.region_node_id)).toBe(city.b.community.id);
  });

  it('places a party member in the communities it reported to, and takes the place away when the registration ends', async () => {
    const cookie = await t.login('partymember');
    const before = await me(cookie);
    const derived = before.roles.filter((r: { source: string }) => r.source === 'dual_registration');
    expect(derived).toEqual([expect.objectContaining({ role: 'party_member', regionNodeId: city.a.community.id })]);
    expect(before.abilities.claimPosts).toBe(true);
    expect(before.abilities.viewCases ?? false).toBe(false);

    await t.context.database.db.execute(sql`UPDATE dual_registrations SET status = 'ended', ended_at = now() WHERE party_member_id = ${city.a.partyMember.id}`);
    const after = await me(await t.login('partymember'));
    expect(after.roles.filter((r: { source: string }) => r.source === 'dual_registration')).toEqual([]);
    // Still a party member (its assignment, placed nowhere), but no longer where posts are claimed.
    expect(after.roles.map((r: { role: string; regionNodeId: number | null }) => [r.role, r.regionNodeId])).toEqual([['party_member', null]]);
    expect(after.abilities.claimPosts).toBe(false);
    await t.context.database.db.execute(sql`UPDATE dual_registrations SET status = 'active', ended_at = null WHERE party_member_id = ${city.a.partyMember.id}`);
  });

  it("places a unit's liaison where its organisation reported, besides the unit's own community", async () => {
    await t.context.database.db.execute(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, unit_id)
      VALUES (${city.cityId}, 'organization', ${city.b.community.id}, ${city.b.community.path}, ${city.a.residentUnit.id})`);
    const roles = (await me(await t.login('unitcontact'))).roles as Array<{ role: string; regionNodeId: number; source: string }>;
    expect(roles.map((r) => [r.role, r.regionNodeId, r.source])).toEqual([
      ['unit_contact', city.a.community.id, 'assignment'],
      ['unit_contact', city.b.community.id, 'dual_registration'],
    ]);
  });
});
