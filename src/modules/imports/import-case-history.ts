/**
 * 历史工单导入: a city moving from another hotline system brings its past cases, so that they count in
 * every figure like native ones — and honestly: a time the old system did not record stays empty.
 *
 * Runs inside the import-job framework (import.service.ts): cells were parsed by the field validators
 * (case-history-fields.ts); here every row is placed (coordinates → grid by point-in-polygon, or an
 * address → a building, or a region's name), its category, departments and status words resolved and
 * its times checked, all before anything is written; then cases, summonses and one 'imported' event per
 * case go in with the job's single transaction. The metric triggers count them in that transaction.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { bulkInsert, reserveIds } from '../../db/bulk.ts';
import { caseSummonses } from '../../db/schema/index.ts';
import { AppError } from '../../shared/errors.ts';
import type { CaseStatus } from '../cases/case-lifecycle.ts';
import { toWgs84 } from '../geography/coordinates.ts';
import { geoCacheOf } from '../geography/geography.service.ts';
import { isCaseStatus, normaliseWord, statusTable } from './case-history-fields.ts';
import type { CoordinateSystem } from './import-kinds.ts';
import { distinct, lookup, type JobContext, type ParsedRow, type RowChecker, type StartImportInput } from './import.service.ts';

export interface CaseHistoryOptions {
  /** The old system's words for a state → a lifecycle status, on top of the default table. */
  statusMap?: Record<string, CaseStatus>;
  /** Put before the old system's number (default 'LS-'), so imported numbers never meet native ones. */
  numberPrefix?: string;
}

export const DEFAULT_NUMBER_PREFIX = 'LS-';
/** A building found by coordinates counts only when this close and in the same grid (as at intake). */
const NEAR_BUILDING_METERS = 50;
/** Clocks differ: a receiving time up to five minutes ahead is not "in the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

const invalid = (message: string, details?: unknown) => new AppError('validation_failed', message, details);

/** Checks the request's `options` for a case_history import (400 on anything unknown or malformed). */
export function caseHistoryOptions(raw: Record<string, unknown> | null | undefined): CaseHistoryOptions {
  const options: CaseHistoryOptions = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (key === 'statusMap') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('statusMap 应为 { 原状态: 状态 } 对象 / statusMap must be an object { word: status }');
      const map: Record<string, CaseStatus> = {};
      for (const [word, status] of Object.entries(value as Record<string, unknown>)) {
        if (word.trim() === '' || word.length > 50) throw invalid('statusMap 的原状态应为 1–50 个字符 / statusMap words must have 1–50 characters', { word });
        if (!isCaseStatus(status)) throw invalid(`statusMap 中“${word}”对应的状态无效 / statusMap: "${word}" maps to an unknown status`, { word, status });
        map[word] = status;
      }
      options.statusMap = map;
    } else if (key === 'numberPrefix') {
      if (typeof value !== 'string' || !/^[A-Za-z0-9_\-\u4e00-\u9fff]{0,20}$/.test(value)) {
        throw invalid('numberPrefix 应为不超过 20 个字母、数字、汉字或 - _ / numberPrefix must be up to 20 letters, digits, Chinese characters, - or _', { numberPrefix: value });
      }
      options.numberPrefix = value;
    } else throw invalid(`未知的选项“${key}” / Unknown option "${key}" (statusMap, numberPrefix)`, { option: key });
  }
  return options;
}

interface Place {
  regionPath: string;
  gridId: number | null;
  buildingId: number | null;
}

interface ReadyCase {
  row: ParsedRow;
  number: string;
  place: Place;
  lng: number | null;
  lat: number | null;
  status: CaseStatus;
  categoryId: number | null;
  color: string;
  departmentIds: number[];
  title: string;
  description: string;
  createdAt: Date;
  dispatchedAt: Date | null;
  contactedAt: Date | null;
  contactDueAt: Date | null;
  repliedAt: Date | null;
  closedAt: Date | null;
  overdue: boolean;
}

const caseColumns: Array<[string, string]> = [
  ['id', 'bigint'], ['city_id', 'bigint'], ['number', 'text'], ['tracking_token', 'text'], ['channel', 'text'], ['status', 'text'], ['holder_level', 'text'],
  ['category_id', 'bigint'], ['triage_color', 'text'], ['title', 'text'], ['description', 'text'], ['region_path', 'text'], ['grid_id', 'bigint'],
  ['building_id', 'bigint'], ['lng', 'double precision'], ['lat', 'double precision'], ['address', 'text'], ['created_by', 'bigint'], ['rating_resolved', 'boolean'],
  ['rating_satisfaction', 'text'], ['overdue', 'boolean'], ['dispatched_at', 'timestamptz'], ['contacted_at', 'timestamptz'], ['contact_due_at', 'timestamptz'],
  ['replied_at', 'timestamptz'], ['closed_at', 'timestamptz'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];
const caseColumnList = sql.raw(caseColumns.map(([name]) => name).join(', '));
const caseColumnTypes = sql.raw(caseColumns.map(([name, type]) => `${name} ${type}`).join(', '));

const compact = (text: string) => text.replace(/\s+/g, '');
const splitNames = (text: string) => [...new Set(text.split(/[、,，;；]/).map((part) => part.trim()).filter(Boolean))];
const OPEN_STATUSES = new Set<CaseStatus>(['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated']);

export async function prepareCaseHistory(job: JobContext, rows: ParsedRow[], check: RowChecker, input: StartImportInput) {
  const { database } = job.context;
  const options = (input.options ?? {}) as CaseHistoryOptions;
  const prefix = options.numberPrefix ?? DEFAULT_NUMBER_PREFIX;
  const statuses = statusTable(options.statusMap);

  // Categories and departments of the city: small tables, read whole.
  const categoryRows = await database.rows<{ id: number; code: string; name: string; default_color: string }>(
    sql`SELECT id, code, name, default_color FROM case_categories WHERE city_id = ${job.cityId} ORDER BY id`,
  );
  const categoryByKey = new Map<string, { id: number; name: string; color: string }>();
  for (const c of categoryRows) {
    const value = { id: Number(c.id), name: c.name, color: c.default_color };
    categoryByKey.set(normaliseWord(c.code), value);
    if (!categoryByKey.has(normaliseWord(c.name))) categoryByKey.set(normaliseWord(c.name), value);
  }
  const departmentRows = await database.rows<{ id: number; code: string; name: string }>(
    sql`SELECT id, code, name FROM units WHERE city_id = ${job.cityId} AND kind = 'department' ORDER BY id`,
  );
  const departmentByKey = new Map<string, number[]>();
  for (const d of departmentRows) {
    for (const key of new Set([normaliseWord(d.name), normaliseWord(d.code)])) departmentByKey.set(key, [...(departmentByKey.get(key) ?? []), Number(d.id)]);
  }

  // Places by address: buildings whose address is written the same (spaces aside), else a region node's name.
  const addresses = distinct(rows, 'address', (value) => compact(value as string));
  const buildingsByAddress = new Map<string, Array<{ id: number; path: string; grid: number }>>();
  for (const b of await lookup<{ id: number; path: string; parent_id: number; address_key: string }>(
    job,
    addresses,
    (chunk) => sql`SELECT id, path, parent_id, regexp_replace(address, '\\s+', '', 'g') AS address_key FROM region_nodes
                   WHERE city_id = ${job.cityId} AND level = 'building' AND valid_to IS NULL AND regexp_replace(address, '\\s+', '', 'g') IN ${chunk}`,
  )) {
    const list = buildingsByAddress.get(b.address_key) ?? [];
    list.push({ id: Number(b.id), path: b.path, grid: Number(b.parent_id) });
    buildingsByAddress.set(b.address_key, list);
  }
  const regionsByName = new Map<string, Array<{ id: number; path: string; level: string }>>();
  for (const r of await lookup<{ id: number; path: string; level: string; name_key: string }>(
    job,
    addresses,
    (chunk) => sql`SELECT id, path, level, regexp_replace(name, '\\s+', '', 'g') AS name_key FROM region_nodes
                   WHERE city_id = ${job.cityId} AND level IN ('district', 'street', 'community', 'grid') AND valid_to IS NULL AND regexp_replace(name, '\\s+', '', 'g') IN ${chunk}`,
  )) {
    const list = regionsByName.get(r.name_key) ?? [];
    list.push({ id: Number(r.id), path: r.path, level: r.level });
    regionsByName.set(r.name_key, list);
  }

  // Places by coordinates: the city's grid index (point-in-polygon with the shared-edge rule), as at intake.
  const hasPoints = rows.some((row) => row.values.lng !== undefined && row.values.lat !== undefined);
  const indexes = hasPoints ? await geoCacheOf(job.context).forCity(job.cityId) : null;
  const located = new Map<ParsedRow, { gridId: number | null; buildingId: number | null; lng: number; lat: number }>();
  if (indexes) {
    for (const row of rows) {
      const { lng, lat, crs } = row.values as { lng?: number; lat?: number; crs?: CoordinateSystem };
      if (lng === undefined || lat === undefined) continue;
      const [x, y] = toWgs84(lng, lat, crs ?? 'wgs84');
      const near = indexes.buildings.nearest(x, y, NEAR_BUILDING_METERS);
      located.set(row, { gridId: indexes.grids.locate(x, y), buildingId: near && near.distanceMeters <= NEAR_BUILDING_METERS ? near.id : null, lng: x, lat: y });
    }
  }
  const nodeIds = new Set<string>();
  for (const place of located.values()) {
    if (place.gridId !== null) nodeIds.add(String(place.gridId));
    if (place.buildingId !== null) nodeIds.add(String(place.buildingId));
  }
  const nodesById = new Map<number, { path: string; parent: number | null }>();
  for (const n of await lookup<{ id: number; path: string; parent_id: number | null }>(
    job,
    [...nodeIds],
    (chunk) => sql`SELECT id, path, parent_id FROM region_nodes WHERE city_id = ${job.cityId} AND id IN ${chunk.map(Number)}`,
  )) {
    nodesById.set(Number(n.id), { path: n.path, parent: n.parent_id === null ? null : Number(n.parent_id) });
  }

  // Numbers: the old system's, prefixed; unique in the file and against the city's cases.
  const numberOf = (row: ParsedRow) => (row.values.number !== undefined ? `${prefix}${row.values.number as string}` : `${prefix}${job.jobId}-${row.line}`);
  const taken = new Set(
    (
      await lookup<{ number: string }>(
        job,
        [...new Set(rows.map(numberOf))],
        (chunk) => sql`SELECT number FROM cases WHERE city_id = ${job.cityId} AND number IN ${chunk}`,
      )
    ).map((r) => r.number),
  );
  check.duplicates(rows, 'number', '原工单编号');

  const now = Date.now();
  const ready: ReadyCase[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = row.values;
    const number = numberOf(row);
    if (taken.has(number)) check.error(row, v.number !== undefined ? 'number' : null, `工单编号 ${number} 已存在 / Case number ${number} already exists`);

    // Where: coordinates first (the more precise), else the address.
    let place: Place | null = null;
    const point = located.get(row) ?? null;
    if (point) {
      const grid = point.gridId === null ? undefined : nodesById.get(point.gridId);
      if (!grid) check.error(row, 'lng', '坐标不在本市任何网格内 / The point is outside every grid of the city');
      else {
        const building = point.buildingId === null ? undefined : nodesById.get(point.buildingId);
        place = building && building.parent === point.gridId ? { regionPath: building.path, gridId: point.gridId, buildingId: point.buildingId } : { regionPath: grid.path, gridId: point.gridId, buildingId: null };
      }
    } else if (v.lng !== undefined || v.lat !== undefined) {
      check.error(row, v.lng === undefined ? 'lng' : 'lat', '经度和纬度须同时填写 / Give both longitude and latitude');
    } else if (v.address !== undefined) {
      const key = compact(v.address as string);
      const buildings = buildingsByAddress.get(key) ?? [];
      const regions = regionsByName.get(key) ?? [];
      if (buildings.length === 1) place = { regionPath: buildings[0].path, gridId: buildings[0].grid, buildingId: buildings[0].id };
      else if (buildings.length > 1) {
        check.error(row, 'address', `地址对应 ${buildings.length} 个楼栋，请提供经纬度 / The address matches ${buildings.length} buildings; give coordinates`);
      } else if (regions.length === 1) {
        place = { regionPath: regions[0].path, gridId: regions[0].level === 'grid' ? regions[0].id : null, buildingId: null };
      } else if (regions.length > 1) {
        check.error(row, 'address', `名称对应 ${regions.length} 个区域，请写全地址或提供经纬度 / The name matches ${regions.length} regions; give a building address or coordinates`);
      } else {
        check.error(row, 'address', '地址找不到对应的楼栋或区域，请提供经纬度 / No building address or region name matches; give coordinates');
      }
    } else {
      check.error(row, null, '需要地址或经纬度 / A place is needed: an address or longitude and latitude');
    }
    if (place && !job.inScope(place.regionPath)) {
      check.outOfScope(row, point ? 'lng' : 'address');
      place = null;
    }

    // What: category, departments, status and rating.
    let category: { id: number; name: string; color: string } | null = null;
    if (v.category !== undefined) {
      category = categoryByKey.get(normaliseWord(v.category as string)) ?? null;
      if (!category) {
        const known = categoryRows.slice(0, 20).map((c) => c.name).join('、');
        check.error(row, 'category', `未知的诉求类别“${v.category as string}” / Unknown category (known: ${known})`);
      }
    }
    const departmentIds: number[] = [];
    if (v.department !== undefined) {
      for (const name of splitNames(v.department as string)) {
        const found = departmentByKey.get(normaliseWord(name)) ?? [];
        if (found.length === 1) departmentIds.push(found[0]);
        else if (found.length > 1) check.error(row, 'department', `“${name}”对应多个部门，请用部门编码 / "${name}" names several departments; use the department code`);
        else check.error(row, 'department', `未知的承办单位“${name}” / Unknown department "${name}"`);
      }
    }
    const at = (name: string) => (v[name] === undefined ? null : new Date(v[name] as number));
    const createdAt = at('created');
    const dispatched = at('dispatched');
    const contactedAt = at('contacted');
    const contactDueAt = at('contactDue');
    const dueAt = at('due');
    const repliedAt = at('replied');
    const closedAt = at('closed');
    let status: CaseStatus | undefined;
    if (v.status !== undefined) {
      status = statuses.get(normaliseWord(v.status as string));
      if (!status) {
        check.error(row, 'status', `未知的状态“${v.status as string}”，可在状态对照表中补充 / Unknown status word "${v.status as string}"; add it to the status table (options.statusMap)`);
      }
    } else {
      // No state column: what the times say.
      status = closedAt ? 'closed' : repliedAt ? 'replied' : dispatched || contactedAt ? 'in_progress' : 'submitted';
    }
    if (status && closedAt && OPEN_STATUSES.has(status)) {
      check.error(row, 'status', `状态“${(v.status as string | undefined) ?? status}”未办结，却有办结时间 / The status is open but a closing time is given`);
    }

    // When: every later moment after receiving, contact after dispatch, nothing in the future.
    if (createdAt) {
      if (createdAt.getTime() > now + FUTURE_SLACK_MS) check.error(row, 'created', '受理时间晚于现在 / The receiving time is in the future');
      for (const [name, label, value] of [
        ['dispatched', '派单时间', dispatched],
        ['contacted', '联系时间', contactedAt],
        ['contactDue', '联系时限', contactDueAt],
        ['due', '办理时限', dueAt],
        ['replied', '答复时间', repliedAt],
        ['closed', '办结时间', closedAt],
      ] as const) {
        if (value && value.getTime() < createdAt.getTime()) check.error(row, name, `${label}早于受理时间 / ${name} is before the receiving time`);
        if (value && name !== 'contactDue' && name !== 'due' && value.getTime() > now + FUTURE_SLACK_MS) check.error(row, name, `${label}晚于现在 / ${name} is in the future`);
      }
      if (dispatched && contactedAt && contactedAt.getTime() < dispatched.getTime()) check.error(row, 'contacted', '联系时间早于派单时间 / The contact is before the dispatch');
    }

    if (!row.bad && place && createdAt && status) {
      const title = ((v.title as string | undefined) ?? (v.description as string | undefined) ?? category?.name ?? '历史工单').slice(0, 60);
      const finished = closedAt ?? (OPEN_STATUSES.has(status) ? null : repliedAt);
      ready.push({
        row,
        number,
        place,
        lng: point?.lng ?? null,
        lat: point?.lat ?? null,
        status,
        categoryId: category?.id ?? null,
        color: (v.color as string | undefined) ?? category?.color ?? 'yellow',
        departmentIds,
        title,
        description: (v.description as string | undefined) ?? (v.title as string | undefined) ?? '（历史工单，原系统无内容）',
        createdAt,
        // A dispatch the old system recorded; or, when it recorded a contact but no dispatch, the receiving
        // moment (the case was handed on when received). Never invented when neither is known.
        dispatchedAt: dispatched ?? (contactedAt ? createdAt : null),
        contactedAt,
        contactDueAt,
        repliedAt,
        closedAt,
        // Went overdue: finished after its deadline, or still open past it. Unknown without a deadline.
        overdue: dueAt !== null && (finished ?? new Date(now)).getTime() > dueAt.getTime(),
      });
    }
    await check.tick(i, rows.length);
  }
  if (job.errors.length > 0) return async () => ({});

  return async (tx: Tx, progress: (done: number) => void) => {
    const ids = await reserveIds(database, tx, 'cases', ready.length);
    const holderLevel = (c: ReadyCase) => (c.status === 'summoned' ? 'street' : 'grid');
    // A block of 2,000 cases per statement, sent as one JSON parameter (jsonb_to_recordset): a file's
    // worth of row objects and bind parameters at once would hold hundreds of MB in the server.
    const updatedAt = new Date().toISOString();
    const iso = (at: Date | null) => (at ? at.toISOString() : null);
    for (let start = 0; start < ready.length; start += 2000) {
      const block = ready.slice(start, start + 2000).map((c, k) => ({
        id: ids[start + k],
        city_id: job.cityId,
        number: c.number,
        tracking_token: crypto.randomBytes(18).toString('base64url'),
        channel: (c.row.values.channel as string | undefined) ?? 'hotline',
        status: c.status,
        holder_level: holderLevel(c),
        category_id: c.categoryId,
        triage_color: c.color,
        title: c.title,
        description: c.description,
        region_path: c.place.regionPath,
        grid_id: c.place.gridId,
        building_id: c.place.buildingId,
        lng: c.lng,
        lat: c.lat,
        address: (c.row.values.address as string | undefined) ?? null,
        created_by: job.actor.userId,
        rating_resolved: (c.row.values.resolved as boolean | undefined) ?? null,
        rating_satisfaction: (c.row.values.satisfaction as string | undefined) ?? null,
        overdue: c.overdue,
        dispatched_at: iso(c.dispatchedAt),
        contacted_at: iso(c.contactedAt),
        contact_due_at: iso(c.contactDueAt),
        replied_at: iso(c.repliedAt),
        closed_at: iso(c.closedAt),
        created_at: iso(c.createdAt),
        updated_at: updatedAt,
      }));
      await tx.execute(sql`INSERT INTO cases (${caseColumnList}) SELECT ${caseColumnList} FROM jsonb_to_recordset(${JSON.stringify(block)}::jsonb) AS r(${caseColumnTypes})`);
      progress(start + block.length);
    }
    const summonses = ready.flatMap((c, i) =>
      c.departmentIds.map((departmentId) => ({
        cityId: job.cityId,
        caseId: ids[i],
        departmentId,
        summonedBy: null,
        summonedAt: c.dispatchedAt ?? c.createdAt,
        repliedAt: c.repliedAt,
      })),
    );
    await bulkInsert(tx, caseSummonses, summonses);
    // One 'imported' event per case, in one statement.
    await tx.execute(sql`
      INSERT INTO case_events (city_id, case_id, action, to_status, actor_user_id, actor_label, details, is_public)
      SELECT city_id, id, 'imported', status, ${job.actor.userId}::bigint, ${job.actor.displayName}::text,
        jsonb_build_object('importJobId', ${job.jobId}::bigint, 'number', number), false
      FROM cases WHERE city_id = ${job.cityId} AND id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
    const byStatus: Record<string, number> = {};
    for (const c of ready) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    return { inserted: ready.length, cases: ready.length, summonses: summonses.length, byStatus };
  };
}
