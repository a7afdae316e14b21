import pino from 'pino';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { PersonalDataCipher } from './shared/personal-data.ts';
import { resolveDataKey } from './shared/data-key.ts';

/** Opens the database (PGlite in `dataDir` unless DATABASE_URL is set) and applies migrations. */
export async function createContext(config: Config): Promise<AppContext> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir + '/pglite' });
  await runMigrations(database);
  return { config, database, cipher: new PersonalDataCipher(resolveDataKey(config)) };
}

export async function startServer(context: AppContext) {
  const logger = pino({ level: context.config.logLevel });
  const app = await buildApp(context, { logger: { level: context.config.logLevel } });
  await app.listen({ port: context.config.port, host: context.config.host });
  logger.info(`CivicGrid listening on http://localhost:${context.config.port} (${context.database.engine})`);
  const stop = async () => {
    await app.close();
    await context.database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return app;
}
