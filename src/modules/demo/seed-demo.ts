/**
 * Demo city seeder: 遵义市 with its region tree (from city-geometry.ts), units, households, residents,
 * the party organisation tree, party members, 1+N and 十联户 links, and one demo account per role.
 *
 * Everything is written in ONE transaction (all or nothing). Rows go in as multi-row
 * `INSERT … SELECT FROM json_populate_recordset($1)` statements (one bind parameter per chunk, identical on
 * PGlite and PostgreSQL); ids are reserved up front in contiguous blocks so paths and references are
 * built in memory. Households, residents and party data are generated and inserted grid batch by grid
 * batch, so memory stays bounded at the `zunyi` scale. The data is deterministic for a scale (except
 * the random IVs of the encrypted ID numbers).
 */
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Database, Executor } from '../../db/client.ts';
import type { Role } from '../../db/schema/index.ts';
import { idNumberCheckDigit } from '../../shared/personal-data.ts';
import { hashPassword } from '../auth/passwords.ts';
import { GridIndex } from '../geography/grid-index.ts';
import { childPath } from '../regions/region-path.ts';
import { CITY_CODE, CITY_NAME, ZUNYI_CENTER, generateCityGeometry, type GeneratedNode } from './city-geometry.ts';
import { insertDefaultCategories } from '../cases/case-categories.repository.ts';
import {
  CITY_AGENCIES,
  CITY_DEPARTMENTS,
  COMPANY_WORDS,
  DISTRICT_AGENCY_SUFFIXES,
  HOSPITAL_WORDS,
  POSITIONS_FULL,
  PROPERTY_BRANDS,
  PROPERTY_COMPANY_WORDS,
  SCHOOL_WORDS,
  SHOP_WORDS,
  SOCIAL_ORG_WORDS,
  chineseName,
  createRng,
  intBetween,
  mobilePhone,
  pick,
  pickSurname,
  type Rng,
} from './demo-names.ts';

export type DemoScale = 'small' | 'city' | 'zunyi';
export interface DemoAccount {
  username: string;
  role: Role;
  scopeName: string;
  note?: string;
}
export interface SeedResult {
  cityId: number;
  accounts: DemoAccount[];
  counts: Record<string, number>;
  totpSecret: string;
}
export interface SeedOptions {
  scale: DemoScale;
  password: string;
  onProgress?: (step: string, done: number, total: number) => void;
}

/** Fixed base32 TOTP secret shared by every demo administrator (printed on the console by the caller). */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_CITY_CODE = CITY_CODE;
/** Where the `gridworker` account works: a point in central Zunyi (丁字口). */
export const DEMO_GRID_POINT: readonly [number, number] = ZUNYI_CENTER;

const SCALE_SEEDS: Record<DemoScale, number> = { small: 0xc1c0_0001, city: 0xc1c0_0002, zunyi: 0xc1c0_0003 };
/** Reference "today" of the demo data, fixed so ages and dates are deterministic. */
const REF_YEAR = 2024;
const VALID_FROM = '2023-01-01';

export async function isDatabaseEmpty(database: Database): Promise<boolean> {
  const rows = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM cities LIMIT 1) c`);
  return Number(rows[0]?.n ?? 0) === 0;
}

// ---------------------------------------------------------------------------------------------
// Bulk insert helpers
// ---------------------------------------------------------------------------------------------

type ColumnType = 'bigint' | 'int' | 'text' | 'bool' | 'date' | 'jsonb' | 'float8';
interface TableSpec {
  table: string;
  columns: readonly (readonly [string, ColumnType])[];
}

/** Inserts rows given as value arrays (in `spec.columns` order) through one JSON parameter per chunk. */
async function insertRows(database: Database, tx: Executor, spec: TableSpec, rows: unknown[][], chunkSize = 5000): Promise<void> {
  if (rows.length === 0) return;
  const names = spec.columns.map(([name]) => `"${name}"`).join(', ');
  // json_populate_recordset parses each object once in C: the fastest path short of COPY.
  const keys = spec.columns.map(([name]) => JSON.stringify(name));
  const head = `INSERT INTO "${spec.table}" (${names}) SELECT ${names} FROM json_populate_recordset(null::"${spec.table}", `;
  for (let i = 0; i < rows.length; i += chunkSize) {
    const end = Math.min(rows.length, i + chunkSize);
    const parts: string[] = [];
    for (let r = i; r < end; r++) {
      const row = rows[r];
      let obj = '{';
      for (let c = 0; c < keys.length; c++) obj += (c ? ',' : '') + keys[c] + ':' + (row[c] === undefined ? 'null' : JSON.stringify(row[c]));
      parts.push(obj + '}');
    }
    await tx.execute(sql`${sql.raw(head)}${'[' + parts.join(',') + ']'}::json)`);
  }
}

/**
 * Reserves `count` consecutive ids of a bigserial table and returns the first. Seeding runs on a
 * database without a city (start-up or `seed --demo`), so nothing else draws from these sequences.
 */
async function reserveBlock(database: Database, tx: Executor, table: string, count: number): Promise<number> {
  if (count <= 0) return 0;
  const seq = `"${table}_id_seq"`;
  const rows = await database.rows<{ first: string | number }>(
    sql`SELECT setval(${seq}::regclass, nextval(${seq}::regclass) + ${count}::bigint - 1) - ${count}::bigint + 1 AS first`,
    tx,
  );
  return Number(rows[0].first);
}

const T = {
  regionNodes: {
    table: 'region_nodes',
    columns: [
      ['id', 'bigint'], ['city_id', 'bigint'], ['parent_id', 'bigint'], ['level', 'text'], ['code', 'text'], ['name', 'text'], ['path', 'text'],
      ['compound_id', 'bigint'], ['property_company_id', 'bigint'], ['geometry', 'jsonb'], ['min_lng', 'float8'], ['min_lat', 'float8'],
      ['max_lng', 'float8'], ['max_lat', 'float8'], ['centroid_lng', 'float8'], ['centroid_lat', 'float8'], ['address', 'text'], ['valid_from', 'date'],
    ],
  },
  geometryHistory: {
    table: 'region_geometry_history',
    columns: [['city_id', 'bigint'], ['region_node_id', 'bigint'], ['geometry', 'jsonb'], ['valid_from', 'date']],
  },
  buildingGridHistory: {
    table: 'building_grid_history',
    columns: [['city_id', 'bigint'], ['building_id', 'bigint'], ['grid_id', 'bigint'], ['valid_from', 'date']],
  },
  units: {
    table: 'units',
    columns: [['id', 'bigint'], ['city_id', 'bigint'], ['kind', 'text'], ['name', 'text'], ['code', 'text'], ['region_node_id', 'bigint'], ['contact_name', 'text'], ['contact_phone', 'text'], ['address', 'text']],
  },
  partyOrganizations: {
    table: 'party_organizations',
    columns: [['id', 'bigint'], ['city_id', 'bigint'], ['parent_id', 'bigint'], ['kind', 'text'], ['name', 'text'], ['code', 'text'], ['region_node_id', 'bigint'], ['household_id', 'bigint'], ['secretary_name', 'text']],
  },
  partyCommitteeMembers: {
    table: 'party_committee_members',
    columns: [['city_id', 'bigint'], ['party_organization_id', 'bigint'], ['name', 'text'], ['position', 'text'], ['unit_id', 'bigint'], ['part_time', 'text']],
  },
  households: {
    table: 'households',
    columns: [['id', 'bigint'], ['city_id', 'bigint'], ['building_id', 'bigint'], ['region_path', 'text'], ['code', 'text'], ['door_number', 'text'], ['address', 'text'], ['phone', 'text']],
  },
  residents: {
    table: 'residents',
    columns: [
      ['id', 'bigint'], ['city_id', 'bigint'], ['household_id', 'bigint'], ['region_path', 'text'], ['name', 'text'], ['gender', 'text'], ['birth_date', 'date'],
      ['phone', 'text'], ['id_number_encrypted', 'text'], ['id_number_hash', 'text'], ['relation_to_head', 'text'], ['is_head', 'bool'],
    ],
  },
  residentTags: {
    table: 'resident_tags',
    columns: [['city_id', 'bigint'], ['resident_id', 'bigint'], ['tag', 'text'], ['set_on', 'date']],
  },
  partyMembers: {
    table: 'party_members',
    columns: [
      ['id', 'bigint'], ['city_id', 'bigint'], ['resident_id', 'bigint'], ['name', 'text'], ['phone', 'text'], ['id_number_encrypted', 'text'], ['id_number_hash', 'text'],
      ['party_organization_id', 'bigint'], ['region_path', 'text'], ['is_serving', 'bool'], ['serving_unit_id', 'bigint'], ['joined_on', 'date'],
    ],
  },
  pmHouseholdLinks: {
    table: 'party_member_household_links',
    columns: [['city_id', 'bigint'], ['party_member_id', 'bigint'], ['household_id', 'bigint']],
  },
  householdLinks: {
    table: 'household_links',
    columns: [['id', 'bigint'], ['city_id', 'bigint'], ['name', 'text'], ['grid_id', 'bigint'], ['region_path', 'text'], ['head_resident_id', 'bigint'], ['head_user_id', 'bigint']],
  },
  householdLinkMembers: {
    table: 'household_link_members',
    columns: [['city_id', 'bigint'], ['household_link_id', 'bigint'], ['household_id', 'bigint'], ['position', 'int']],
  },
  users: {
    table: 'users',
    columns: [['id', 'bigint'], ['city_id', 'bigint'], ['username', 'text'], ['display_name', 'text'], ['phone', 'text'], ['password_hash', 'text'], ['totp_secret_encrypted', 'text'], ['totp_enabled', 'bool']],
  },
  roleAssignments: {
    table: 'role_assignments',
    columns: [['city_id', 'bigint'], ['user_id', 'bigint'], ['role', 'text'], ['region_node_id', 'bigint'], ['unit_id', 'bigint']],
  },
} as const satisfies Record<string, TableSpec>;

// ---------------------------------------------------------------------------------------------
// Geometry helpers
// ---------------------------------------------------------------------------------------------

type Ring = [number, number][];
const r7 = (v: number) => Math.round(v * 1e7) / 1e7;

function bboxOf(ring: Ring): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of ring) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/** Area centroid of a simple closed ring (falls back to the vertex mean for degenerate rings). */
function centroidOf(ring: Ring): [number, number] {
  const ox = ring[0][0], oy = ring[0][1];
  let a = 0, cx = 0, cy = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    const x0 = ring[i][0] - ox, y0 = ring[i][1] - oy, x1 = ring[i + 1][0] - ox, y1 = ring[i + 1][1] - oy;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-18) {
    const n = ring.length - 1;
    return [r7(ring.slice(0, n).reduce((s, p) => s + p[0], 0) / n), r7(ring.slice(0, n).reduce((s, p) => s + p[1], 0) / n)];
  }
  return [r7(ox + cx / (3 * a)), r7(oy + cy / (3 * a))];
}

/** The ring shrunk towards its centroid (compound outlines inside their grid). */
function shrinkRing(ring: Ring, factor: number): Ring {
  const [cx, cy] = centroidOf(ring);
  return ring.map(([x, y]) => [r7(cx + (x - cx) * factor), r7(cy + (y - cy) * factor)] as [number, number]);
}

// ---------------------------------------------------------------------------------------------
// People helpers
// ---------------------------------------------------------------------------------------------

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const REF_DAY = Date.UTC(REF_YEAR, 5, 30);
const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A birth date for someone aged `age` on the reference day. */
function birthDateFor(rng: Rng, age: number): { iso: string; compact: string; year: number } {
  const ms = REF_DAY - age * 365.25 * DAY_MS - Math.floor(rng() * 365) * DAY_MS;
  const iso = isoDay(ms);
  return { iso, compact: iso.replaceAll('-', ''), year: Number(iso.slice(0, 4)) };
}

/** A date between 2021-01-01 and 2024-06-01 (tag set-on dates). */
const tagDate = (rng: Rng) => isoDay(Date.UTC(2021, 0, 1) + Math.floor(rng() * 1247) * DAY_MS);

/** Head-of-household age, by household size (single-person households are often elderly). */
function headAge(rng: Rng, size: number): number {
  const x = rng();
  if (size === 1) {
    if (x < 0.3) return intBetween(rng, 20, 39);
    if (x < 0.62) return intBetween(rng, 40, 69);
    return intBetween(rng, 70, 92);
  }
  if (x < 0.2) return intBetween(rng, 25, 34);
  if (x < 0.55) return intBetween(rng, 35, 49);
  if (x < 0.85) return intBetween(rng, 50, 64);
  return intBetween(rng, 65, 82);
}

const householdSize = (rng: Rng) => {
  const x = rng();
  return x < 0.17 ? 1 : x < 0.45 ? 2 : x < 0.73 ? 3 : x < 0.93 ? 4 : 5;
};

type Relation = '户主' | '配偶' | '子女' | '父母';
interface PersonPlan {
  relation: Relation;
  gender: 'male' | 'female';
  age: number;
}

function planHousehold(rng: Rng): PersonPlan[] {
  const size = householdSize(rng);
  const age = headAge(rng, size);
  const headGender: 'male' | 'female' = size === 1 ? (rng() < 0.5 ? 'male' : 'female') : rng() < 0.7 ? 'male' : 'female';
  const other = (g: 'male' | 'female') => (g === 'male' ? 'female' : 'male');
  const people: PersonPlan[] = [{ relation: '户主', gender: headGender, age }];
  const spouse = () => people.push({ relation: '配偶', gender: other(headGender), age: Math.max(20, Math.min(95, age + intBetween(rng, -4, 4))) });
  const child = () => {
    let a = age - intBetween(rng, 22, 36);
    if (a < 0) a = intBetween(rng, 0, Math.max(0, age - 21));
    people.push({ relation: '子女', gender: rng() < 0.51 ? 'male' : 'female', age: a });
  };
  const parent = () => people.push({ relation: '父母', gender: rng() < 0.45 ? 'male' : 'female', age: Math.min(98, age + intBetween(rng, 22, 32)) });
  if (size === 2) {
    const x = rng();
    if (x < 0.75) spouse();
    else if (x < 0.9) child();
    else parent();
  } else if (size === 3) {
    spouse();
    if (rng() < 0.85) child();
    else parent();
  } else if (size >= 4) {
    spouse();
    child();
    if (rng() < 0.6) child();
    else parent();
    if (size === 5) {
      if (people.some((p) => p.relation === '父母')) child();
      else parent();
    }
  }
  return people;
}

const stripSuffix = (name: string, suffix: string) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : name);

// ---------------------------------------------------------------------------------------------
// The seeder
// ---------------------------------------------------------------------------------------------

interface NodeInfo {
  id: number;
  key: string;
  level: GeneratedNode['level'] | 'compound' | 'building';
  code: string;
  name: string;
  path: string;
  parentKey: string | null;
  /** 遵义市红花岗区老城街道杨柳街社区 (for communities and below: the community's full name). */
  fullName: string;
  districtDigits: string;
}

interface BuildingInfo {
  id: number;
  code: string;
  name: string;
  path: string;
  address: string;
  districtDigits: string;
  groupOrgId: number | null;
}

interface GridInfo {
  node: NodeInfo;
  communityKey: string;
  orgId: number;
  buildings: BuildingInfo[];
}

export async function seedDemoCity(context: AppContext, options: SeedOptions): Promise<SeedResult> {
  const { database, cipher } = context;
  const { scale, onProgress } = options;
  if (!(scale in SCALE_SEEDS)) throw new Error(`unknown demo scale: ${String(scale)}`);
  if (!options.password) throw new Error('a demo password is required');
  const progress = (step: string, done: number, total: number) => onProgress?.(step, done, total);

  // Work that needs no database happens before the transaction opens.
  progress('geometry', 0, 1);
  const geometry = generateCityGeometry(scale);
  progress('geometry', 1, 1);
  const passwordHash = await hashPassword(options.password);
  const totpEncrypted = cipher.encrypt(DEMO_TOTP_SECRET);
  const rng = createRng(SCALE_SEEDS[scale]);
  const counts: Record<string, number> = {};
  const add = (table: string, n: number) => (counts[table] = (counts[table] ?? 0) + n);

  const result = await database.db.transaction(async (tx) => {
    const existing = await database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${CITY_CODE} FOR UPDATE`, tx);
    if (existing.length > 0) throw new Error(`the demo city ${CITY_NAME} (${CITY_CODE}) already exists; refusing to seed twice`);
    const cityRows = await database.rows<{ id: string | number }>(
      sql`INSERT INTO cities (code, name) VALUES (${CITY_CODE}, ${CITY_NAME}) RETURNING id`,
      tx,
    );
    const cityId = Number(cityRows[0].id);
    add('cities', 1);
    add('case_categories', await insertDefaultCategories(database, tx, cityId));

    // ---- region tree: polygon nodes ----------------------------------------------------------
    const polygonNodes = geometry.nodes;
    // Compounds: one per grid whose buildings are named after a 小区.
    const compoundByGrid = new Map<string, { name: string; communityKey: string }>();
    const gridParent = new Map<string, string>();
    for (const n of polygonNodes) if (n.level === 'grid') gridParent.set(n.key, n.parentKey!);
    const compoundNamesPerCommunity = new Map<string, Set<string>>();
    for (const b of geometry.buildings) {
      if (compoundByGrid.has(b.gridKey)) continue;
      const m = /^(.+小区)\d+栋$/.exec(b.name);
      if (!m) continue;
      const communityKey = gridParent.get(b.gridKey)!;
      const used = compoundNamesPerCommunity.get(communityKey) ?? new Set<string>();
      compoundNamesPerCommunity.set(communityKey, used);
      let name = m[1];
      for (let k = 2; used.has(name); k++) name = `${m[1]}${['', '', '二', '三', '四', '五', '六', '七', '八', '九'][k] ?? k}期`;
      used.add(name);
      compoundByGrid.set(b.gridKey, { name, communityKey });
    }

    const totalNodes = polygonNodes.length + compoundByGrid.size + geometry.buildings.length;
    const firstNodeId = await reserveBlock(database, tx, 'region_nodes', totalNodes);
    let nextNodeId = firstNodeId;
    const nodes = new Map<string, NodeInfo>();
    const regionRows: unknown[][] = [];
    const historyRows: unknown[][] = [];
    for (const n of polygonNodes) {
      const id = nextNodeId++;
      const parent = n.parentKey ? nodes.get(n.parentKey)! : null;
      const path = childPath(parent?.path ?? null, id);
      const fullName = parent ? (n.level === 'grid' ? parent.fullName : parent.fullName + n.name) : n.name;
      const districtDigits = n.level === 'district' ? n.code.slice(4, 6) : (parent?.districtDigits ?? '01');
      nodes.set(n.key, { id, key: n.key, level: n.level, code: n.code, name: n.name, path, parentKey: n.parentKey, fullName, districtDigits });
      const geo = { type: 'Polygon', coordinates: [n.polygon] };
      const [minX, minY, maxX, maxY] = bboxOf(n.polygon);
      const [cx, cy] = centroidOf(n.polygon);
      regionRows.push([id, cityId, parent?.id ?? null, n.level, n.code, n.name, path, null, null, geo, minX, minY, maxX, maxY, cx, cy, null, VALID_FROM]);
      historyRows.push([cityId, id, geo, VALID_FROM]);
    }
    const city = nodes.get(CITY_CODE)!;

    // ---- units (needed for compounds' property companies) -----------------------------------
    const unitRows: unknown[][] = [];
    const unitsFirst = await reserveBlock(database, tx, 'units', 20_000);
    let nextUnitId = unitsFirst;
    const unitCounters = new Map<string, number>();
    const departmentIds = new Map<string, number>();
    const servingUnitIds: number[] = [];
    const unitsByStreet = new Map<string, number[]>();
    const propertyCompaniesByStreet = new Map<string, number[]>();
    const addUnit = (kind: string, prefix: string, name: string, regionKey: string, address: string | null): number => {
      const id = nextUnitId++;
      const seq = (unitCounters.get(prefix) ?? 0) + 1;
      unitCounters.set(prefix, seq);
      const contactGender = rng() < 0.6 ? 'male' : 'female';
      unitRows.push([id, cityId, kind, name, `${prefix}${pad(seq, 5)}`, nodes.get(regionKey)!.id, chineseName(rng, contactGender), mobilePhone(rng), address]);
      return id;
    };
    for (const d of CITY_DEPARTMENTS) {
      const id = addUnit('department', 'DEP', `遵义市${d}`, CITY_CODE, '遵义市新蒲新区市级行政中心');
      departmentIds.set(d, id);
      servingUnitIds.push(id);
    }
    for (const a of CITY_AGENCIES) servingUnitIds.push(addUnit('agency', 'AGY', a, CITY_CODE, null));
    for (const n of polygonNodes) {
      const info = nodes.get(n.key)!;
      if (n.level === 'district') {
        for (const s of DISTRICT_AGENCY_SUFFIXES) servingUnitIds.push(addUnit('agency', 'AGY', `遵义市${n.name}${s.slice(1)}`, n.key, info.fullName));
      } else if (n.level === 'street') {
        const base = stripSuffix(n.name, '街道');
        const list: number[] = [];
        const nSocial = intBetween(rng, 1, 2);
        for (let k = 0; k < nSocial; k++) list.push(addUnit('social_org', 'SOC', `${base}${SOCIAL_ORG_WORDS[(k + intBetween(rng, 0, 7)) % SOCIAL_ORG_WORDS.length]}`, n.key, info.fullName));
        const pcs: number[] = [];
        for (let k = 0; k < 2; k++) {
          const id = addUnit('property_company', 'PRO', `遵义${pick(rng, PROPERTY_BRANDS)}${base}${pick(rng, PROPERTY_COMPANY_WORDS)}`, n.key, info.fullName);
          pcs.push(id);
          list.push(id);
        }
        propertyCompaniesByStreet.set(n.key, pcs);
        unitsByStreet.set(n.key, list);
      } else if (n.level === 'community') {
        const base = stripSuffix(n.name, '社区');
        const streetUnits = unitsByStreet.get(n.parentKey!)!;
        const nUnits = intBetween(rng, 2, 3);
        for (let k = 0; k < nUnits; k++) {
          const kindRoll = (k + intBetween(rng, 0, 2)) % 3;
          const name =
            kindRoll === 0 ? `遵义市${base}${pick(rng, SCHOOL_WORDS)}` : kindRoll === 1 ? `${base}${pick(rng, HOSPITAL_WORDS)}` : `遵义${pick(rng, PROPERTY_BRANDS)}${pick(rng, COMPANY_WORDS)}`;
          const id = addUnit('resident_unit', 'RES', name, n.key, info.fullName);
          streetUnits.push(id);
          servingUnitIds.push(id);
        }
        const nShops = intBetween(rng, 1, 2);
        for (let k = 0; k < nShops; k++) addUnit('partner_shop', 'SHP', `红城星店·${pickSurname(rng)}记${pick(rng, SHOP_WORDS)}`, n.key, `${info.fullName}${base}${intBetween(rng, 1, 180)}号`);
      }
    }
    if (nextUnitId - unitsFirst > 20_000) throw new Error('unit id block too small');

    // ---- compounds and buildings ------------------------------------------------------------
    const compoundIdByGrid = new Map<string, number>();
    for (const n of polygonNodes) {
      if (n.level !== 'grid') continue;
      const c = compoundByGrid.get(n.key);
      if (!c) continue;
      const id = nextNodeId++;
      const community = nodes.get(c.communityKey)!;
      const streetKey = community.parentKey!;
      const propertyCompanyId = pick(rng, propertyCompaniesByStreet.get(streetKey)!);
      const ring = shrinkRing(n.polygon, 0.94);
      const geo = { type: 'Polygon', coordinates: [ring] };
      const [minX, minY, maxX, maxY] = bboxOf(ring);
      const [cx, cy] = centroidOf(ring);
      const code = `${n.code}000`;
      const path = childPath(community.path, id);
      nodes.set(`compound:${n.key}`, { id, key: `compound:${n.key}`, level: 'compound', code, name: c.name, path, parentKey: c.communityKey, fullName: community.fullName, districtDigits: community.districtDigits });
      regionRows.push([id, cityId, community.id, 'compound', code, c.name, path, null, propertyCompanyId, geo, minX, minY, maxX, maxY, cx, cy, `${community.fullName} ${c.name}`, VALID_FROM]);
      historyRows.push([cityId, id, geo, VALID_FROM]);
      compoundIdByGrid.set(n.key, id);
    }

    const grids: GridInfo[] = [];
    const gridByKey = new Map<string, GridInfo>();
    for (const n of polygonNodes) {
      if (n.level !== 'grid') continue;
      const g: GridInfo = { node: nodes.get(n.key)!, communityKey: n.parentKey!, orgId: 0, buildings: [] };
      grids.push(g);
      gridByKey.set(n.key, g);
    }
    const bghRows: unknown[][] = [];
    for (const b of geometry.buildings) {
      const grid = gridByKey.get(b.gridKey)!;
      const id = nextNodeId++;
      const path = childPath(grid.node.path, id);
      const compoundId = compoundIdByGrid.get(b.gridKey) ?? null;
      const address = `${grid.node.fullName} ${b.name}`;
      const [lng, lat] = b.point;
      regionRows.push([id, cityId, grid.node.id, 'building', b.code, b.name, path, compoundId, null, { type: 'Point', coordinates: [lng, lat] }, lng, lat, lng, lat, lng, lat, address, VALID_FROM]);
      bghRows.push([cityId, id, grid.node.id, VALID_FROM]);
      grid.buildings.push({ id, code: b.code, name: b.name, path, address, districtDigits: grid.node.districtDigits, groupOrgId: null });
    }
    if (nextNodeId - firstNodeId !== totalNodes) throw new Error('region id accounting is off');

    progress('regions', 0, regionRows.length);
    await insertRows(database, tx, T.regionNodes, regionRows, 2000);
    await insertRows(database, tx, T.geometryHistory, historyRows, 2000);
    await insertRows(database, tx, T.buildingGridHistory, bghRows);
    add('region_nodes', regionRows.length);
    add('region_geometry_history', historyRows.length);
    add('building_grid_history', bghRows.length);
    for (const level of ['district', 'street', 'community', 'compound', 'grid', 'building']) add(`region_nodes.${level}`, 0);
    for (const r of regionRows) counts[`region_nodes.${r[3] as string}`] = (counts[`region_nodes.${r[3] as string}`] ?? 0) + 1;
    progress('regions', regionRows.length, regionRows.length);

    await insertRows(database, tx, T.units, unitRows);
    add('units', unitRows.length);
    progress('units', unitRows.length, unitRows.length);

    // ---- party organisation tree (structural part) -----------------------------------------
    const orgRows: unknown[][] = [];
    const committeeRows: unknown[][] = [];
    const nBuildingGroups = Math.ceil(geometry.buildings.length / 4) + 10;
    const orgBlock = polygonNodes.length + nBuildingGroups;
    const orgFirst = await reserveBlock(database, tx, 'party_organizations', orgBlock);
    let nextOrgId = orgFirst;
    const orgByNodeKey = new Map<string, number>();
    const secretary = () => chineseName(rng, rng() < 0.6 ? 'male' : 'female', 1975);
    for (const n of polygonNodes) {
      const info = nodes.get(n.key)!;
      if (n.level === 'street') {
        const id = nextOrgId++;
        const sec = secretary();
        orgRows.push([id, cityId, null, 'street_party_committee', `中共${nodes.get(n.parentKey!)!.name}委${n.name}工作委员会`, `P${n.code}`, info.id, null, sec]);
        orgByNodeKey.set(n.key, id);
        committeeRows.push([cityId, id, sec, POSITIONS_FULL[0], null, 'no']);
        committeeRows.push([cityId, id, secretary(), POSITIONS_FULL[1], null, 'no']);
        const partTimeCandidates = [...(unitsByStreet.get(n.key) ?? []).filter(() => rng() < 0.5), ...[...departmentIds.values()].filter(() => rng() < 0.15)];
        const nPart = intBetween(rng, 1, 3);
        for (let k = 0; k < nPart; k++) {
          const unitId = partTimeCandidates.length ? partTimeCandidates[(k * 7 + intBetween(rng, 0, 5)) % partTimeCandidates.length] : pick(rng, servingUnitIds);
          committeeRows.push([cityId, id, secretary(), '兼职委员', unitId, 'yes']);
        }
      } else if (n.level === 'community') {
        const id = nextOrgId++;
        orgRows.push([id, cityId, orgByNodeKey.get(n.parentKey!)!, 'community_party_org', `中共${n.name}委员会`, `P${n.code}`, info.id, null, secretary()]);
        orgByNodeKey.set(n.key, id);
      } else if (n.level === 'grid') {
        const id = nextOrgId++;
        const community = nodes.get(n.parentKey!)!;
        orgRows.push([id, cityId, orgByNodeKey.get(n.parentKey!)!, 'grid_party_org', `${community.name}${n.name}党支部`, `P${n.code}`, info.id, null, secretary()]);
        orgByNodeKey.set(n.key, id);
        gridByKey.get(n.key)!.orgId = id;
      }
    }
    let groups = 0;
    for (const g of grids) {
      for (const b of g.buildings) {
        if (rng() < 0.25 && groups < nBuildingGroups) {
          const id = nextOrgId++;
          groups++;
          b.groupOrgId = id;
          orgRows.push([id, cityId, g.orgId, 'building_party_group', `${g.node.fullName.replace(/^遵义市.+?区.+?街道/, '')}${b.name}党小组`, `P${b.code}`, b.id, null, secretary()]);
        }
      }
    }
    if (nextOrgId - orgFirst > orgBlock) throw new Error('party organisation id block too small');
    await insertRows(database, tx, T.partyOrganizations, orgRows);
    await insertRows(database, tx, T.partyCommitteeMembers, committeeRows);
    add('party_organizations', orgRows.length);
    add('party_committee_members', committeeRows.length);
    progress('party_organizations', orgRows.length, orgRows.length);

    // ---- demo account targets -------------------------------------------------------------
    const polygonByKey = new Map(polygonNodes.map((n) => [n.key, n.polygon] as const));
    const gridIndex = new GridIndex<number>(grids.map((g, i) => ({ id: i, code: g.node.code, polygon: polygonByKey.get(g.node.key)! })));
    const homeGridIdx = gridIndex.locate(DEMO_GRID_POINT[0], DEMO_GRID_POINT[1]);
    if (homeGridIdx === null) throw new Error('the demo point lies outside every generated grid');
    const homeGrid = grids[homeGridIdx];
    const homeCommunity = nodes.get(homeGrid.communityKey)!;
    const homeStreet = nodes.get(homeCommunity.parentKey!)!;
    const homeDistrict = nodes.get(homeStreet.parentKey!)!;
    const otherGrid =
      grids.find((g) => g.communityKey !== homeGrid.communityKey && nodes.get(g.communityKey)!.parentKey === homeStreet.key) ??
      grids.find((g) => g.communityKey !== homeGrid.communityKey)!;
    const homeBuilding = homeGrid.buildings[0];
    let homeLinkId: number | null = null;

    // ---- households, residents, party members, links (grid batch by grid batch) -------------
    const usedIdPrefixes = new Set<string>();
    const totalBuildings = geometry.buildings.length;
    let buildingsDone = 0;
    const batchTarget = scale === 'small' ? 1000 : 400;
    for (let gi = 0; gi < grids.length; ) {
      const batch: GridInfo[] = [];
      let nb = 0;
      while (gi < grids.length && nb < batchTarget) {
        batch.push(grids[gi]);
        nb += grids[gi].buildings.length;
        gi++;
      }
      await seedPeopleBatch(batch);
      buildingsDone += nb;
      progress('people', buildingsDone, totalBuildings);
    }

    async function seedPeopleBatch(batch: GridInfo[]): Promise<void> {
      // Plan everything first so the id blocks can be reserved with exact sizes.
      interface HH {
        building: BuildingInfo;
        grid: GridInfo;
        code: string;
        door: string;
        people: PersonPlan[];
        floating: boolean;
        lowIncome: boolean;
      }
      const hhs: HH[] = [];
      for (const g of batch) {
        for (const b of g.buildings) {
          const n = scale === 'zunyi' ? intBetween(rng, 4, 10) : intBetween(rng, 6, 14);
          const unitsInBuilding = n > 8 ? 2 : 1;
          const perUnit = Math.ceil(n / unitsInBuilding);
          for (let k = 0; k < n; k++) {
            const unit = Math.floor(k / perUnit) + 1;
            const j = k % perUnit;
            const door = `${unit}单元${Math.floor(j / 2) + 1}0${(j % 2) + 1}`;
            hhs.push({ building: b, grid: g, code: `${b.code}${pad(k + 1, 4)}`, door, people: planHousehold(rng), floating: rng() < 0.08, lowIncome: rng() < 0.025 });
          }
        }
      }
      const nResidents = hhs.reduce((s, h) => s + h.people.length, 0);
      const hhFirst = await reserveBlock(database, tx, 'households', hhs.length);
      const resFirst = await reserveBlock(database, tx, 'residents', nResidents);
      const householdRows: unknown[][] = [];
      const residentRows: unknown[][] = [];
      const tagRows: unknown[][] = [];
      interface PM {
        residentId: number;
        name: string;
        phone: string;
        enc: string;
        hash: string;
        orgId: number;
        orgPath: string;
        serving: boolean;
        joined: string;
        householdIdx: number;
      }
      const pms: PM[] = [];
      const headResidentIdOf: number[] = [];
      let resId = resFirst;
      hhs.forEach((h, idx) => {
        const hhId = hhFirst + idx;
        let headPhone = '';
        h.people.forEach((p, k) => {
          const id = resId++;
          const birth = birthDateFor(rng, p.age);
          const name = chineseName(rng, p.gender, birth.year);
          const phone = p.age >= 14 ? mobilePhone(rng) : null;
          if (k === 0) {
            headPhone = phone ?? mobilePhone(rng);
            headResidentIdOf.push(id);
          }
          // 18-digit ID: 5203 + district + birth date + sequence (odd: male, even: female) + check digit.
          const prefix = `5203${h.building.districtDigits}${birth.compact}`;
          let seq = intBetween(rng, 0, 499) * 2 + (p.gender === 'male' ? 1 : 0);
          while (usedIdPrefixes.has(prefix + pad(seq, 3))) seq = (seq + 2) % 1000;
          const first17 = prefix + pad(seq, 3);
          usedIdPrefixes.add(first17);
          const idNumber = first17 + idNumberCheckDigit(first17);
          const enc = cipher.encrypt(idNumber);
          const hash = cipher.searchHash(idNumber);
          residentRows.push([id, cityId, hhId, h.building.path, name, p.gender, birth.iso, phone, enc, hash, p.relation, k === 0]);
          // tags
          if (h.people.length === 1 && p.age >= 70) tagRows.push([cityId, id, 'elderly_living_alone', tagDate(rng)]);
          if (rng() < 0.02) tagRows.push([cityId, id, 'disabled', tagDate(rng)]);
          if (h.floating) tagRows.push([cityId, id, 'floating_population', tagDate(rng)]);
          if (h.lowIncome) tagRows.push([cityId, id, 'low_income', tagDate(rng)]);
          if (p.gender === 'male' && p.age >= 38 && p.age <= 85 && rng() < 0.04) tagRows.push([cityId, id, 'veteran', tagDate(rng)]);
          if (p.age < 16 && rng() < 0.08) tagRows.push([cityId, id, 'left_behind_child', tagDate(rng)]);
          // party membership: ~12% of adults (Zunyi: 100,000+ party members)
          if (p.age >= 18 && rng() < 0.12) {
            const inGroup = h.building.groupOrgId !== null && rng() < 0.6;
            const joinAge = intBetween(rng, 18, Math.max(18, Math.min(p.age, 45)));
            const joined = isoDay(Date.UTC(birth.year + joinAge, intBetween(rng, 0, 11), intBetween(rng, 1, 28)));
            pms.push({
              residentId: id,
              name,
              phone: phone ?? headPhone,
              enc,
              hash,
              orgId: inGroup ? h.building.groupOrgId! : h.grid.orgId,
              orgPath: inGroup ? h.building.path : h.grid.node.path,
              serving: p.age < 60 && rng() < 0.58,
              joined: joined > '2024-06-01' ? '2024-06-01' : joined,
              householdIdx: idx,
            });
          }
        });
        householdRows.push([hhId, cityId, h.building.id, h.building.path, h.code, h.door, `${h.building.address}${h.door}`, headPhone]);
      });

      // party members and 1+N links
      const pmFirst = await reserveBlock(database, tx, 'party_members', pms.length);
      const pmRows: unknown[][] = [];
      const pmLinkRows: unknown[][] = [];
      const hhRangeOfGrid = new Map<GridInfo, [number, number]>();
      hhs.forEach((h, idx) => {
        const r = hhRangeOfGrid.get(h.grid);
        if (r) r[1] = idx + 1;
        else hhRangeOfGrid.set(h.grid, [idx, idx + 1]);
      });
      pms.forEach((pm, k) => {
        const id = pmFirst + k;
        const servingUnit = pm.serving ? pick(rng, servingUnitIds) : null;
        pmRows.push([id, cityId, pm.residentId, pm.name, pm.phone, pm.enc, pm.hash, pm.orgId, pm.orgPath, pm.serving, servingUnit, pm.joined]);
        const [lo, hi] = hhRangeOfGrid.get(hhs[pm.householdIdx].grid)!;
        const n = Math.min(intBetween(rng, 1, 5), hi - lo);
        const chosen = new Set<number>();
        for (let tries = 0; chosen.size < n && tries < 20; tries++) {
          const idx = lo + Math.floor(rng() * (hi - lo));
          if (idx !== pm.householdIdx || hi - lo === 1) chosen.add(idx);
        }
        for (const idx of chosen) pmLinkRows.push([cityId, id, hhFirst + idx]);
      });

      // 党员中心户: up to two party members' households per grid
      const pmhOrgRows: unknown[][] = [];
      const pmhCount = new Map<GridInfo, number>();
      const pmhDone = new Set<number>();
      const pmhPlanned: { pm: PM; h: HH }[] = [];
      for (const pm of pms) {
        const h = hhs[pm.householdIdx];
        const c = pmhCount.get(h.grid) ?? 0;
        if (c >= 2 || pmhDone.has(pm.householdIdx)) continue;
        pmhCount.set(h.grid, c + 1);
        pmhDone.add(pm.householdIdx);
        pmhPlanned.push({ pm, h });
      }
      const pmhFirst = await reserveBlock(database, tx, 'party_organizations', pmhPlanned.length);
      pmhPlanned.forEach(({ pm, h }, k) => {
        pmhOrgRows.push([pmhFirst + k, cityId, h.building.groupOrgId ?? h.grid.orgId, 'party_member_household', `${pm.name}党员中心户`, `P${h.code}`, h.building.id, hhFirst + pm.householdIdx, pm.name]);
      });

      // 十联户: groups of ~10 consecutive households of a grid
      const linkPlans: { grid: GridInfo; members: number[] }[] = [];
      for (const [g, [lo, hi]] of hhRangeOfGrid) {
        const n = hi - lo;
        const nGroups = Math.max(1, Math.round(n / 10));
        for (let k = 0; k < nGroups; k++) {
          const a = lo + Math.floor((k * n) / nGroups);
          const b = lo + Math.floor(((k + 1) * n) / nGroups);
          const members: number[] = [];
          for (let i = a; i < b; i++) members.push(i);
          linkPlans.push({ grid: g, members });
        }
      }
      const linkFirst = await reserveBlock(database, tx, 'household_links', linkPlans.length);
      const linkRows: unknown[][] = [];
      const linkMemberRows: unknown[][] = [];
      const partyHouseholds = new Set(pms.map((pm) => pm.householdIdx));
      const linkNoInGrid = new Map<GridInfo, number>();
      linkPlans.forEach((plan, k) => {
        const id = linkFirst + k;
        const no = (linkNoInGrid.get(plan.grid) ?? 0) + 1;
        linkNoInGrid.set(plan.grid, no);
        const headIdx = plan.members.find((i) => partyHouseholds.has(i)) ?? plan.members[0];
        const community = nodes.get(plan.grid.communityKey)!;
        linkRows.push([id, cityId, `${community.name}${plan.grid.node.name}第${no}联户`, plan.grid.node.id, plan.grid.node.path, headResidentIdOf[headIdx], null]);
        plan.members.forEach((i, position) => linkMemberRows.push([cityId, id, hhFirst + i, position]));
        if (plan.grid === homeGrid && homeLinkId === null && hhs[plan.members[0]].building === homeBuilding) homeLinkId = id;
      });

      await insertRows(database, tx, T.households, householdRows);
      await insertRows(database, tx, T.residents, residentRows);
      await insertRows(database, tx, T.residentTags, tagRows);
      await insertRows(database, tx, T.partyMembers, pmRows);
      await insertRows(database, tx, T.pmHouseholdLinks, pmLinkRows);
      await insertRows(database, tx, T.partyOrganizations, pmhOrgRows);
      await insertRows(database, tx, T.householdLinks, linkRows);
      await insertRows(database, tx, T.householdLinkMembers, linkMemberRows);
      add('households', householdRows.length);
      add('residents', residentRows.length);
      add('resident_tags', tagRows.length);
      add('party_members', pmRows.length);
      add('party_member_household_links', pmLinkRows.length);
      add('party_organizations', pmhOrgRows.length);
      add('household_links', linkRows.length);
      add('household_link_members', linkMemberRows.length);
    }

    // ---- users and role assignments -------------------------------------------------------
    interface UserPlan {
      username: string;
      displayName: string;
      role: Role;
      regionNodeId: number | null;
      unitId: number | null;
      scopeName: string;
      admin: boolean;
      note?: string;
      demo: boolean;
    }
    const person = () => chineseName(rng, rng() < 0.5 ? 'male' : 'female', 1985);
    const communityOf = (g: GridInfo) => nodes.get(g.communityKey)!;
    const plans: UserPlan[] = [
      { username: 'gridworker', role: 'grid_worker', regionNodeId: homeGrid.node.id, unitId: null, scopeName: `${homeCommunity.name}${homeGrid.node.name}`, admin: false, demo: true, displayName: person(), note: `grid ${homeGrid.node.code}, contains ${DEMO_GRID_POINT.join(',')}` },
      { username: 'gridworker2', role: 'grid_worker', regionNodeId: otherGrid.node.id, unitId: null, scopeName: `${communityOf(otherGrid).name}${otherGrid.node.name}`, admin: false, demo: true, displayName: person(), note: `grid ${otherGrid.node.code}, another community` },
      { username: 'gridhead', role: 'grid_head', regionNodeId: homeGrid.node.id, unitId: null, scopeName: `${homeCommunity.name}${homeGrid.node.name}`, admin: false, demo: true, displayName: person() },
      { username: 'buildinghead', role: 'building_head', regionNodeId: homeBuilding.id, unitId: null, scopeName: homeBuilding.address, admin: false, demo: true, displayName: person() },
      { username: 'linkhead', role: 'household_link_head', regionNodeId: homeBuilding.id, unitId: null, scopeName: homeBuilding.address, admin: false, demo: true, displayName: person(), note: 'head of the first household link of that building' },
      { username: 'dispatcher', role: 'dispatcher', regionNodeId: homeCommunity.id, unitId: null, scopeName: homeCommunity.fullName, admin: false, demo: true, displayName: person(), note: 'community party secretary' },
      { username: 'street', role: 'street_officer', regionNodeId: homeStreet.id, unitId: null, scopeName: homeStreet.fullName, admin: false, demo: true, displayName: person() },
      { username: 'water', role: 'department_staff', regionNodeId: null, unitId: departmentIds.get('水务局')!, scopeName: '遵义市水务局', admin: false, demo: true, displayName: person() },
      { username: 'district', role: 'district_admin', regionNodeId: homeDistrict.id, unitId: null, scopeName: homeDistrict.fullName, admin: true, demo: true, displayName: person(), note: 'TOTP' },
      { username: 'orgdept', role: 'organization_officer', regionNodeId: city.id, unitId: null, scopeName: CITY_NAME, admin: false, demo: true, displayName: person(), note: 'command centre' },
      { username: 'cityadmin', role: 'city_admin', regionNodeId: city.id, unitId: null, scopeName: CITY_NAME, admin: true, demo: true, displayName: person(), note: 'TOTP' },
      { username: 'sysadmin', role: 'system_admin', regionNodeId: city.id, unitId: null, scopeName: CITY_NAME, admin: true, demo: true, displayName: person(), note: 'TOTP' },
      { username: 'secadmin', role: 'security_admin', regionNodeId: city.id, unitId: null, scopeName: CITY_NAME, admin: true, demo: true, displayName: person(), note: 'TOTP' },
      { username: 'auditadmin', role: 'audit_admin', regionNodeId: city.id, unitId: null, scopeName: CITY_NAME, admin: true, demo: true, displayName: person(), note: 'TOTP' },
    ];
    for (const g of grids.slice(0, 20)) {
      plans.push({ username: `gw${g.node.code}`, role: 'grid_worker', regionNodeId: g.node.id, unitId: null, scopeName: `${communityOf(g).name}${g.node.name}`, admin: false, demo: false, displayName: person() });
    }
    const userFirst = await reserveBlock(database, tx, 'users', plans.length);
    const userRows: unknown[][] = [];
    const roleRows: unknown[][] = [];
    plans.forEach((p, k) => {
      userRows.push([userFirst + k, cityId, p.username, p.displayName, mobilePhone(rng), passwordHash, p.admin ? totpEncrypted : null, p.admin]);
      roleRows.push([cityId, userFirst + k, p.role, p.regionNodeId, p.unitId]);
    });
    await insertRows(database, tx, T.users, userRows);
    await insertRows(database, tx, T.roleAssignments, roleRows);
    add('users', userRows.length);
    add('role_assignments', roleRows.length);
    const linkheadUserId = userFirst + plans.findIndex((p) => p.username === 'linkhead');
    if (homeLinkId !== null) await tx.execute(sql`UPDATE household_links SET head_user_id = ${linkheadUserId} WHERE id = ${homeLinkId}`);
    progress('users', userRows.length, userRows.length);

    const accounts: DemoAccount[] = plans.filter((p) => p.demo).map((p) => ({ username: p.username, role: p.role, scopeName: p.scopeName, ...(p.note ? { note: p.note } : {}) }));
    accounts.push({ username: `gw${grids[0].node.code}`, role: 'grid_worker', scopeName: plans[13]?.scopeName ?? '', note: `one of ${Math.min(20, grids.length)} grid workers gw<grid code> on the first grids` });
    return { cityId, accounts };
  });

  if (database.engine === 'postgres') {
    progress('analyze', 0, 1);
    await database.db.execute(sql`ANALYZE`);
    progress('analyze', 1, 1);
  }
  return { cityId: result.cityId, accounts: result.accounts, counts, totpSecret: DEMO_TOTP_SECRET };
}
