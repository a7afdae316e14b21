import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import fs from 'node:fs';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one database type the services see: the same Drizzle API over PGlite or node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle has the same query API as the database itself. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

export interface Database {
  engine: 'pglite' | 'postgres';
  db: Db;
  /** Rows of a raw SQL statement, identical on both engines. */
  rows<T = Record<string, unknown>>(query: SQL, executor?: Executor): Promise<T[]>;
  close(): Promise<void>;
  pglite?: PGlite;
  pool?: pg.Pool;
  /** The server's connection string (PostgreSQL only), for side connections such as locks and LISTEN. */
  url?: string;
}

export interface OpenOptions {
  databaseUrl: string | null;
  /** PGlite data directory; `memory://` or undefined for an in-memory database. */
  dataDir?: string;
  poolSize?: number;
}

/**
 * Type parsers for queries that bypass Drizzle (pool.query): int8 and numeric as numbers, `date` as its
 * 'YYYY-MM-DD' text, never a local-midnight Date. Drizzle's own node-postgres session overrides parsers
 * per query, so through `rows()` int8 and timestamps may still arrive as strings on PostgreSQL and as
 * numbers/strings on PGlite: callers wrap ids in Number() and timestamps in new Date().
 */
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const sharedParsers: Record<number, (value: string) => unknown> = {
  [INT8]: (value) => Number(value),
  [NUMERIC]: (value) => Number(value),
  [DATE]: (value) => value,
};
const pgTypeParser = (oid: number, format?: string) => sharedParsers[oid] ?? pg.types.getTypeParser(oid, format as 'text');

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    // Timestamps come back as strings for `mode: 'string'` columns and Date objects otherwise (Drizzle maps them).
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, types: { getTypeParser: pgTypeParser as never } });
    pool.on('error', () => {
      /* an idle client died (e.g. server restart); the pool replaces it */
    });
    const db = drizzleNodePostgres(pool, { schema }) as unknown as Db;
    return {
      engine: 'postgres',
      db,
      pool,
      url: options.databaseUrl,
      rows: async <T,>(query: SQL, executor: Executor = db) => ((await executor.execute(query)) as unknown as { rows: T[] }).rows,
      close: () => pool.end(),
    };
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined;
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // btree_gist: the booking exclusion constraint (drizzle/0015) needs it; the server has it in contrib.
  // One options object: `new PGlite(undefined, options)` would drop the options for an in-memory database.
  const client = new PGlite({ dataDir, parsers: sharedParsers, extensions: { btree_gist } });
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    engine: 'pglite',
    db,
    pglite: client,
    rows: async <T,>(query: SQL, executor: Executor = db) => ((await executor.execute(query)) as unknown as { rows: T[] }).rows,
    close: () => client.close(),
  };
}

export { sql };
