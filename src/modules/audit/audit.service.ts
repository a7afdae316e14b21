import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';

export interface AuditEntry {
  cityId: number;
  actorUserId: number | null;
  actorName: string | null;
  action: string;
  resourceType: string;
  resourceId: string | number | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
  details?: Record<string, unknown> | null;
}

export const GENESIS = 'genesis';

/** JSON with sorted keys, so jsonb's own key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface HashedFields {
  id: number;
  cityId: number;
  at: string;
  actorUserId: number | null;
  actorName: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
}

export function auditHash(prevHash: string, fields: HashedFields): string {
  return crypto.createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

/**
 * Parallel chains per city: an appender locks one stripe's head only. The request loop's many writes
 * (intake, case actions) spread over random stripes; the rest (logins, reveals, administration) stay on
 * stripe 0, one plain chain in time order.
 */
export const AUDIT_STRIPES = 16;
export const randomStripe = () => Math.floor(Math.random() * AUDIT_STRIPES);

/**
 * A record's hashed fields without its id (only the database draws it), and their canonical JSON split
 * around the id: PostgreSQL hashes prev_hash + '\n' + prefix + id + suffix exactly as auditHash() does.
 */
function sealableAudit(entry: AuditEntry) {
  const fields: Omit<HashedFields, 'id'> = {
    cityId: entry.cityId,
    at: new Date().toISOString(),
    actorUserId: entry.actorUserId,
    actorName: entry.actorName,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId === null ? null : String(entry.resourceId),
    outcome: entry.outcome,
    ip: entry.ip,
    userAgent: entry.userAgent,
    details: entry.details ?? null,
  };
  const keys = Object.keys(fields).sort() as Array<keyof typeof fields>;
  const part = (key: keyof typeof fields) => `${JSON.stringify(key)}:${canonicalJson(fields[key])}`;
  const prefix = `{${keys.filter((k) => k < 'id').map(part).join(',')},"id":`;
  const suffix = `,${keys.filter((k) => k > 'id').map(part).join(',')}}`;
  return { fields, prefix, suffix };
}

/** Records as civicgrid_append_audit() takes them (drizzle/0010): their fields and the canonical JSON split around the id. */
export function auditRecordsJson(entries: AuditEntry[]): string {
  return JSON.stringify(
    entries.map((entry) => {
      const { fields, prefix, suffix } = sealableAudit(entry);
      return { ...fields, prefix, suffix };
    }),
  );
}

const headsKnown = new WeakMap<Database, Set<number>>();

/** Creates the city's chain head once (heads are never deleted), remembered per process. */
export async function ensureAuditHead(database: Database, cityId: number, executor: Executor = database.db) {
  let known = headsKnown.get(database);
  if (!known) headsKnown.set(database, (known = new Set()));
  if (known.has(cityId)) return;
  await executor.execute(sql`INSERT INTO audit_chain_heads (city_id, stripe, last_id, last_hash)
    SELECT ${cityId}, s, 0, ${GENESIS} FROM generate_series(0, ${AUDIT_STRIPES - 1}) AS s ON CONFLICT (city_id, stripe) DO NOTHING`);
  known.add(cityId);
}

/** The stripe a transaction appends to: all its records go to one chain, so it holds one head lock, taken once. */
const stripeOfTransaction = new WeakMap<object, number>();

/**
 * Appends one record in the caller's transaction, in one statement (civicgrid_append_audit): the head's
 * row lock is held for that round trip and the COMMIT only.
 */
export async function appendAudit(database: Database, executor: Executor, entry: AuditEntry, requestedStripe = 0): Promise<void> {
  const stripe = stripeOfTransaction.get(executor) ?? requestedStripe;
  if (executor !== database.db) stripeOfTransaction.set(executor, stripe);
  // Heads are created in their own statement and never deleted; inside a rolled-back transaction the
  // creation would vanish, so it is not remembered from here.
  // Only missing heads are inserted: an INSERT … ON CONFLICT on a head another transaction has just
  // moved would wait for that transaction, and two sweepers doing so to each other deadlock.
  await executor.execute(sql`INSERT INTO audit_chain_heads (city_id, stripe, last_id, last_hash)
    SELECT ${entry.cityId}, s, 0, ${GENESIS} FROM generate_series(0, ${AUDIT_STRIPES - 1}) AS s
    WHERE NOT EXISTS (SELECT 1 FROM audit_chain_heads h WHERE h.city_id = ${entry.cityId} AND h.stripe = s)
    ON CONFLICT (city_id, stripe) DO NOTHING`);
  const [{ appended }] = await database.rows<{ appended: number }>(
    sql`SELECT civicgrid_append_audit(${entry.cityId}::bigint, ${stripe}::smallint, ${auditRecordsJson([entry])}::jsonb) AS appended`,
    executor,
  );
  if (Number(appended) !== 1) throw new Error(`could not append to the audit chain of city ${entry.cityId}`);
}

/** Appends in a transaction of its own: for failures, whose own transaction was rolled back. */
export async function appendAuditAlone(database: Database, entry: AuditEntry): Promise<void> {
  await database.db.transaction(async (tx) => appendAudit(database, tx, entry));
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenId: number | null;
  reason: string | null;
}

interface AuditRow {
  id: string | number;
  city_id: string | number;
  at: string | Date;
  actor_user_id: string | number | null;
  actor_name: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}

/** Walks every chain (each city's stripes): an edited row breaks its own hash, a deleted row breaks its successor's link or the head. */
export async function verifyAuditChain(database: Database, cityId?: number): Promise<VerifyResult> {
  const heads = await database.rows<{ city_id: string | number; stripe: number; last_id: string | number; last_hash: string }>(
    cityId === undefined ? sql`SELECT * FROM audit_chain_heads ORDER BY city_id, stripe` : sql`SELECT * FROM audit_chain_heads WHERE city_id = ${cityId} ORDER BY stripe`,
  );
  let checked = 0;
  for (const head of heads) {
    let prevHash = GENESIS;
    let lastId = 0;
    const batch = 5000;
    for (;;) {
      const rows = await database.rows<AuditRow>(
        sql`SELECT * FROM audit_log WHERE city_id = ${Number(head.city_id)} AND stripe = ${Number(head.stripe)} AND id > ${lastId} ORDER BY id LIMIT ${batch}`,
      );
      for (const row of rows) {
        const id = Number(row.id);
        const details = typeof row.details === 'string' ? JSON.parse(row.details) : row.details;
        const fields: HashedFields = {
          id,
          cityId: Number(row.city_id),
          at: new Date(row.at).toISOString(),
          actorUserId: row.actor_user_id === null ? null : Number(row.actor_user_id),
          actorName: row.actor_name,
          action: row.action,
          resourceType: row.resource_type,
          resourceId: row.resource_id,
          outcome: row.outcome,
          ip: row.ip,
          userAgent: row.user_agent,
          details: details ?? null,
        };
        if (row.prev_hash !== prevHash) return { ok: false, checked, firstBrokenId: id, reason: 'link to the previous record is broken (a record was removed or reordered)' };
        if (auditHash(prevHash, fields) !== row.hash) return { ok: false, checked, firstBrokenId: id, reason: 'record content does not match its hash (edited)' };
        prevHash = row.hash;
        lastId = id;
        checked++;
      }
      if (rows.length < batch) break;
    }
    if (prevHash !== head.last_hash || lastId !== Number(head.last_id)) {
      return { ok: false, checked, firstBrokenId: lastId || null, reason: 'the newest records were removed (chain head does not match)' };
    }
  }
  return { ok: true, checked, firstBrokenId: null, reason: null };
}
