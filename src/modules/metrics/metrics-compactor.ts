import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { compactMetricDeltas } from './metrics.repository.ts';
import { startBackgroundLoop } from '../../shared/background-loop.ts';

/** Compacted deltas on PGlite before the table is vacuumed. */
const VACUUM_AFTER_ROWS = 20_000;

/**
 * The in-process loop that folds pending metric deltas into the rollups. Readers are exact with or
 * without it (they add the pending deltas); it keeps the pending set small so reads stay fast.
 */
export function startMetricsCompactor(context: AppContext, intervalMs = 1000, onError: (error: unknown) => void = () => undefined) {
  let movedSinceVacuum = 0;
  return startBackgroundLoop(
    async () => {
      // Drain in batches; a backlog after a bulk import is worked off without one huge statement.
      for (let i = 0; i < 50; i++) {
        const moved = await compactMetricDeltas(context.database);
        movedSinceVacuum += moved;
        if (moved === 0) break;
      }
      // PGlite has no autovacuum: without this, the compacted deltas stay as dead rows every reader scans.
      if (context.database.engine === 'pglite' && movedSinceVacuum >= VACUUM_AFTER_ROWS) {
        movedSinceVacuum = 0;
        await context.database.db.execute(sql`VACUUM case_metric_deltas`);
      }
    },
    intervalMs,
    onError,
  );
}
