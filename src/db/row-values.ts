import { sql } from 'drizzle-orm';

// Values of raw rows (database.rows): int8 and timestamps arrive as numbers, strings or Dates depending on the
// engine (src/db/client.ts), so every reader converts them the same way.

/** A timestamp column as ISO 8601, or null. */
export const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

/** A nullable number column (int8 ids included), or null. */
export const numberOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A `date` column as 'YYYY-MM-DD', or null. */
export const dateOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value.slice(0, 10) : new Date(value as string).toISOString().slice(0, 10);

/** Today in Asia/Shanghai, as SQL. */
export const chinaTodaySql = sql`(now() AT TIME ZONE 'Asia/Shanghai')::date`;
