import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database, Executor } from './client.ts';

/** Inserts many rows in multi-row statements (kept under PostgreSQL's 65,535 bind parameters). */
export async function bulkInsert<T extends PgTable>(executor: Executor, table: T, rows: T['$inferInsert'][], onChunk?: (done: number) => void): Promise<void> {
  if (rows.length === 0) return;
  const columnsPerRow = Object.keys(rows[0] as object).length || 1;
  const chunk = Math.max(1, Math.min(2000, Math.floor(60000 / columnsPerRow)));
  for (let i = 0; i < rows.length; i += chunk) {
    await executor.insert(table).values(rows.slice(i, i + chunk) as never);
    onChunk?.(Math.min(i + chunk, rows.length));
  }
}

/** Reserves `count` ids of a bigserial table up front, so paths and references can be built before inserting. */
export async function reserveIds(database: Database, executor: Executor, table: string, count: number): Promise<number[]> {
  if (count === 0) return [];
  const sequence = `${table}_id_seq`;
  const rows = await database.rows<{ id: string | number }>(sql`SELECT nextval(${sequence}) AS id FROM generate_series(1, ${count})`, executor);
  return rows.map((row) => Number(row.id));
}
