import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';

/** An unguessable token for a resident's tracking page; only its SHA-256 is stored. */
export function newTrackingToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(18).toString('base64url');
  return { token, hash: hashTrackingToken(token) };
}

export const hashTrackingToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

const CHINA_OFFSET_MS = 8 * 3600_000;

/**
 * A human-facing number such as FW20261125-0007: a prefix, the Asia/Shanghai date, and the day's sequence
 * per city and prefix (counted in the caller's transaction; the unique index on number settles a race).
 */
export async function nextNumber(database: Database, executor: Executor, cityId: number, table: 'service_orders' | 'micro_wishes', prefix: string): Promise<string> {
  const day = new Date(Date.now() + CHINA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
  const stem = `${prefix}${day}-`;
  const [row] = await database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE city_id = ${cityId} AND number LIKE ${stem + '%'}`, executor);
  return `${stem}${String(Number(row.n) + 1).padStart(4, '0')}`;
}
