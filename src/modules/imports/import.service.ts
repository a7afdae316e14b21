import crypto from 'node:crypto';
import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { bulkInsert, reserveIds } from '../../db/bulk.ts';
import {
  buildingGridHistory,
  households,
  importJobs,
  partyMembers,
  regionGeometryHistory,
  regionNodes,
  residentTagAssignments,
  residents,
  roleAssignments,
  users,
  type RegionLevel,
  type Role,
} from '../../db/schema/index.ts';
import { AppError } from '../../shared/errors.ts';
import { appendAudit, appendAuditAlone } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { checkPasswordPolicy } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/passwords.ts';
import { toWgs84 } from '../geography/coordinates.ts';
import type { Actor } from '../policy/actor.ts';
import { can, mayEver } from '../policy/authorize.ts';
import { roleScopeLevel } from '../policy/policies.ts';
import { childPath } from '../regions/region-path.ts';
import { normaliseAreaGeometry, type AreaGeometry } from './import-geometry.ts';
import { abilityOf, kindSpec, type CoordinateSystem, type ImportKind, type ImportKindSpec, type ImportableLevel } from './import-kinds.ts';
import { caseHistoryOptions, prepareCaseHistory } from './import-case-history.ts';
import type { ScopedRecord } from '../policy/actor.ts';
import { detectFormat, readGeoJson, readTable, type Table } from './read-table.ts';

/** One refused row: its 1-based line in the file (for GeoJSON: the 1-based feature number; 0: the whole file). */
export interface RowError {
  line: number;
  column?: string;
  reason: string;
}

export interface StartImportInput {
  kind: string;
  fileName: string;
  buffer: Buffer;
  /** Target field → source column header. Optional: unmapped fields are matched to headers by name or label. */
  mapping?: Record<string, string> | null;
  /** Restricts the import to this node's subtree (and, for regions, is the default parent of top-level features). */
  regionId?: number | null;
  /** Kind-specific settings (case_history: statusMap, numberPrefix); refused for kinds that have none. */
  options?: Record<string, unknown> | null;
}

/** May the actor import this kind for this record (its policy: import/create, or case_history/import)? */
export function mayImport(actor: Actor, spec: ImportKindSpec, record: ScopedRecord): boolean {
  const ability = abilityOf(spec);
  return ability.resource === 'case_history' ? can(actor, 'case_history', 'import', record) : can(actor, 'import', 'create', record);
}

export function mayImportSomewhere(actor: Actor, spec: ImportKindSpec): boolean {
  const ability = abilityOf(spec);
  return ability.resource === 'case_history' ? mayEver(actor, 'case_history', 'import') : mayEver(actor, 'import', 'create');
}

/** The import pages and jobs: for whoever may import some kind. */
export function requireSomeImport(actor: Actor) {
  if (!mayEver(actor, 'import', 'create') && !mayEver(actor, 'case_history', 'import')) throw new AppError('forbidden', 'Your roles do not allow imports');
}

export type ImportStatus = 'queued' | 'validating' | 'importing' | 'succeeded' | 'failed';

export interface ImportJobView {
  id: number;
  kind: string;
  fileName: string | null;
  status: ImportStatus;
  total: number;
  processed: number;
  errors: RowError[];
  summary: Record<string, unknown> | null;
  createdAt: string;
  finishedAt: string | null;
}

/** Stored errors per job; the count of all errors is kept in the summary. */
export const MAX_STORED_ERRORS = 50_000;
const PROGRESS_EVERY = 1000;
const LOOKUP_CHUNK = 5000;

const running = new Map<number, Promise<void>>();

const today = () => new Date().toISOString().slice(0, 10);
const fail = (message: string, details?: unknown) => new AppError('validation_failed', message, details);

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Header and the first five rows of an upload, for the column-mapping dialog. */
export async function previewTable(buffer: Buffer, fileName: string): Promise<{ headers: string[]; sampleRows: string[][] }> {
  const format = detectFormat(buffer, fileName);
  if (format === 'geojson') {
    const { features } = readGeoJson(buffer);
    const headers: string[] = [];
    for (const feature of features.slice(0, 100)) {
      for (const key of Object.keys(((feature as { properties?: object })?.properties ?? {}) as object)) if (!headers.includes(key)) headers.push(key);
    }
    const sampleRows = features.slice(0, 5).map((feature) => {
      const properties = ((feature as { properties?: Record<string, unknown> })?.properties ?? {}) as Record<string, unknown>;
      return headers.map((key) => (properties[key] === undefined || properties[key] === null ? '' : String(properties[key])));
    });
    return { headers, sampleRows };
  }
  const table = await readTable(buffer, fileName, 1_000_000);
  return { headers: table.headers, sampleRows: table.rows.slice(0, 5).map((row) => table.headers.map((_, i) => row.cells[i] ?? '')) };
}

/**
 * Checks the request, records a queued job and runs it in the background of this process.
 * Request-level problems (unknown kind, wrong file type, empty file, bad mapping) are 400s here;
 * problems in the rows end up in the job's `errors`.
 */
export async function startImport(context: AppContext, actor: Actor, input: StartImportInput): Promise<{ id: number }> {
  const spec = kindSpec(input.kind);
  if (!spec) throw fail(`未知的导入类型“${input.kind}” / Unknown import kind "${input.kind}"`, { kind: input.kind });
  if (!mayImportSomewhere(actor, spec)) throw new AppError('forbidden', `Your roles do not allow importing ${spec.kind.replace('_', ' ')}`);
  const format = detectFormat(input.buffer, input.fileName);
  if (!spec.formats.includes(format)) {
    throw fail(`${spec.kind} 导入需要 ${spec.formats.join('/')} 文件 / A ${spec.kind} import needs a ${spec.formats.join(' or ')} file`, { formats: spec.formats, fileName: input.fileName });
  }
  const mapping = input.mapping ?? {};
  if (typeof mapping !== 'object' || Array.isArray(mapping)) throw fail('mapping 应为对象 / mapping must be an object of target field → column');
  for (const [target, source] of Object.entries(mapping)) {
    if (!spec.fields.some((f) => f.name === target)) {
      throw fail(`未知的目标字段“${target}” / Unknown target field "${target}"`, { field: target, fields: spec.fields.map((f) => f.name) });
    }
    if (typeof source !== 'string') throw fail(`字段“${target}”的源列应为文本 / The source column of "${target}" must be a string`);
  }
  let options: Record<string, unknown> | null = null;
  if (spec.kind === 'case_history') options = { ...caseHistoryOptions(input.options) };
  else if (input.options && Object.keys(input.options).length > 0) throw fail(`${spec.kind} 导入没有选项 / A ${spec.kind} import takes no options`, { options: input.options });
  let scopePath: string | null = null;
  let scopeNodeId: number | null = null;
  if (input.regionId !== undefined && input.regionId !== null) {
    const [node] = await context.database.rows<{ id: number; path: string; city_id: number }>(
      sql`SELECT id, path, city_id FROM region_nodes WHERE id = ${input.regionId}`,
    );
    if (!node || Number(node.city_id) !== actor.cityId) throw new AppError('not_found', 'Region not found', { regionId: input.regionId });
    if (!mayImport(actor, spec, { cityId: actor.cityId, regionPath: node.path })) {
      throw new AppError('forbidden', '无权向该区域导入 / You may not import into this region', { regionId: input.regionId });
    }
    scopePath = node.path;
    scopeNodeId = Number(node.id);
  }
  const [job] = await context.database.db
    .insert(importJobs)
    .values({ cityId: actor.cityId, kind: spec.kind, fileName: input.fileName.slice(0, 255), status: 'queued', createdBy: actor.userId })
    .returning({ id: importJobs.id });
  const id = Number(job.id);
  const run = runJob(context, actor, id, spec, { ...input, mapping, options }, { scopePath, scopeNodeId }).finally(() => running.delete(id));
  running.set(id, run);
  return { id };
}

/** Resolves when the job has finished (immediately if it is not running in this process). For tests and the CLI. */
export async function waitForImport(id: number): Promise<void> {
  await running.get(id);
}

export async function getImport(context: AppContext, actor: Actor, id: number): Promise<ImportJobView> {
  requireSomeImport(actor);
  const [row] = await context.database.db.select().from(importJobs).where(and(eq(importJobs.id, id), eq(importJobs.cityId, actor.cityId)));
  if (!row) throw new AppError('not_found', 'Import job not found', { id });
  return present(row);
}

export async function listImports(context: AppContext, actor: Actor, page = 1, pageSize = 20): Promise<{ items: ImportJobView[]; page: number; pageSize: number; total: number }> {
  requireSomeImport(actor);
  const where = eq(importJobs.cityId, actor.cityId);
  // The list leaves out the (possibly long) error lists: the detail shows them.
  const items = await context.database.db
    .select()
    .from(importJobs)
    .where(where)
    .orderBy(desc(importJobs.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  const [{ total }] = await context.database.db.select({ total: count() }).from(importJobs).where(where);
  return { items: items.map((row) => ({ ...present(row), errors: (row.errors as RowError[]).slice(0, 20) })), page, pageSize, total: Number(total) };
}

function present(row: typeof importJobs.$inferSelect): ImportJobView {
  return {
    id: Number(row.id),
    kind: row.kind,
    fileName: row.fileName,
    status: row.status,
    total: row.total,
    processed: row.processed,
    errors: (row.errors ?? []) as RowError[],
    summary: (row.summary ?? null) as Record<string, unknown> | null,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The job
// ---------------------------------------------------------------------------------------------

interface JobScope {
  scopePath: string | null;
  scopeNodeId: number | null;
}

/** What a kind's preparation hands back: the errors, or a writer for the validated rows. */
interface Prepared {
  total: number;
  errors: RowError[];
  write: (tx: Tx, progress: (done: number) => void) => Promise<Record<string, unknown>>;
}

export interface JobContext {
  context: AppContext;
  actor: Actor;
  jobId: number;
  cityId: number;
  scope: JobScope;
  errors: RowError[];
  /** Updates `processed` (awaited; used only outside any transaction). */
  progress: (processed: number, total?: number) => Promise<void>;
  inScope: (path: string | null | undefined) => boolean;
}

async function runJob(context: AppContext, actor: Actor, jobId: number, spec: ImportKindSpec, input: StartImportInput, scope: JobScope): Promise<void> {
  const { database } = context;
  const setJob = (values: Partial<typeof importJobs.$inferInsert>) => database.db.update(importJobs).set(values).where(eq(importJobs.id, jobId));
  const job: JobContext = {
    context,
    actor,
    jobId,
    cityId: actor.cityId,
    scope,
    errors: [],
    progress: async (processed, total) => {
      await setJob(total === undefined ? { processed } : { processed, total });
    },
    inScope: (path) =>
      typeof path === 'string' && mayImport(actor, spec, { cityId: actor.cityId, regionPath: path }) && (scope.scopePath === null || path.startsWith(scope.scopePath)),
  };
  const started = Date.now();
  let total = 0;
  try {
    await setJob({ status: 'validating' });
    const prepared = spec.kind === 'regions' ? await prepareRegions(job, input) : await prepareTable(job, spec, input);
    total = prepared.total;
    if (prepared.errors.length > 0) {
      const errors = prepared.errors.sort((a, b) => a.line - b.line);
      await setJob({
        status: 'failed',
        processed: total,
        errors: errors.slice(0, MAX_STORED_ERRORS),
        summary: { inserted: 0, errorCount: errors.length, errorLines: new Set(errors.map((e) => e.line)).size, errorsTruncated: errors.length > MAX_STORED_ERRORS },
        finishedAt: new Date(),
      });
      await appendAuditAlone(database, {
        ...auditOf(actor, `import.${spec.kind}`, 'import_job', jobId, { fileName: input.fileName, total, errorCount: errors.length, stage: 'validation' }),
        outcome: 'failure',
      });
      return;
    }
    await setJob({ status: 'importing', processed: 0 });
    // Progress while writing: on PostgreSQL from another pool connection (the transaction holds its own);
    // PGlite has a single connection that the transaction holds, so there the bar jumps to the end.
    let progressChain: Promise<unknown> = Promise.resolve();
    let lastReported = 0;
    const writeProgress = (done: number) => {
      if (database.engine !== 'postgres' || done - lastReported < PROGRESS_EVERY) return;
      lastReported = done;
      progressChain = progressChain.then(() => setJob({ processed: Math.min(done, total) })).catch(() => undefined);
    };
    let summary: Record<string, unknown> = {};
    await database.db.transaction(async (tx) => {
      summary = await prepared.write(tx, writeProgress);
      await appendAudit(database, tx, auditOf(actor, `import.${spec.kind}`, 'import_job', jobId, { fileName: input.fileName, total, ...summary }));
    });
    await progressChain;
    await setJob({ status: 'succeeded', processed: total, total, summary: { ...summary, durationMs: Date.now() - started }, finishedAt: new Date() });
  } catch (error) {
    const appError = error instanceof AppError;
    const reason = appError
      ? (error as AppError).message
      : `写入失败，未导入任何数据 / The import failed and nothing was written: ${(error as Error)?.message ?? String(error)}`;
    await setJob({ status: 'failed', errors: [{ line: 0, reason }], summary: { inserted: 0, errorCount: 1 }, finishedAt: new Date() }).catch(() => undefined);
    await appendAuditAlone(database, {
      ...auditOf(actor, `import.${spec.kind}`, 'import_job', jobId, { fileName: input.fileName, total, reason: reason.slice(0, 500) }),
      outcome: 'failure',
    }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Tabular kinds: read, map columns, parse every cell, then check references kind by kind
// ---------------------------------------------------------------------------------------------

export interface ParsedRow {
  line: number;
  values: Record<string, unknown>;
  /** True when some cell was refused (its reference checks are still done where possible). */
  bad: boolean;
}

const normaliseHeader = (text: string) => text.toLowerCase().replace(/[\s_\-()（）*]/g, '');

/** Target field → column index; unmapped fields are matched to headers by field name or either half of their label. */
function resolveColumns(spec: ImportKindSpec, headers: string[], mapping: Record<string, string>, errors: RowError[]): Map<string, number> {
  const columns = new Map<string, number>();
  const byName = new Map(headers.map((header, i) => [normaliseHeader(header), i] as const));
  for (const field of spec.fields) {
    const source = mapping[field.name];
    if (source !== undefined && source !== '') {
      const index = headers.indexOf(source.trim());
      const fallback = index >= 0 ? index : (byName.get(normaliseHeader(source)) ?? -1);
      if (fallback < 0) errors.push({ line: 1, column: source, reason: `文件中没有列“${source}” / The file has no column "${source}"` });
      else columns.set(field.name, fallback);
      continue;
    }
    const candidates = [field.name, ...field.label.split('/').map((part) => part.trim()), ...(field.aliases ?? [])].map(normaliseHeader);
    const index = candidates.map((candidate) => byName.get(candidate)).find((i) => i !== undefined);
    if (index !== undefined) columns.set(field.name, index);
    else if (field.required) {
      errors.push({ line: 1, column: field.name, reason: `必填字段“${field.label}”没有对应的列 / Required field "${field.name}" is not mapped to a column` });
    }
  }
  return columns;
}

async function prepareTable(job: JobContext, spec: ImportKindSpec, input: StartImportInput): Promise<Prepared> {
  const table: Table = await readTable(input.buffer, input.fileName);
  const total = table.rows.length;
  await job.progress(0, total);
  if (total === 0) throw fail('文件中没有数据行 / The file has no data rows');
  const columns = resolveColumns(spec, table.headers, input.mapping ?? {}, job.errors);
  if (job.errors.length > 0) return { total, errors: job.errors, write: async () => ({}) };
  const columnName = (field: string) => table.headers[columns.get(field)!];
  const parsedRows: ParsedRow[] = new Array(total);
  // Half of the bar for parsing cells, half for the reference checks.
  for (let r = 0; r < total; r++) {
    const row = table.rows[r];
    const values: Record<string, unknown> = {};
    let bad = false;
    for (const field of spec.fields) {
      const index = columns.get(field.name);
      const raw = index === undefined ? '' : (row.cells[index] ?? '').trim();
      if (raw === '') {
        if (field.required) {
          job.errors.push({ line: row.line, column: columnName(field.name), reason: `${field.label.split(' / ')[0]}不能为空 / ${field.label.split(' / ')[1] ?? field.name} is required` });
          bad = true;
        }
        continue;
      }
      const parsed = field.validate(raw);
      if (parsed.ok) values[field.name] = parsed.value;
      else {
        job.errors.push({ line: row.line, column: columnName(field.name), reason: parsed.reason });
        bad = true;
      }
    }
    parsedRows[r] = { line: row.line, values, bad };
    if ((r + 1) % PROGRESS_EVERY === 0) await job.progress(Math.floor((r + 1) / 2));
  }
  table.rows.length = 0;
  const check = new RowChecker(job, columnName);
  const kind = spec.kind as Exclude<ImportKind, 'regions'>;
  const prepare = {
    buildings: prepareBuildings,
    households: prepareHouseholds,
    residents: prepareResidents,
    party_members: preparePartyMembers,
    staff: prepareStaff,
    case_history: (job: JobContext, rows: ParsedRow[], checker: RowChecker) => prepareCaseHistory(job, rows, checker, input),
  }[kind];
  const write = await prepare(job, parsedRows, check);
  await job.progress(total);
  return { total, errors: job.errors, write };
}

/** Reference checks with progress and error helpers shared by the kinds. */
export class RowChecker {
  constructor(
    private readonly job: JobContext,
    readonly column: (field: string) => string,
  ) {}

  error(row: ParsedRow, field: string | null, reason: string) {
    this.job.errors.push(field ? { line: row.line, column: this.column(field), reason } : { line: row.line, reason });
    row.bad = true;
  }

  /** Reports rows whose value repeats an earlier row's (case-insensitive when `fold`). */
  duplicates(rows: ParsedRow[], field: string, label: string, key: (value: unknown) => string = String) {
    const seen = new Map<string, number>();
    for (const row of rows) {
      const value = row.values[field];
      if (value === undefined) continue;
      const k = key(value);
      const first = seen.get(k);
      if (first !== undefined) this.error(row, field, `${label}与第 ${first} 行重复 / Duplicate ${field}: same as line ${first}`);
      else seen.set(k, row.line);
    }
  }

  outOfScope(row: ParsedRow, field: string) {
    this.error(row, field, '不在您的管辖范围内 / Outside your area of responsibility');
  }

  async tick(index: number, total: number) {
    if ((index + 1) % PROGRESS_EVERY === 0) await this.job.progress(Math.floor(total / 2 + (index + 1) / 2));
  }
}

export const distinct = (rows: ParsedRow[], field: string, map: (value: unknown) => string = String) => {
  const set = new Set<string>();
  for (const row of rows) if (row.values[field] !== undefined) set.add(map(row.values[field]));
  return [...set];
};

/** Runs a lookup `WHERE … IN (chunk)` over many values. */
export async function lookup<T>(job: JobContext, values: string[], query: (chunk: string[]) => ReturnType<typeof sql>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
    const chunk = values.slice(i, i + LOOKUP_CHUNK);
    out.push(...(await job.context.database.rows<T>(query(chunk))));
  }
  return out;
}

interface NodeRef {
  id: number;
  code: string;
  level: RegionLevel;
  path: string;
  parent_id: number | null;
}

async function nodesByCode(job: JobContext, codes: string[]): Promise<Map<string, NodeRef>> {
  const rows = await lookup<NodeRef>(
    job,
    codes,
    (chunk) => sql`SELECT id, code, level, path, parent_id FROM region_nodes WHERE city_id = ${job.cityId} AND valid_to IS NULL AND code IN ${chunk}`,
  );
  return new Map(rows.map((row) => [row.code, { ...row, id: Number(row.id), parent_id: row.parent_id === null ? null : Number(row.parent_id) }]));
}

async function existingCodes(job: JobContext, table: 'region_nodes' | 'households', codes: string[]): Promise<Set<string>> {
  const rows = await lookup<{ code: string }>(job, codes, (chunk) => sql`SELECT code FROM ${sql.identifier(table)} WHERE city_id = ${job.cityId} AND code IN ${chunk}`);
  return new Set(rows.map((row) => row.code));
}

const levelLabel: Record<string, string> = { city: '市', district: '区县', street: '街道', community: '社区', compound: '小区', grid: '网格', building: '楼栋' };

// --- buildings -------------------------------------------------------------------------------

async function prepareBuildings(job: JobContext, rows: ParsedRow[], check: RowChecker) {
  const grids = await nodesByCode(job, [...distinct(rows, 'gridCode'), ...distinct(rows, 'compoundCode')]);
  const taken = await existingCodes(job, 'region_nodes', distinct(rows, 'code'));
  check.duplicates(rows, 'code', '楼栋编码');
  const ready: Array<{ row: ParsedRow; grid: NodeRef; compound: NodeRef | null; lng: number; lat: number }> = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = row.values;
    if (v.code !== undefined && taken.has(v.code as string)) check.error(row, 'code', '编码已存在 / This code already exists');
    let grid: NodeRef | undefined;
    if (v.gridCode !== undefined) {
      grid = grids.get(v.gridCode as string);
      if (!grid) check.error(row, 'gridCode', '网格编码不存在 / Unknown grid code');
      else if (grid.level !== 'grid') check.error(row, 'gridCode', `该编码是${levelLabel[grid.level]}而不是网格 / This code is a ${grid.level}, not a grid`);
      else if (!job.inScope(grid.path)) check.outOfScope(row, 'gridCode');
    }
    let compound: NodeRef | null = null;
    if (v.compoundCode !== undefined) {
      compound = grids.get(v.compoundCode as string) ?? null;
      if (!compound) check.error(row, 'compoundCode', '小区编码不存在 / Unknown compound code');
      else if (compound.level !== 'compound') check.error(row, 'compoundCode', `该编码是${levelLabel[compound.level]}而不是小区 / This code is a ${compound.level}, not a compound`);
      else if (grid && grid.level === 'grid' && compound.parent_id !== grid.parent_id) {
        check.error(row, 'compoundCode', '小区与网格不在同一社区 / The compound and the grid are in different communities');
      }
    }
    const crs = (v.crs as CoordinateSystem | undefined) ?? 'wgs84';
    if (!row.bad && grid) {
      const [lng, lat] = toWgs84(v.lng as number, v.lat as number, crs);
      ready.push({ row, grid, compound, lng, lat });
    }
    await check.tick(i, rows.length);
  }
  return async (tx: Tx, progress: (done: number) => void) => {
    const ids = await reserveIds(job.context.database, tx, 'region_nodes', ready.length);
    const validFrom = today();
    const nodes = ready.map(({ row, grid, compound, lng, lat }, i) => ({
      id: ids[i],
      cityId: job.cityId,
      parentId: grid.id,
      level: 'building' as const,
      code: row.values.code as string,
      name: row.values.name as string,
      path: childPath(grid.path, ids[i]),
      compoundId: compound?.id ?? null,
      geometry: { type: 'Point', coordinates: [lng, lat] },
      minLng: lng,
      minLat: lat,
      maxLng: lng,
      maxLat: lat,
      centroidLng: lng,
      centroidLat: lat,
      address: (row.values.address as string | undefined) ?? null,
      validFrom,
    }));
    await bulkInsert(tx, regionNodes, nodes, progress);
    await bulkInsert(
      tx,
      buildingGridHistory,
      ready.map(({ grid }, i) => ({ cityId: job.cityId, buildingId: ids[i], gridId: grid.id, validFrom })),
    );
    return { inserted: ready.length, buildings: ready.length };
  };
}

// --- households ------------------------------------------------------------------------------

async function prepareHouseholds(job: JobContext, rows: ParsedRow[], check: RowChecker) {
  const buildings = await nodesByCode(job, distinct(rows, 'buildingCode'));
  const taken = await existingCodes(job, 'households', distinct(rows, 'code'));
  check.duplicates(rows, 'code', '户编码');
  const ready: Array<{ row: ParsedRow; building: NodeRef }> = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = row.values;
    if (v.code !== undefined && taken.has(v.code as string)) check.error(row, 'code', '户编码已存在 / This household code already exists');
    let building: NodeRef | undefined;
    if (v.buildingCode !== undefined) {
      building = buildings.get(v.buildingCode as string);
      if (!building) check.error(row, 'buildingCode', '楼栋编码不存在 / Unknown building code');
      else if (building.level !== 'building') check.error(row, 'buildingCode', `该编码是${levelLabel[building.level]}而不是楼栋 / This code is a ${building.level}, not a building`);
      else if (!job.inScope(building.path)) check.outOfScope(row, 'buildingCode');
    }
    if (!row.bad && building) ready.push({ row, building });
    await check.tick(i, rows.length);
  }
  return async (tx: Tx, progress: (done: number) => void) => {
    await bulkInsert(
      tx,
      households,
      ready.map(({ row, building }) => ({
        cityId: job.cityId,
        buildingId: building.id,
        regionPath: building.path,
        code: row.values.code as string,
        doorNumber: row.values.doorNumber as string,
        address: (row.values.address as string | undefined) ?? null,
        phone: (row.values.phone as string | undefined) ?? null,
      })),
      progress,
    );
    return { inserted: ready.length, households: ready.length };
  };
}

// --- residents -------------------------------------------------------------------------------

async function prepareResidents(job: JobContext, rows: ParsedRow[], check: RowChecker) {
  const { cipher } = job.context;
  const found = await lookup<{ id: number; code: string; region_path: string }>(
    job,
    distinct(rows, 'householdCode'),
    (chunk) => sql`SELECT id, code, region_path FROM households WHERE city_id = ${job.cityId} AND code IN ${chunk}`,
  );
  const householdsByCode = new Map(found.map((h) => [h.code, { id: Number(h.id), path: h.region_path }]));
  const hashes = new Map<ParsedRow, string>();
  for (const row of rows) if (row.values.idNumber !== undefined) hashes.set(row, cipher.searchHash(row.values.idNumber as string));
  const takenHashes = new Set(
    (
      await lookup<{ id_number_hash: string }>(
        job,
        [...new Set(hashes.values())],
        (chunk) => sql`SELECT id_number_hash FROM residents WHERE city_id = ${job.cityId} AND id_number_hash IN ${chunk}`,
      )
    ).map((r) => r.id_number_hash),
  );
  check.duplicates(rows, 'idNumber', '身份证号');
  const ready: Array<{ row: ParsedRow; household: { id: number; path: string }; hash: string | null }> = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = row.values;
    let household: { id: number; path: string } | undefined;
    if (v.householdCode !== undefined) {
      household = householdsByCode.get(v.householdCode as string);
      if (!household) check.error(row, 'householdCode', '户编码不存在 / Unknown household code');
      else if (!job.inScope(household.path)) check.outOfScope(row, 'householdCode');
    }
    const hash = hashes.get(row) ?? null;
    if (hash && takenHashes.has(hash)) check.error(row, 'idNumber', '该身份证号的居民已存在 / A resident with this ID number already exists');
    if (v.idNumber !== undefined && v.birthDate !== undefined) {
      const id = v.idNumber as string;
      const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
      if (birth !== v.birthDate) check.error(row, 'birthDate', `出生日期与身份证号（${birth}）不一致 / The birth date does not match the ID number (${birth})`);
    }
    if (!row.bad && household) ready.push({ row, household, hash });
    await check.tick(i, rows.length);
  }
  return async (tx: Tx, progress: (done: number) => void) => {
    const ids = await reserveIds(job.context.database, tx, 'residents', ready.length);
    const setOn = today();
    const tagRows: Array<typeof residentTagAssignments.$inferInsert> = [];
    const residentRows = ready.map(({ row, household, hash }, i) => {
      const v = row.values;
      for (const tag of (v.tags as string[] | undefined) ?? []) tagRows.push({ cityId: job.cityId, residentId: ids[i], tag, setOn });
      return {
        id: ids[i],
        cityId: job.cityId,
        householdId: household.id,
        regionPath: household.path,
        name: v.name as string,
        gender: (v.gender as 'male' | 'female' | undefined) ?? null,
        birthDate: (v.birthDate as string | undefined) ?? null,
        phone: (v.phone as string | undefined) ?? null,
        idNumberEncrypted: v.idNumber !== undefined ? cipher.encrypt(v.idNumber as string) : null,
        idNumberHash: hash,
        relationToHead: (v.relationToHead as string | undefined) ?? null,
        isHead: (v.isHead as boolean | undefined) ?? false,
      };
    });
    await bulkInsert(tx, residents, residentRows, progress);
    await bulkInsert(tx, residentTagAssignments, tagRows);
    return { inserted: ready.length, residents: ready.length, tags: tagRows.length };
  };
}

// --- party members ---------------------------------------------------------------------------

async function preparePartyMembers(job: JobContext, rows: ParsedRow[], check: RowChecker) {
  const { cipher } = job.context;
  const orgRows = await lookup<{ id: number; code: string; path: string }>(
    job,
    distinct(rows, 'partyOrganizationCode'),
    (chunk) => sql`SELECT po.id, po.code, rn.path FROM party_organizations po JOIN region_nodes rn ON rn.id = po.region_node_id
                   WHERE po.city_id = ${job.cityId} AND po.code IN ${chunk}`,
  );
  const orgs = new Map(orgRows.map((o) => [o.code, { id: Number(o.id), path: o.path }]));
  const unitRows = await lookup<{ id: number; code: string }>(
    job,
    distinct(rows, 'servingUnitCode'),
    (chunk) => sql`SELECT id, code FROM units WHERE city_id = ${job.cityId} AND code IN ${chunk}`,
  );
  const unitsByCode = new Map(unitRows.map((u) => [u.code, Number(u.id)]));
  const residentRows = await lookup<{ id: number; id_number_hash: string }>(
    job,
    distinct(rows, 'residentIdNumber', (value) => cipher.searchHash(value as string)),
    (chunk) => sql`SELECT id, id_number_hash FROM residents WHERE city_id = ${job.cityId} AND id_number_hash IN ${chunk}`,
  );
  const residentsByHash = new Map(residentRows.map((r) => [r.id_number_hash, Number(r.id)]));
  const hashes = new Map<ParsedRow, string>();
  for (const row of rows) if (row.values.idNumber !== undefined) hashes.set(row, cipher.searchHash(row.values.idNumber as string));
  const takenHashes = new Set(
    (
      await lookup<{ id_number_hash: string }>(
        job,
        [...new Set(hashes.values())],
        (chunk) => sql`SELECT id_number_hash FROM party_members WHERE city_id = ${job.cityId} AND id_number_hash IN ${chunk}`,
      )
    ).map((r) => r.id_number_hash),
  );
  check.duplicates(rows, 'idNumber', '身份证号');
  const ready: Array<{ row: ParsedRow; org: { id: number; path: string }; unitId: number | null; residentId: number | null; hash: string | null }> = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = row.values;
    let org: { id: number; path: string } | undefined;
    if (v.partyOrganizationCode !== undefined) {
      org = orgs.get(v.partyOrganizationCode as string);
      if (!org) check.error(row, 'partyOrganizationCode', '党组织编码不存在 / Unknown party organisation code');
      else if (!job.inScope(org.path)) check.outOfScope(row, 'partyOrganizationCode');
    }
    let unitId: number | null = null;
    if (v.servingUnitCode !== undefined) {
      unitId = unitsByCode.get(v.servingUnitCode as string) ?? null;
      if (unitId === null) check.error(row, 'servingUnitCode', '单位编码不存在 / Unknown unit code');
    }
    let residentId: number | null = null;
    if (v.residentIdNumber !== undefined) {
      residentId = residentsByHash.get(cipher.searchHash(v.residentIdNumber as string)) ?? null;
      if (residentId === null) check.error(row, 'residentIdNumber', '未找到该身份证号的居民 / No resident has this ID number');
    }
    const hash = hashes.get(row) ?? null;
    if (hash && takenHashes.has(hash)) check.error(row, 'idNumber', '该身份证号的党员已存在 / A party member with this ID number already exists');
    if (!row.bad && org) ready.push({ row, org, unitId, residentId, hash });
    await check.tick(i, rows.length);
  }
  return async (tx: Tx, progress: (done: number) => void) => {
    await bulkInsert(
      tx,
      partyMembers,
      ready.map(({ row, org, unitId, residentId, hash }) => {
        const v = row.values;
        return {
          cityId: job.cityId,
          residentId,
          name: v.name as string,
          phone: (v.phone as string | undefined) ?? null,
          idNumberEncrypted: v.idNumber !== undefined ? cipher.encrypt(v.idNumber as string) : null,
          idNumberHash: hash,
          partyOrganizationId: org.id,
          regionPath: org.path,
          isServing: (v.isServing as boolean | undefined) ?? unitId !== null,
          servingUnitId: unitId,
          joinedOn: (v.joinedOn as string | undefined) ?? null,
        };
      }),
      progress,
    );
    return { inserted: ready.length, partyMembers: ready.length, linkedResidents: ready.filter((r) => r.residentId !== null).length };
  };
}

// --- staff -----------------------------------------------------------------------------------

async function prepareStaff(job: JobContext, rows: ParsedRow[], check: RowChecker) {
  const { database, config } = job.context;
  const nodes = await nodesByCode(job, distinct(rows, 'scopeCode'));
  const unitRows = await lookup<{ id: number; code: string; kind: string; path: string | null }>(
    job,
    distinct(rows, 'unitCode'),
    (chunk) => sql`SELECT u.id, u.code, u.kind, rn.path FROM units u LEFT JOIN region_nodes rn ON rn.id = u.region_node_id
                   WHERE u.city_id = ${job.cityId} AND u.code IN ${chunk}`,
  );
  const unitsByCode = new Map(unitRows.map((u) => [u.code, { id: Number(u.id), kind: u.kind, path: u.path }]));
  const [root] = await database.rows<{ path: string }>(sql`SELECT path FROM region_nodes WHERE city_id = ${job.cityId} AND level = 'city' ORDER BY id LIMIT 1`);
  const takenNames = new Set(
    (
      await lookup<{ name: string }>(
        job,
        distinct(rows, 'username', (value) => (value as string).toLowerCase()),
        (chunk) => sql`SELECT lower(username) AS name FROM users WHERE lower(username) IN ${chunk}`,
      )
    ).map((r) => r.name),
  );
  check.duplicates(rows, 'username', '用户名', (value) => (value as string).toLowerCase());
  const ready: Array<{ row: ParsedRow; role: Role; regionNodeId: number | null; unitId: number | null }> = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const v = row.values;
    const role = v.role as Role | undefined;
    if (v.username !== undefined && takenNames.has((v.username as string).toLowerCase())) check.error(row, 'username', '用户名已存在 / This username is already taken');
    let regionNodeId: number | null = null;
    let unitId: number | null = null;
    if (role === 'department_staff') {
      if (v.unitCode === undefined) check.error(row, 'unitCode', '部门人员必须填写部门编码 / Department staff need a department code');
      else {
        const unit = unitsByCode.get(v.unitCode as string);
        if (!unit) check.error(row, 'unitCode', '部门编码不存在 / Unknown department code');
        else if (unit.kind !== 'department') check.error(row, 'unitCode', '该单位不是职能部门 / This unit is not a department');
        else if (!job.inScope(unit.path ?? root?.path)) check.outOfScope(row, 'unitCode');
        else unitId = unit.id;
      }
    } else if (role !== undefined) {
      if (v.scopeCode === undefined) check.error(row, 'scopeCode', '必须填写负责区域编码 / A region code is required for this role');
      else {
        const node = nodes.get(v.scopeCode as string);
        const level = roleScopeLevel[role];
        if (!node) check.error(row, 'scopeCode', '区域编码不存在 / Unknown region code');
        else if (node.level !== level) {
          check.error(row, 'scopeCode', `角色 ${role} 应对应${levelLabel[level] ?? level}，该编码是${levelLabel[node.level]} / Role ${role} must be given on a ${level}, this code is a ${node.level}`);
        } else if (!job.inScope(node.path)) check.outOfScope(row, 'scopeCode');
        else regionNodeId = node.id;
      }
    }
    if (v.password !== undefined && v.username !== undefined) {
      try {
        checkPasswordPolicy(config, v.password as string, v.username as string);
      } catch (error) {
        const requirements = ((error as AppError).details as { requirements?: string[] } | null)?.requirements ?? [];
        check.error(row, 'password', `密码不符合安全策略 / The password does not meet the policy: ${requirements.join('; ')}`);
      }
    }
    if (!row.bad && role) ready.push({ row, role, regionNodeId, unitId });
    await check.tick(i, rows.length);
  }
  if (job.errors.length > 0) return async () => ({});
  // argon2 is deliberately slow: hash before the transaction, a few at a time.
  const hashes: string[] = new Array(ready.length);
  let withoutPassword = 0;
  for (let i = 0; i < ready.length; i += 4) {
    await Promise.all(
      ready.slice(i, i + 4).map(async ({ row }, k) => {
        const given = row.values.password as string | undefined;
        if (!given) withoutPassword++;
        // Without a password the account cannot log in until an administrator sets one.
        hashes[i + k] = await hashPassword(given ?? crypto.randomBytes(32).toString('base64url'));
      }),
    );
  }
  return async (tx: Tx, progress: (done: number) => void) => {
    const ids = await reserveIds(database, tx, 'users', ready.length);
    await bulkInsert(
      tx,
      users,
      ready.map(({ row }, i) => ({
        id: ids[i],
        cityId: job.cityId,
        username: row.values.username as string,
        displayName: row.values.displayName as string,
        phone: (row.values.phone as string | undefined) ?? null,
        passwordHash: hashes[i],
      })),
      progress,
    );
    await bulkInsert(
      tx,
      roleAssignments,
      ready.map(({ role, regionNodeId, unitId }, i) => ({ cityId: job.cityId, userId: ids[i], role, regionNodeId, unitId, createdBy: job.actor.userId })),
    );
    return { inserted: ready.length, users: ready.length, withoutPassword };
  };
}

// ---------------------------------------------------------------------------------------------
// Regions from GeoJSON
// ---------------------------------------------------------------------------------------------

const parentLevels: Record<ImportableLevel, RegionLevel[]> = {
  city: [],
  district: ['city'],
  street: ['district'],
  community: ['street'],
  compound: ['community'],
  grid: ['community'],
};

interface FeatureRow {
  line: number;
  level: ImportableLevel;
  code: string;
  name: string;
  parentCode: string | null;
  area: AreaGeometry;
  /** Resolved parent: a node already in the database, or another feature of the file. */
  parent: NodeRef | FeatureRow | null;
  bad: boolean;
}

const crsOfCollection = (crs: unknown): CoordinateSystem => {
  const name = typeof crs === 'string' ? crs : ((crs as { properties?: { name?: unknown } } | null)?.properties?.name ?? '');
  return /gcj/i.test(String(name)) ? 'gcj02' : 'wgs84';
};

async function prepareRegions(job: JobContext, input: StartImportInput): Promise<Prepared> {
  const { features, crs } = readGeoJson(input.buffer);
  const total = features.length;
  await job.progress(0, total);
  const spec = kindSpec('regions')!;
  const defaultCrs = crsOfCollection(crs);
  const errors = job.errors;
  const rows: Array<FeatureRow | null> = [];
  for (let i = 0; i < features.length; i++) {
    const line = i + 1;
    const feature = features[i] as { type?: unknown; properties?: Record<string, unknown> | null; geometry?: unknown } | null;
    if (!feature || feature.type !== 'Feature') {
      errors.push({ line, reason: '不是 GeoJSON Feature / Not a GeoJSON Feature' });
      rows.push(null);
      continue;
    }
    const properties = feature.properties ?? {};
    const values: Record<string, unknown> = {};
    let bad = false;
    for (const field of spec.fields) {
      const rawValue = properties[field.name] ?? (field.name === 'crs' ? (properties.coordinateSystem ?? properties['坐标系']) : undefined);
      const raw = rawValue === undefined || rawValue === null ? '' : String(rawValue).trim();
      if (raw === '') {
        if (field.required) {
          errors.push({ line, column: field.name, reason: `${field.label.split(' / ')[0]}不能为空 / ${field.label.split(' / ')[1]} is required` });
          bad = true;
        }
        continue;
      }
      const parsed = field.validate(raw);
      if (parsed.ok) values[field.name] = parsed.value;
      else {
        errors.push({ line, column: field.name, reason: parsed.reason });
        bad = true;
      }
    }
    const featureCrs = (values.crs as CoordinateSystem | undefined) ?? defaultCrs;
    const area = normaliseAreaGeometry(feature.geometry, featureCrs);
    if (!area.ok) {
      errors.push({ line, column: 'geometry', reason: area.reason });
      bad = true;
    }
    if (bad || !area.ok) {
      rows.push(values.code ? ({ line, code: values.code, level: values.level, bad: true } as FeatureRow) : null);
      continue;
    }
    rows.push({ line, level: values.level as ImportableLevel, code: values.code as string, name: values.name as string, parentCode: (values.parentCode as string | undefined) ?? null, area: area.value, parent: null, bad: false });
    if (line % PROGRESS_EVERY === 0) await job.progress(Math.floor(line / 2));
  }

  // Codes of the file and references to look up.
  const inFile = new Map<string, FeatureRow>();
  for (const row of rows) {
    if (!row) continue;
    const first = inFile.get(row.code);
    if (first) {
      errors.push({ line: row.line, column: 'code', reason: `编码与第 ${first.line} 个要素重复 / Duplicate code: same as feature ${first.line}` });
      row.bad = true;
    } else inFile.set(row.code, row);
  }
  const wanted = new Set<string>();
  for (const row of rows) {
    if (!row) continue;
    wanted.add(row.code);
    if (row.parentCode) wanted.add(row.parentCode);
  }
  const nodes = await nodesByCode(job, [...wanted]);
  const [city] = await job.context.database.rows<{ code: string }>(sql`SELECT code FROM cities WHERE id = ${job.cityId}`);
  const [root] = await job.context.database.rows<NodeRef>(
    sql`SELECT id, code, level, path, parent_id FROM region_nodes WHERE city_id = ${job.cityId} AND level = 'city' AND parent_id IS NULL ORDER BY id LIMIT 1`,
  );
  const rootNode = root ? { ...root, id: Number(root.id), parent_id: null } : null;
  let scopeNode: NodeRef | null = null;
  if (job.scope.scopeNodeId !== null) {
    const [node] = await job.context.database.rows<NodeRef>(sql`SELECT id, code, level, path, parent_id FROM region_nodes WHERE id = ${job.scope.scopeNodeId}`);
    scopeNode = node ? { ...node, id: Number(node.id) } : null;
  }
  const isCityAdmin = job.actor.grants.some((grant) => grant.role === 'city_admin');

  const valid = (row: FeatureRow | null): row is FeatureRow => row !== null && !row.bad;
  for (const row of rows) {
    if (!valid(row)) continue;
    const mark = (column: string, reason: string) => {
      errors.push({ line: row.line, column, reason });
      row.bad = true;
    };
    if (nodes.has(row.code)) {
      mark('code', '编码已存在 / This code already exists');
      continue;
    }
    if (row.level === 'city') {
      if (!city || row.code !== city.code) mark('code', `市级要素的编码应为本市编码 ${city?.code ?? ''} / A city feature must carry your city's code ${city?.code ?? ''}`);
      else if (rootNode) mark('code', '本市的根节点已存在 / The city node already exists');
      else if (!isCityAdmin) mark('level', '只有市级管理员可以创建市级节点 / Only a city administrator can create the city node');
      continue;
    }
    let parent: NodeRef | FeatureRow | null = null;
    if (row.parentCode) {
      parent = inFile.get(row.parentCode) ?? nodes.get(row.parentCode) ?? null;
      if (!parent && city && row.parentCode === city.code) parent = rootNode ?? [...inFile.values()].find((r) => r.level === 'city') ?? null;
    } else if (scopeNode) parent = scopeNode;
    if (parent && !('path' in parent) && parent.bad) {
      mark('parentCode', `上级要素（第 ${parent.line} 个）有错误 / The parent feature (${parent.line}) has errors`);
      continue;
    }
    if (!parent) {
      mark('parentCode', row.parentCode ? '上级编码不存在 / Unknown parent code' : '缺少上级编码 / The parent code is missing');
      continue;
    }
    if (!parentLevels[row.level].includes(parent.level as RegionLevel)) {
      mark('parentCode', `${levelLabel[row.level]}的上级应为${parentLevels[row.level].map((l) => levelLabel[l]).join('/')}，实际为${levelLabel[parent.level]} / A ${row.level} must hang under a ${parentLevels[row.level].join(' or ')}, not a ${parent.level}`);
      continue;
    }
    row.parent = parent;
    if ('path' in parent && !job.inScope(parent.path)) mark('parentCode', '不在您的管辖范围内 / Outside your area of responsibility');
  }
  // A feature whose in-file ancestor was refused is refused too (levels strictly descend, so there are no cycles).
  const ancestorBad = (row: FeatureRow): FeatureRow | null => {
    for (let p = row.parent; p && !('path' in p); p = (p as FeatureRow).parent) if ((p as FeatureRow).bad) return p as FeatureRow;
    return null;
  };
  for (const row of rows) {
    if (!valid(row)) continue;
    const refused = ancestorBad(row);
    if (refused) {
      errors.push({ line: row.line, column: 'parentCode', reason: `上级要素（第 ${refused.line} 个）有错误 / The parent feature (${refused.line}) has errors` });
      row.bad = true;
    }
  }
  await job.progress(total);
  const ready = rows.filter(valid);
  // Parents before children: order by depth of the level.
  const depth: Record<ImportableLevel, number> = { city: 0, district: 1, street: 2, community: 3, compound: 4, grid: 4 };
  ready.sort((a, b) => depth[a.level] - depth[b.level]);

  const write = async (tx: Tx, progress: (done: number) => void) => {
    const ids = await reserveIds(job.context.database, tx, 'region_nodes', ready.length);
    const placed = new Map<FeatureRow, { id: number; path: string }>();
    const validFrom = today();
    const nodeRows = ready.map((row, i) => {
      const parent = row.parent;
      const parentPlace = parent === null ? null : 'path' in parent ? { id: parent.id, path: parent.path } : placed.get(parent)!;
      const place = { id: ids[i], path: childPath(parentPlace?.path ?? null, ids[i]) };
      placed.set(row, place);
      return {
        id: place.id,
        cityId: job.cityId,
        parentId: parentPlace?.id ?? null,
        level: row.level,
        code: row.code,
        name: row.name,
        path: place.path,
        ...row.area,
        validFrom,
      };
    });
    await bulkInsert(tx, regionNodes, nodeRows, progress);
    await bulkInsert(
      tx,
      regionGeometryHistory,
      ready.map((row, i) => ({ cityId: job.cityId, regionNodeId: ids[i], geometry: row.area.geometry, validFrom, changedBy: job.actor.userId })),
    );
    const byLevel: Record<string, number> = {};
    for (const row of ready) byLevel[row.level] = (byLevel[row.level] ?? 0) + 1;
    return { inserted: ready.length, byLevel };
  };
  return { total, errors, write };
}

