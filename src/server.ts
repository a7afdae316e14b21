import pino from 'pino';
import { sql } from 'drizzle-orm';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { openDatabase } from './db/client.ts';
import { runMigrations } from './db/migrate.ts';
import { buildApp } from './http/app.ts';
import { PersonalDataCipher } from './shared/personal-data.ts';
import { resolveDataKey } from './shared/data-key.ts';
import { startSlaSweeper } from './modules/sla/sla-sweeper.ts';
import { startMetricsCompactor } from './modules/metrics/metrics-compactor.ts';
import { startDeliveryWorker } from './modules/notifications/delivery.worker.ts';
import { inAppAdapter, loggingAdapter } from './modules/notifications/delivery-adapters.ts';
import { pruneIdempotencyKeys } from './http/idempotency.ts';
import { pruneRateLimitCounters } from './shared/rate-limit.ts';
import { pruneUnattachedPhotos } from './modules/photos/photos.service.ts';

/** Opens the database (PGlite in `dataDir` unless DATABASE_URL is set) and applies migrations. */
export async function createContext(config: Config): Promise<AppContext> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir + '/pglite', poolSize: config.databasePoolSize });
  await runMigrations(database);
  return { config, database, cipher: new PersonalDataCipher(resolveDataKey(config)) };
}

/**
 * Import jobs run inside the server process; one that was running when an embedded (single-process)
 * server stopped can never finish, so it is marked failed (nothing of it was written: imports are one transaction).
 */
async function failInterruptedImports(context: AppContext) {
  if (context.database.engine !== 'pglite') return;
  await context.database.db.execute(sql`UPDATE import_jobs SET status = 'failed', finished_at = now(),
    errors = ${JSON.stringify([{ line: 0, reason: '导入被服务器重启中断，未写入任何数据 / Interrupted by a server restart; nothing was imported' }])}::jsonb
    WHERE status IN ('queued', 'validating', 'importing')`);
}

export async function startServer(context: AppContext) {
  await failInterruptedImports(context);
  const logger = pino({ level: context.config.logLevel });
  const app = await buildApp(context, { logger: { level: context.config.logLevel } });
  await app.listen({ port: context.config.port, host: context.config.host });
  const stopSweeper = startSlaSweeper(context, 250, (error) => logger.error({ err: error }, 'SLA sweep failed'));
  const stopCompactor = startMetricsCompactor(context, 1000, (error) => logger.error({ err: error }, 'metrics compaction failed'));
  const stopDelivery = startDeliveryWorker(context, [inAppAdapter(context), loggingAdapter('sms', logger), loggingAdapter('wechat', logger)], 500, (error) =>
    logger.error({ err: error }, 'notification delivery failed'),
  );
  // Housekeeping: idempotency keys and rate-limit windows are only useful for a day.
  const housekeeping = setInterval(() => {
    const now = new Date();
    const dayAgo = new Date(now.getTime() - 86_400_000);
    Promise.all([pruneIdempotencyKeys(context, now), pruneRateLimitCounters(context, dayAgo), pruneUnattachedPhotos(context, dayAgo)]).catch((error) => logger.error({ err: error }, 'housekeeping failed'));
  }, 10 * 60_000);
  housekeeping.unref();
  logger.info(`CivicGrid listening on http://localhost:${context.config.port} (${context.database.engine})`);
  const stop = async () => {
    stopSweeper();
    stopCompactor();
    stopDelivery();
    clearInterval(housekeeping);
    await app.close();
    await context.database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return app;
}
