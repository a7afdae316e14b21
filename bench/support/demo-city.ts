/**
 * A seeded small demo city on either engine, in scratch storage, for benchmarks and fault tests.
 */
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { Cleanup, createScratchDatabase, freePort, makeTempDir } from './scratch.ts';
import { runCli, type ServerOptions } from './server-process.ts';

export type Engine = 'pglite' | 'postgres';

export interface DemoCity {
  engine: Engine;
  /** Options for ServerProcess / runCli on this city's storage. */
  server: ServerOptions;
  cityCode: string;
  buildingCodes: string[];
  categoryCodes: string[];
  /**
   * Opens the database in this process for `run`, then closes it. On PGlite only while no server
   * process holds the data directory.
   */
  withDatabase<T>(run: (database: Database) => Promise<T>): Promise<T>;
}

export interface DemoCityOptions {
  engine: Engine;
  /** PostgreSQL server to create the scratch database on (engine postgres). */
  adminUrl?: string;
  /** Scratch database prefix, e.g. cg_bench. */
  prefix: string;
  cleanup: Cleanup;
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export async function prepareDemoCity(options: DemoCityOptions): Promise<DemoCity> {
  const log = options.log ?? (() => undefined);
  const temp = await makeTempDir(`${options.prefix.replaceAll('_', '-')}-`);
  options.cleanup.add(`remove ${temp.dir}`, () => temp.remove());
  let databaseUrl: string | null = null;
  if (options.engine === 'postgres') {
    if (!options.adminUrl) throw new Error('engine postgres needs an admin URL');
    const scratch = await createScratchDatabase(options.adminUrl, options.prefix);
    options.cleanup.add(`drop database ${scratch.name}`, () => scratch.drop());
    databaseUrl = scratch.url;
    log(`database ${scratch.name} created`);
  } else {
    log(`PGlite data directory ${temp.dir}/pglite`);
  }
  const server: ServerOptions = { port: await freePort(), dataDir: temp.dir, databaseUrl, env: options.env };
  const started = performance.now();
  await runCli(['seed', '--demo', '--scale', 'small'], server);
  log(`migrated and seeded the small demo city in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const withDatabase = async <T,>(run: (database: Database) => Promise<T>): Promise<T> => {
    const database = await openDatabase({ databaseUrl, dataDir: `${temp.dir}/pglite`, poolSize: 4 });
    try {
      return await run(database);
    } finally {
      await database.close();
    }
  };
  const { cityCode, buildingCodes, categoryCodes } = await withDatabase(async (database) => {
    const [city] = await database.rows<{ code: string }>(sql`SELECT code FROM cities ORDER BY id LIMIT 1`);
    const buildings = await database.rows<{ code: string }>(sql`SELECT code FROM region_nodes WHERE level = 'building' AND valid_to IS NULL ORDER BY id`);
    const categories = await database.rows<{ code: string }>(sql`SELECT code FROM case_categories WHERE active ORDER BY id`);
    return { cityCode: city.code, buildingCodes: buildings.map((b) => b.code), categoryCodes: categories.map((c) => c.code) };
  });
  return { engine: options.engine, server, cityCode, buildingCodes, categoryCodes, withDatabase };
}
