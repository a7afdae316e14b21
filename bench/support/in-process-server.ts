/**
 * The server inside the benchmark's own process, on the benchmark's database handle: how a bench talks
 * HTTP to an embedded PGlite database it also queries directly (PGlite allows one process per data
 * directory, so a separate server process cannot share it). Same app and background loops as
 * `civicgrid serve`, without its signal handlers and process.exit.
 */
import type { AppContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { startMetricsCompactor } from '../../src/modules/metrics/metrics-compactor.ts';
import { startSlaSweeper } from '../../src/modules/sla/sla-sweeper.ts';

export interface InProcessServer {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startInProcessServer(context: AppContext, port: number, onError: (error: unknown) => void = () => undefined): Promise<InProcessServer> {
  const app = await buildApp(context, { logger: { level: context.config.logLevel } });
  await app.listen({ port, host: '127.0.0.1' });
  const stopSweeper = startSlaSweeper(context, 250, onError);
  const stopCompactor = startMetricsCompactor(context, 1000, onError);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      stopSweeper();
      stopCompactor();
      await app.close();
    },
  };
}
