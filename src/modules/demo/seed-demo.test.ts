import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { loadConfig } from '../../config.ts';
import { roles } from '../../db/schema/index.ts';
import { PersonalDataCipher, isValidIdNumber } from '../../shared/personal-data.ts';
import { pointInPolygon } from '../geography/point-in-polygon.ts';
import { verifyPassword } from '../auth/passwords.ts';
import type { AppContext } from '../../context.ts';
import { DEMO_GRID_POINT, DEMO_TOTP_SECRET, isDatabaseEmpty, seedDemoCity, type SeedResult } from './seed-demo.ts';
import { seedCommunityDemo } from './seed-community.ts';

const PASSWORD = 'Civic-Grid-2024';

describe('seedDemoCity (small, in-memory PGlite)', () => {
  let database: Database;
  let context: AppContext;
  let result: SeedResult;
  let seconds = 0;
  const steps = new Set<string>();
  const count = async (query: ReturnType<typeof sql>) => Number((await database.rows<{ n: number }>(query))[0].n);

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: null });
    await runMigrations(database);
    context = { config: loadConfig({}), database, cipher: new PersonalDataCipher('11'.repeat(32)) };
    expect(await isDatabaseEmpty(database)).toBe(true);
    const started = performance.now();
    result = await seedDemoCity(context, { scale: 'small', password: PASSWORD, onProgress: (step) => steps.add(step) });
    // As on first start: the community-services demo (party member, unit liaisons, module records) follows the city.
    const community = await seedCommunityDemo(context);
    result.accounts.push(...community.accounts);
    for (const [table, n] of Object.entries(community.counts)) result.counts[table] = (result.counts[table] ?? 0) + n;
    seconds = (performance.now() - started) / 1000;
    console.log(`seeded small in ${seconds.toFixed(2)} s`, result.counts);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  it('is fast and reports progress', () => {
    expect(seconds).toBeLessThan(10);
    expect([...steps]).toEqual(expect.arrayContaining(['regions', 'units', 'party_organizations', 'people', 'users']));
    expect(result.totpSecret).toBe(DEMO_TOTP_SECRET);
  });

  it('creates the expected amounts, and the counts match the tables', async () => {
    const c = result.counts;
    expect(c['region_nodes.grid']).toBeGreaterThanOrEqual(50);
    expect(c['region_nodes.grid']).toBeLessThanOrEqual(80);
    expect(c['region_nodes.building']).toBeGreaterThanOrEqual(500);
    expect(c['region_nodes.building']).toBeLessThanOrEqual(800);
    expect(c.households).toBeGreaterThanOrEqual(5000);
    expect(c.households).toBeLessThanOrEqual(7500);
    expect(c.residents).toBeGreaterThan(c.households * 2);
    expect(c.residents).toBeLessThan(c.households * 3.5);
    expect(c['region_nodes.compound']).toBeGreaterThan(0);
    for (const table of ['region_nodes', 'households', 'residents', 'resident_tags', 'party_members', 'party_organizations', 'household_links', 'household_link_members', 'party_member_household_links', 'units', 'users', 'role_assignments', 'region_geometry_history', 'building_grid_history', 'party_committee_members']) {
      expect(await count(sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`), table).toBe(c[table]);
    }
    const adults = await count(sql`SELECT count(*)::int AS n FROM residents WHERE birth_date <= '2006-06-30'`);
    expect(c.party_members / adults).toBeGreaterThan(0.08);
    expect(c.party_members / adults).toBeLessThan(0.16);
    const kinds = await database.rows<{ kind: string; n: number }>(sql`SELECT kind, count(*)::int AS n FROM party_organizations GROUP BY kind`);
    expect(kinds.map((k) => k.kind).sort()).toEqual(['building_party_group', 'community_party_org', 'grid_party_org', 'party_member_household', 'street_party_committee']);
    const tags = await database.rows<{ tag: string }>(sql`SELECT DISTINCT tag FROM resident_tags`);
    expect(tags.map((t) => t.tag).sort()).toEqual(['disabled', 'elderly_living_alone', 'floating_population', 'left_behind_child', 'low_income', 'veteran']);
    const departments = await database.rows<{ name: string }>(sql`SELECT name FROM units WHERE kind = 'department'`);
    expect(departments.map((d) => d.name)).toContain('遵义市水务局');
  });

  it('keeps the region tree consistent', async () => {
    // every node's path is its parent's path plus its own id
    expect(await count(sql`SELECT count(*)::int AS n FROM region_nodes c LEFT JOIN region_nodes p ON p.id = c.parent_id
      WHERE c.path <> coalesce(p.path, '/') || c.id || '/' OR (c.parent_id IS NOT NULL AND p.id IS NULL)`)).toBe(0);
    // buildings hang under grids and carry a point; compounds under communities
    expect(await count(sql`SELECT count(*)::int AS n FROM region_nodes b JOIN region_nodes g ON g.id = b.parent_id
      WHERE b.level = 'building' AND (g.level <> 'grid' OR b.geometry->>'type' <> 'Point' OR b.centroid_lng IS NULL)`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM region_nodes c JOIN region_nodes p ON p.id = c.parent_id WHERE c.level = 'compound' AND p.level <> 'community'`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM region_nodes WHERE level = 'building' AND compound_id IS NOT NULL`)).toBeGreaterThan(0);
    // every household's region_path is its building's path
    expect(await count(sql`SELECT count(*)::int AS n FROM households h LEFT JOIN region_nodes b ON b.id = h.building_id
      WHERE b.id IS NULL OR b.level <> 'building' OR h.region_path <> b.path`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM residents r JOIN households h ON h.id = r.household_id WHERE r.region_path <> h.region_path`)).toBe(0);
    // party members sit at their organisation's node
    expect(await count(sql`SELECT count(*)::int AS n FROM party_members m JOIN party_organizations o ON o.id = m.party_organization_id
      JOIN region_nodes n ON n.id = o.region_node_id WHERE m.region_path <> n.path`)).toBe(0);
    // every household in exactly one household link, of the household's own grid
    expect(await count(sql`SELECT count(*)::int AS n FROM households h LEFT JOIN household_link_members m ON m.household_id = h.id
      LEFT JOIN household_links l ON l.id = m.household_link_id WHERE l.id IS NULL OR h.region_path NOT LIKE l.region_path || '%'`)).toBe(0);
  });

  it('generates unique, valid, encrypted ID numbers', async () => {
    expect(await count(sql`SELECT count(*)::int AS n FROM (SELECT id_number_hash FROM residents GROUP BY id_number_hash HAVING count(*) > 1) d`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM residents WHERE id_number_hash IS NULL OR id_number_encrypted IS NULL`)).toBe(0);
    const sample = await database.rows<{ enc: string; hash: string; birth: string; gender: string; phone: string | null }>(
      sql`SELECT id_number_encrypted AS enc, id_number_hash AS hash, birth_date::text AS birth, gender, phone FROM residents ORDER BY id LIMIT 500`,
    );
    for (const row of sample) {
      const idNumber = context.cipher.decrypt(row.enc);
      expect(isValidIdNumber(idNumber), idNumber).toBe(true);
      expect(idNumber.startsWith('5203')).toBe(true);
      expect(idNumber.slice(6, 14)).toBe(row.birth.replaceAll('-', ''));
      expect(Number(idNumber[16]) % 2).toBe(row.gender === 'male' ? 1 : 0);
      expect(context.cipher.searchHash(idNumber)).toBe(row.hash);
      if (row.phone) expect(row.phone).toMatch(/^1[3-9]\d{9}$/);
    }
  });

  it('creates one demo account per role; gridworker works the grid that contains the Zunyi point', async () => {
    const accounts = await database.rows<{ username: string; role: string; level: string | null; geometry: { coordinates: [number, number][][] } | null; unit: string | null; totp_enabled: boolean; hash: string; enc: string | null }>(sql`
      SELECT u.username, ra.role, n.level, n.geometry, un.name AS unit, u.totp_enabled, u.password_hash AS hash, u.totp_secret_encrypted AS enc
      FROM users u JOIN role_assignments ra ON ra.user_id = u.id LEFT JOIN region_nodes n ON n.id = ra.region_node_id LEFT JOIN units un ON un.id = ra.unit_id`);
    const byName = new Map(accounts.map((a) => [a.username, a]));
    for (const role of roles) expect(accounts.some((a) => a.role === role), role).toBe(true);
    for (const role of roles) expect(result.accounts.some((a) => a.role === role), role).toBe(true);
    const gw = byName.get('gridworker')!;
    expect(gw.role).toBe('grid_worker');
    expect(gw.level).toBe('grid');
    expect(pointInPolygon(DEMO_GRID_POINT[0], DEMO_GRID_POINT[1], gw.geometry!.coordinates)).not.toBe(0);
    expect(byName.get('water')!.unit).toBe('遵义市水务局');
    expect(byName.get('buildinghead')!.level).toBe('building');
    expect(byName.get('dispatcher')!.level).toBe('community');
    expect(byName.get('district')!.level).toBe('district');
    for (const admin of ['sysadmin', 'secadmin', 'auditadmin', 'cityadmin', 'district']) {
      expect(byName.get(admin)!.totp_enabled, admin).toBe(true);
      expect(context.cipher.decrypt(byName.get(admin)!.enc!)).toBe(DEMO_TOTP_SECRET);
    }
    expect(byName.get('gridworker')!.totp_enabled).toBe(false);
    expect(accounts.filter((a) => a.username.startsWith('gw')).length).toBe(20);
    expect(await verifyPassword(gw.hash, PASSWORD)).toBe(true);

    const [other] = await database.rows<{ same_community: boolean }>(sql`
      SELECT g1.parent_id = g2.parent_id AS same_community FROM users u1, users u2, role_assignments r1, role_assignments r2, region_nodes g1, region_nodes g2
      WHERE u1.username = 'gridworker' AND u2.username = 'gridworker2' AND r1.user_id = u1.id AND r2.user_id = u2.id AND g1.id = r1.region_node_id AND g2.id = r2.region_node_id`);
    expect(other.same_community).toBe(false);
    const [link] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM household_links l JOIN users u ON u.id = l.head_user_id WHERE u.username = 'linkhead'`);
    expect(link.n).toBe(1);
  });

  it('refuses to seed twice', async () => {
    expect(await isDatabaseEmpty(database)).toBe(false);
    await expect(seedDemoCity(context, { scale: 'small', password: PASSWORD })).rejects.toThrow(/already exists/);
    expect(await count(sql`SELECT count(*)::int AS n FROM cities`)).toBe(1);
  });
});
