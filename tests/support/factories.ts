import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import { childPath } from '../../src/modules/regions/region-path.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import type { PersonalDataCipher } from '../../src/shared/personal-data.ts';
import type { Role } from '../../src/db/schema/index.ts';

export const TEST_PASSWORD = 'Test-Password-2024';
let passwordHash: Promise<string> | null = null;
const testPasswordHash = () => (passwordHash ??= hashPassword(TEST_PASSWORD));

const square = (lng: number, lat: number, size: number) => ({
  type: 'Polygon',
  coordinates: [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
});

export interface NodeRef {
  id: number;
  path: string;
  code: string;
  name: string;
}

export class Factory {
  constructor(private readonly database: Database, private readonly cipher: PersonalDataCipher) {}
  private seq = 0;
  private next = () => ++this.seq;

  async city(code = `52${String(this.next()).padStart(4, '0')}000000`, name = '测试市'): Promise<{ cityId: number; node: NodeRef }> {
    const [city] = await this.database.rows<{ id: number }>(sql`INSERT INTO cities (code, name) VALUES (${code}, ${name}) RETURNING id`);
    const cityId = Number(city.id);
    const node = await this.node(cityId, null, 'city', code, name);
    return { cityId, node };
  }

  async node(cityId: number, parent: NodeRef | null, level: string, code?: string, name?: string, geometry?: object, point?: [number, number]): Promise<NodeRef> {
    const [{ id: rawId }] = await this.database.rows<{ id: number }>(sql`SELECT nextval('region_nodes_id_seq') AS id`);
    const id = Number(rawId);
    const path = childPath(parent?.path ?? null, id);
    const nodeCode = code ?? `${level}-${id}`;
    const nodeName = name ?? `${level} ${id}`;
    const geo = point ? { type: 'Point', coordinates: point } : geometry ?? null;
    await this.database.db.execute(sql`INSERT INTO region_nodes (id, city_id, parent_id, level, code, name, path, geometry, centroid_lng, centroid_lat, valid_from)
      VALUES (${id}, ${cityId}, ${parent?.id ?? null}, ${level}, ${nodeCode}, ${nodeName}, ${path}, ${geo ? JSON.stringify(geo) : null}::jsonb, ${point?.[0] ?? null}, ${point?.[1] ?? null}, '2023-01-01')`);
    if (level === 'building' && parent) {
      await this.database.db.execute(sql`INSERT INTO building_grid_history (city_id, building_id, grid_id, valid_from) VALUES (${cityId}, ${id}, ${parent.id}, '2023-01-01')`);
    }
    return { id, path, code: nodeCode, name: nodeName };
  }

  grid(cityId: number, community: NodeRef, lng: number, lat: number, size = 0.01) {
    return this.node(cityId, community, 'grid', undefined, undefined, square(lng, lat, size));
  }

  async household(cityId: number, building: NodeRef, phone = '13812341234') {
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO households (city_id, building_id, region_path, code, door_number, address, phone)
      VALUES (${cityId}, ${building.id}, ${building.path}, ${'hh-' + this.next()}, '1单元101', '测试市测试路1号3栋1单元101', ${phone}) RETURNING id`);
    return { id: Number(row.id), path: building.path };
  }

  async resident(cityId: number, household: { id: number; path: string }, input: { name?: string; phone?: string; idNumber?: string } = {}) {
    const idNumber = input.idNumber ?? '52030219800101001X';
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO residents (city_id, household_id, region_path, name, gender, birth_date, phone, id_number_encrypted, id_number_hash, is_head, relation_to_head)
      VALUES (${cityId}, ${household.id}, ${household.path}, ${input.name ?? '张三'}, 'male', '1980-01-01', ${input.phone ?? '13912345678'},
              ${this.cipher.encrypt(idNumber)}, ${this.cipher.searchHash(idNumber + '#' + this.next())}, true, '户主') RETURNING id`);
    await this.database.db.execute(sql`INSERT INTO resident_tags (city_id, resident_id, tag, set_on) VALUES (${cityId}, ${Number(row.id)}, 'elderly_living_alone', '2024-03-01')`);
    return { id: Number(row.id) };
  }

  async unit(cityId: number, kind: string, region: NodeRef | null, name = `单位${this.next()}`) {
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO units (city_id, kind, name, code, region_node_id, contact_name, contact_phone)
      VALUES (${cityId}, ${kind}, ${name}, ${'unit-' + this.next()}, ${region?.id ?? null}, '李四', '13700001111') RETURNING id`);
    return { id: Number(row.id) };
  }

  async partyOrganization(cityId: number, kind: string, region: NodeRef, parentId: number | null = null) {
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO party_organizations (city_id, parent_id, kind, name, code, region_node_id, secretary_name)
      VALUES (${cityId}, ${parentId}, ${kind}, ${region.name + '党支部'}, ${'po-' + this.next()}, ${region.id}, '王五') RETURNING id`);
    return { id: Number(row.id) };
  }

  async partyMember(cityId: number, organizationId: number, region: NodeRef) {
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO party_members (city_id, name, phone, party_organization_id, region_path, is_serving)
      VALUES (${cityId}, '赵六', '13600002222', ${organizationId}, ${region.path}, true) RETURNING id`);
    return { id: Number(row.id) };
  }

  /** A login for a party member, placed in `community` by an active member registration (双报到) only. */
  async partyMemberUser(cityId: number, username: string, partyMemberId: number, community: NodeRef) {
    const user = await this.user(cityId, username, 'party_member');
    await this.database.db.execute(sql`UPDATE users SET party_member_id = ${partyMemberId} WHERE id = ${user.id}`);
    await this.dualRegistration(cityId, community, { partyMemberId });
    return user;
  }

  async dualRegistration(cityId: number, community: NodeRef, who: { partyMemberId?: number; unitId?: number }) {
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, unit_id, party_member_id)
      VALUES (${cityId}, ${who.partyMemberId ? 'member' : 'organization'}, ${community.id}, ${community.path}, ${who.unitId ?? null}, ${who.partyMemberId ?? null}) RETURNING id`);
    return { id: Number(row.id) };
  }

  async user(cityId: number, username: string, role?: Role, scope?: { regionNodeId?: number; unitId?: number }) {
    const [row] = await this.database.rows<{ id: number }>(sql`INSERT INTO users (city_id, username, display_name, password_hash)
      VALUES (${cityId}, ${username}, ${username}, ${await testPasswordHash()}) RETURNING id`);
    const id = Number(row.id);
    if (role) {
      await this.database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id, unit_id)
        VALUES (${cityId}, ${id}, ${role}, ${scope?.regionNodeId ?? null}, ${scope?.unitId ?? null})`);
    }
    return { id, username };
  }
}

/**
 * Two districts of one city (A inside every regional role's scope, B outside), plus a second city,
 * with one record of every kind on each side and one user per role scoped to side A.
 */
export async function buildScopedCity(database: Database, cipher: PersonalDataCipher) {
  const f = new Factory(database, cipher);
  const { cityId, node: city } = await f.city('520300000000', '遵义市');
  const side = async (label: string, lng: number) => {
    const district = await f.node(cityId, city, 'district', undefined, `${label}区`, square(lng, 27.6, 0.04));
    const street = await f.node(cityId, district, 'street', undefined, `${label}街道`, square(lng, 27.6, 0.04));
    const community = await f.node(cityId, street, 'community', undefined, `${label}社区`, square(lng, 27.6, 0.02));
    const grid = await f.grid(cityId, community, lng, 27.6);
    const grid2 = await f.grid(cityId, community, lng + 0.01, 27.6);
    const building = await f.node(cityId, grid, 'building', undefined, `${label}1栋`, undefined, [lng + 0.005, 27.605]);
    const household = await f.household(cityId, building);
    const resident = await f.resident(cityId, household, { name: label === 'A' ? '张三' : '李四' });
    const communityOrg = await f.partyOrganization(cityId, 'community_party_org', community);
    const gridOrg = await f.partyOrganization(cityId, 'grid_party_org', grid, communityOrg.id);
    const partyMember = await f.partyMember(cityId, gridOrg.id, grid);
    const residentUnit = await f.unit(cityId, 'resident_unit', community);
    return { district, street, community, grid, grid2, building, household, resident, gridOrg, partyMember, residentUnit };
  };
  const a = await side('A', 106.9);
  const b = await side('B', 107.0);
  const department = await f.unit(cityId, 'department', city, '水务局');
  const otherDepartment = await f.unit(cityId, 'department', city, '城管局');
  const other = await f.city('520400000000', '安顺市');
  const users = {
    grid_worker: await f.user(cityId, 'gridworker', 'grid_worker', { regionNodeId: a.grid.id }),
    grid_head: await f.user(cityId, 'gridhead', 'grid_head', { regionNodeId: a.grid.id }),
    building_head: await f.user(cityId, 'buildinghead', 'building_head', { regionNodeId: a.building.id }),
    household_link_head: await f.user(cityId, 'linkhead', 'household_link_head', { regionNodeId: a.building.id }),
    dispatcher: await f.user(cityId, 'dispatcher', 'dispatcher', { regionNodeId: a.community.id }),
    street_officer: await f.user(cityId, 'street', 'street_officer', { regionNodeId: a.street.id }),
    department_staff: await f.user(cityId, 'water', 'department_staff', { unitId: department.id }),
    district_admin: await f.user(cityId, 'district', 'district_admin', { regionNodeId: a.district.id }),
    city_admin: await f.user(cityId, 'cityadmin', 'city_admin', { regionNodeId: city.id }),
    organization_officer: await f.user(cityId, 'orgdept', 'organization_officer', { regionNodeId: city.id }),
    system_admin: await f.user(cityId, 'sysadmin', 'system_admin', { regionNodeId: city.id }),
    security_admin: await f.user(cityId, 'secadmin', 'security_admin', { regionNodeId: city.id }),
    audit_admin: await f.user(cityId, 'auditadmin', 'audit_admin', { regionNodeId: city.id }),
    // Side A's party member, at home in A's community and reported (双报到) to it; the liaison of A's resident unit.
    party_member: await f.partyMemberUser(cityId, 'partymember', a.partyMember.id, a.community),
    unit_contact: await f.user(cityId, 'unitcontact', 'unit_contact', { regionNodeId: a.community.id, unitId: a.residentUnit.id }),
  } satisfies Record<Role, { id: number; username: string }>;
  const plainUser = await f.user(cityId, 'plain');
  const otherCityUser = await f.user(other.cityId, 'othercity');
  return { factory: f, cityId, city, a, b, department, otherDepartment, other, users, plainUser, otherCityUser };
}
