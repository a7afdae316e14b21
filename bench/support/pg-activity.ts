/**
 * Samples pg_stat_activity for one database while a load runs: what the server's connections are
 * doing (running, waiting on a lock, idle in a transaction waiting for Node, idle), to tell a database
 * bottleneck from a lock convoy or a busy event loop.
 */
import pg from 'pg';

export interface ActivitySampler {
  stop(): Promise<string>;
}

export async function sampleActivity(url: string, databaseName: string, everyMs = 50): Promise<ActivitySampler> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ what: string; n: number }>(
        `SELECT CASE WHEN state = 'active' AND wait_event_type = 'Lock' THEN 'waiting on a lock (' || wait_event || ')'
                     WHEN state = 'active' AND wait_event_type IS NOT NULL THEN 'active, waiting on ' || wait_event_type || '/' || wait_event
                     WHEN state = 'active' THEN 'active on CPU'
                     WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for the app)'
                     ELSE coalesce(state, 'unknown') END AS what, count(*)::int AS n
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1`,
        [databaseName],
      );
      samples++;
      for (const row of rows) counts.set(row.what, (counts.get(row.what) ?? 0) + row.n);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await client.end();
      const lines = [...counts.entries()].filter(([, n]) => n / samples >= 0.01).sort((a, b) => b[1] - a[1]).map(([what, n]) => `  ${(n / samples).toFixed(2).padStart(6)}  ${what}`);
      return [`server connections on average over ${samples} samples:`, ...lines].join('\n');
    },
  };
}
