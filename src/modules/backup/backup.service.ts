import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import stream from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { migrationsFolder } from '../../db/migrate.ts';

/**
 * Logical, engine-independent backup: a gzip'd JSON-lines file.
 *
 *   {"format":"civicgrid-backup","version":1,"createdAt":…,"engine":…,"migrations":[{hash,createdAt,tag}]}
 *   {"table":"audit_chain_heads","columns":["city_id","last_id","last_hash"]}
 *   [1,3,"9f…"]                                  one array per row, in primary-key order
 *   {"table":"audit_log","columns":[…]}
 *   …
 *   {"sequences":{"audit_log_id_seq":3,…},"tables":19,"rows":1234}   the last line: its absence means a truncated file
 *
 * Values are written so that they read back into the same column type exactly:
 * - smallint, integer, boolean, text: JSON as is;
 * - bigint: a number while it is a safe integer, otherwise its decimal string;
 * - double precision / real: a number (PostgreSQL's shortest exact text), or a string for NaN, ±Infinity and -0;
 * - numeric: its exact decimal string;
 * - timestamptz: ISO 8601 in UTC with microseconds ("2024-05-01T08:00:00.123456Z"); timestamp: the same without "Z";
 * - date: "YYYY-MM-DD" (or "infinity");
 * - jsonb: the JSON value itself, except that a JSON `null` (not SQL NULL), a document whose numbers JavaScript
 *   cannot carry exactly (beyond double precision, or written as 1.0) and a document that is itself
 *   `{"$jsonb": …}` are wrapped as `{"$jsonb": "<exact jsonb text>"}`;
 * - any other type: its PostgreSQL text form, which that type's input function reads back.
 */

export const BACKUP_FORMAT = 'civicgrid-backup';
export const BACKUP_VERSION = 1;
/** Rows fetched from the database per round trip while writing. */
const READ_BATCH = 5_000;
/** PostgreSQL's limit is 65,535 bind parameters per statement; stay well below it. */
const MAX_PARAMETERS = 60_000;
const MAX_ROWS_PER_INSERT = 2_000;

export interface BackupSummary {
  tables: number;
  rows: number;
}

interface MigrationRecord {
  hash: string;
  createdAt: number;
  tag: string | null;
}

interface BackupHeader {
  format: string;
  version: number;
  createdAt: string;
  engine: string;
  migrations: MigrationRecord[];
}

interface ColumnInfo {
  name: string;
  /** information_schema udt_name: int8, timestamptz, jsonb, … */
  udt: string;
  /** format_type(): the full SQL type, used to cast restored values. */
  sqlType: string;
}

type Kind = 'native' | 'bigint' | 'float' | 'numeric' | 'jsonb' | 'timestamptz' | 'timestamp' | 'text';

function kindOf(udt: string): Kind {
  switch (udt) {
    case 'int2':
    case 'int4':
    case 'bool':
    case 'text':
    case 'varchar':
    case 'bpchar':
      return 'native';
    case 'int8':
      return 'bigint';
    case 'float4':
    case 'float8':
      return 'float';
    case 'numeric':
      return 'numeric';
    case 'jsonb':
      return 'jsonb';
    case 'timestamptz':
      return 'timestamptz';
    case 'timestamp':
      return 'timestamp';
    default:
      // date, json (keeps its exact text), uuid, bytea, arrays, enums, …: the type's own text form.
      return 'text';
  }
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const ident = (name: string) => sql.raw(quoteIdent(name));

/** The SELECT expression that renders a column in its backup form. */
function selectExpression(column: ColumnInfo): SQL {
  const c = quoteIdent(column.name);
  switch (kindOf(column.udt)) {
    case 'native':
      return sql.raw(c);
    case 'timestamptz':
      return sql.raw(
        `CASE WHEN ${c} >= '0001-01-01T00:00:00Z' AND ${c} < '10000-01-01T00:00:00Z' ` +
          `THEN to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ELSE ${c}::text END`,
      );
    case 'timestamp':
      return sql.raw(
        `CASE WHEN ${c} >= '0001-01-01T00:00:00' AND ${c} < '10000-01-01T00:00:00' ` +
          `THEN to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US') ELSE ${c}::text END`,
      );
    default:
      return sql.raw(`${c}::text`);
  }
}

/** A decimal number's identity as jsonb (numeric) sees it: value and display scale; null if not a number. */
function numericKey(token: string): string | null {
  const match = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!match) return null;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const scale = Math.max(0, fraction.length - exponent);
  let digits = whole + fraction;
  let point = whole.length + exponent;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading);
  point -= leading;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return `0|${scale}`;
  return `${sign}|${digits}|${point}|${scale}`;
}

/**
 * True when every number in a jsonb text survives JSON.parse → JSON.stringify → jsonb unchanged (same value and
 * display scale), so that the document can be carried as plain JSON. `1.0` (scale) and integers beyond 2^53 cannot.
 */
export function jsonNumbersExact(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) i++;
        else if (c === 34) break;
      }
    } else if (ch === 45 /* - */ || (ch >= 48 && ch <= 57)) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
      const token = text.slice(i, end);
      const key = numericKey(token);
      if (key === null || key !== numericKey(JSON.stringify(Number(token)))) return false;
      i = end - 1;
    }
  }
  return true;
}

function isJsonbWrapper(value: unknown): value is { $jsonb: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && '$jsonb' in value;
}

function encodeValue(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case 'float': {
      const n = Number(value);
      return Number.isFinite(n) && !Object.is(n, -0) ? n : String(value);
    }
    case 'jsonb': {
      const text = String(value);
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || isJsonbWrapper(parsed) || !jsonNumbersExact(text)) return { $jsonb: text };
      return parsed;
    }
    case 'native':
      return value;
    default:
      return String(value);
  }
}

/** The text handed to PostgreSQL for one backed-up value (always cast from text to the column type). */
function decodeValue(kind: Kind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (kind === 'jsonb') {
    if (isJsonbWrapper(value) && typeof value.$jsonb === 'string') return value.$jsonb;
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`unexpected value ${JSON.stringify(value)} in a ${kind} column`);
}

async function listTables(database: Database, executor: Executor): Promise<string[]> {
  const rows = await database.rows<{ table_name: string }>(
    sql`SELECT table_name::text AS table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name COLLATE "C"`,
    executor,
  );
  return rows.map((row) => row.table_name);
}

async function listColumns(database: Database, executor: Executor, table: string): Promise<ColumnInfo[]> {
  const rows = await database.rows<{ name: string; udt: string; sql_type: string }>(
    sql`SELECT c.column_name::text AS name, c.udt_name::text AS udt,
               format_type(a.atttypid, a.atttypmod) AS sql_type
        FROM information_schema.columns c
        JOIN pg_catalog.pg_attribute a
          ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
        WHERE c.table_schema = 'public' AND c.table_name = ${table} AND c.is_generated = 'NEVER'
        ORDER BY c.ordinal_position`,
    executor,
  );
  return rows.map((row) => ({ name: row.name, udt: row.udt, sqlType: row.sql_type }));
}

async function primaryKey(database: Database, executor: Executor, table: string): Promise<string[]> {
  const rows = await database.rows<{ name: string }>(
    sql`SELECT a.attname::text AS name
        FROM pg_catalog.pg_index i
        JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = format('%I.%I', 'public', ${table}::text)::regclass AND i.indisprimary
        ORDER BY k.ord`,
    executor,
  );
  return rows.map((row) => row.name);
}

async function listSequences(database: Database, executor: Executor): Promise<string[]> {
  const rows = await database.rows<{ name: string }>(
    sql`SELECT sequence_name::text AS name FROM information_schema.sequences
        WHERE sequence_schema = 'public' ORDER BY sequence_name COLLATE "C"`,
    executor,
  );
  return rows.map((row) => row.name);
}

/** Applied drizzle migrations (schema `drizzle`), oldest first, with their tags from the journal when known. */
async function appliedMigrations(database: Database, executor: Executor): Promise<MigrationRecord[]> {
  const [{ exists }] = await database.rows<{ exists: boolean }>(
    sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS exists`,
    executor,
  );
  if (!exists) return [];
  const rows = await database.rows<{ hash: string; created_at: string | null }>(
    sql`SELECT hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY created_at, id`,
    executor,
  );
  const tags = new Map<number, string>();
  try {
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
      entries: Array<{ when: number; tag: string }>;
    };
    for (const entry of journal.entries) tags.set(entry.when, entry.tag);
  } catch {
    /* tags are informative only */
  }
  return rows.map((row) => {
    const createdAt = Number(row.created_at);
    return { hash: row.hash, createdAt, tag: tags.get(createdAt) ?? null };
  });
}

/** Session settings that make the text forms of values unambiguous (local to the transaction). */
async function setTextSettings(database: Database, executor: Executor) {
  await database.rows(sql`SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
    set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true), set_config('bytea_output', 'hex', true)`, executor);
}

/**
 * Writes a consistent logical backup of every table and sequence in the `public` schema
 * (one REPEATABLE READ, read-only transaction; rows are streamed in batches).
 * The file appears under its name only once complete.
 */
export async function writeBackup(database: Database, file: string): Promise<BackupSummary> {
  const partial = `${file}.partial-${process.pid}`;
  const summary: BackupSummary = { tables: 0, rows: 0 };
  try {
    await database.db.transaction(
      async (tx) => {
        await setTextSettings(database, tx);
        async function* lines(): AsyncGenerator<string> {
          const header: BackupHeader = {
            format: BACKUP_FORMAT,
            version: BACKUP_VERSION,
            createdAt: new Date().toISOString(),
            engine: database.engine,
            migrations: await appliedMigrations(database, tx),
          };
          yield `${JSON.stringify(header)}\n`;
          for (const table of await listTables(database, tx)) {
            const columns = await listColumns(database, tx, table);
            const kinds = columns.map((column) => kindOf(column.udt));
            const key = await primaryKey(database, tx, table);
            yield `${JSON.stringify({ table, columns: columns.map((column) => column.name) })}\n`;
            summary.tables++;
            if (columns.length === 0) continue;
            const select = sql.join(
              columns.map((column, i) => sql`${selectExpression(column)} AS ${ident(`c${i}`)}`),
              sql`, `,
            );
            const orderBy = key.length > 0 ? sql` ORDER BY ${sql.join(key.map(ident), sql`, `)}` : sql``;
            await database.rows(sql`DECLARE civicgrid_backup NO SCROLL CURSOR FOR SELECT ${select} FROM public.${ident(table)}${orderBy}`, tx);
            for (;;) {
              const rows = await database.rows<Record<string, unknown>>(sql.raw(`FETCH FORWARD ${READ_BATCH} FROM civicgrid_backup`), tx);
              if (rows.length === 0) break;
              let chunk = '';
              for (const row of rows) {
                chunk += `${JSON.stringify(kinds.map((kind, i) => encodeValue(kind, row[`c${i}`])))}\n`;
              }
              summary.rows += rows.length;
              yield chunk;
              if (rows.length < READ_BATCH) break;
            }
            await database.rows(sql.raw('CLOSE civicgrid_backup'), tx);
          }
          const sequences: Record<string, number | string | null> = {};
          for (const name of await listSequences(database, tx)) {
            const [state] = await database.rows<{ last_value: string; is_called: boolean }>(
              sql`SELECT last_value::text AS last_value, is_called FROM public.${ident(name)}`,
              tx,
            );
            sequences[name] = state.is_called ? (encodeValue('bigint', state.last_value) as number | string) : null;
          }
          yield `${JSON.stringify({ sequences, tables: summary.tables, rows: summary.rows })}\n`;
        }
        await pipeline(lines, zlib.createGzip(), fs.createWriteStream(partial));
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  return summary;
}

/** Reads a backup file line by line (bounded memory), yielding parsed JSON values. */
async function* readLines(file: string): AsyncGenerator<unknown> {
  // stream.pipeline forwards a read or gunzip error (e.g. a truncated file) to the last stream, hence to readline.
  const input = stream.pipeline(fs.createReadStream(file), zlib.createGunzip(), () => undefined);
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      if (line === '') continue;
      try {
        yield JSON.parse(line);
      } catch {
        throw new Error(`backup file ${file}: line ${number} is not JSON`);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

interface BackupFooter {
  sequences: Record<string, number | string | null>;
  tables?: number;
  rows?: number;
}

interface TargetTable {
  columns: Map<string, ColumnInfo>;
}

/**
 * Restores a backup into a migrated database whose tables are all empty, in one transaction:
 * either everything is restored or nothing is.
 */
export async function restoreBackup(database: Database, file: string): Promise<BackupSummary> {
  if (!fs.existsSync(file)) throw new Error(`backup file ${file} does not exist`);
  return database.db.transaction(async (tx) => {
    await setTextSettings(database, tx);
    // The metric rollups and deltas are restored as they were; the triggers must not count the cases again.
    await tx.execute(sql`SELECT set_config('civicgrid.skip_case_metrics', 'on', true)`);
    const targetTables = new Map<string, TargetTable>();
    for (const table of await listTables(database, tx)) {
      const columns = await listColumns(database, tx, table);
      targetTables.set(table, { columns: new Map(columns.map((column) => [column.name, column])) });
    }
    for (const table of targetTables.keys()) {
      const [{ found }] = await database.rows<{ found: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM public.${ident(table)}) AS found`, tx);
      if (found) throw new Error(`restore needs an empty database: table ${table} already has rows`);
    }
    const [{ missing }] = await database.rows<{ missing: string | null }>(
      sql`SELECT string_agg(CASE c.relkind WHEN 'S' THEN 'UPDATE on sequence ' ELSE 'INSERT on ' END || c.relname, ', ' ORDER BY c.relname) AS missing
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND (
            (c.relkind IN ('r', 'p') AND NOT has_table_privilege(c.oid, 'INSERT')) OR
            (c.relkind = 'S' AND NOT has_sequence_privilege(c.oid, 'UPDATE')))`,
      tx,
    );
    if (missing) {
      const list = missing.split(', ');
      const shown = list.length > 4 ? `${list.slice(0, 4).join(', ')} and ${list.length - 4} more` : missing;
      throw new Error(`restore needs privileges this database role lacks (${shown}): run it as the role that owns the schema`);
    }
    // Deferrable constraints (if a later migration adds any) are checked at commit, so table order does not matter.
    await database.rows(sql`SET CONSTRAINTS ALL DEFERRED`, tx);

    const summary: BackupSummary = { tables: 0, rows: 0 };
    let header: BackupHeader | null = null;
    let current: { table: string; columns: ColumnInfo[]; kinds: Kind[]; pending: Array<Array<string | null>> } | null = null;
    let footer: BackupFooter | null = null;
    const seenTables = new Set<string>();

    const flush = async () => {
      if (!current || current.pending.length === 0) return;
      const { table, columns, pending } = current;
      const values = sql.join(
        pending.map((row) => sql`(${sql.join(row.map((value, i) => sql`CAST(CAST(${value} AS text) AS ${sql.raw(columns[i].sqlType)})`), sql`, `)})`),
        sql`, `,
      );
      await database.rows(
        sql`INSERT INTO public.${ident(table)} (${sql.join(columns.map((column) => ident(column.name)), sql`, `)}) OVERRIDING SYSTEM VALUE VALUES ${values}`,
        tx,
      );
      summary.rows += pending.length;
      current.pending = [];
    };

    for await (const line of readLines(file)) {
      if (footer) throw new Error(`backup file ${file}: data after the final line`);
      if (!header) {
        header = checkHeader(line, file);
        await checkMigrations(header, await appliedMigrations(database, tx));
        continue;
      }
      if (Array.isArray(line)) {
        if (!current) throw new Error(`backup file ${file}: a row before any table line`);
        if (line.length !== current.columns.length) throw new Error(`backup file ${file}: a ${current.table} row has ${line.length} values, expected ${current.columns.length}`);
        current.pending.push(line.map((value, i) => decodeValue(current!.kinds[i], value)));
        const rowsPerInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / Math.max(1, current.columns.length))));
        if (current.pending.length >= rowsPerInsert) await flush();
        continue;
      }
      if (line && typeof line === 'object' && 'table' in line) {
        await flush();
        const { table, columns } = line as { table: string; columns: string[] };
        const target = targetTables.get(table);
        if (!target) throw new Error(`backup table ${table} does not exist in this database (is it migrated to the same version?)`);
        if (seenTables.has(table)) throw new Error(`backup file ${file}: table ${table} appears twice`);
        seenTables.add(table);
        const infos = columns.map((name) => {
          const info = target.columns.get(name);
          if (!info) throw new Error(`backup column ${table}.${name} does not exist in this database`);
          return info;
        });
        current = { table, columns: infos, kinds: infos.map((info) => kindOf(info.udt)), pending: [] };
        summary.tables++;
        continue;
      }
      if (line && typeof line === 'object' && 'sequences' in line) {
        await flush();
        current = null;
        footer = line as BackupFooter;
        continue;
      }
      throw new Error(`backup file ${file}: unrecognised line ${JSON.stringify(line).slice(0, 80)}`);
    }
    if (!header) throw new Error(`backup file ${file} is empty`);
    if (!footer) throw new Error(`backup file ${file} is truncated (no final sequences line); nothing was restored`);
    if ((footer.tables !== undefined && footer.tables !== summary.tables) || (footer.rows !== undefined && footer.rows !== summary.rows)) {
      throw new Error(`backup file ${file} is inconsistent: it announces ${footer.tables} tables/${footer.rows} rows, found ${summary.tables}/${summary.rows}`);
    }

    const targetSequences = new Set(await listSequences(database, tx));
    for (const [name, value] of Object.entries(footer.sequences ?? {})) {
      if (!targetSequences.has(name)) throw new Error(`backup sequence ${name} does not exist in this database`);
      const regclass = sql`format('%I.%I', 'public', ${name}::text)::regclass`;
      if (value === null) {
        await database.rows(sql`SELECT setval(${regclass}, s.start_value, false) FROM pg_catalog.pg_sequences s WHERE s.schemaname = 'public' AND s.sequencename = ${name}`, tx);
      } else {
        await database.rows(sql`SELECT setval(${regclass}, CAST(CAST(${String(value)} AS text) AS bigint), true)`, tx);
      }
    }
    return summary;
  });
}

function checkHeader(line: unknown, file: string): BackupHeader {
  const header = line as Partial<BackupHeader> | null;
  if (!header || typeof header !== 'object' || header.format !== BACKUP_FORMAT) throw new Error(`${file} is not a CivicGrid backup`);
  if (header.version !== BACKUP_VERSION) throw new Error(`${file}: backup format version ${header.version} is not supported (expected ${BACKUP_VERSION})`);
  return { ...header, migrations: header.migrations ?? [] } as BackupHeader;
}

/**
 * The backup's schema must be the target's: same migrations (drizzle identifies them by their timestamp).
 * A backup is restored with the CivicGrid version that wrote it; upgrade afterwards.
 */
async function checkMigrations(header: BackupHeader, applied: MigrationRecord[]) {
  const name = (m: MigrationRecord) => m.tag ?? String(m.createdAt);
  const here = new Set(applied.map((m) => m.createdAt));
  const there = new Set(header.migrations.map((m) => m.createdAt));
  const missingHere = header.migrations.filter((m) => !here.has(m.createdAt));
  const missingThere = applied.filter((m) => !there.has(m.createdAt));
  if (missingHere.length > 0) {
    throw new Error(`the backup was written by a newer CivicGrid (migrations ${missingHere.map(name).join(', ')} are not applied here): upgrade first, then restore`);
  }
  if (missingThere.length > 0) {
    throw new Error(`the backup was written by an older CivicGrid (it lacks migrations ${missingThere.map(name).join(', ')}): restore it with that version, then upgrade`);
  }
}
