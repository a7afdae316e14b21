/**
 * The real server (`node bin/civicgrid.mjs serve --demo`) as a child process on a fixed port, data
 * directory and database, so it can be started, killed (SIGKILL) and started again on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerOptions {
  port: number;
  dataDir: string;
  /** PostgreSQL database of this server; null for embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  /** Extra environment (e.g. CIVICGRID_INTAKE_RATE_LIMIT=off). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[];
  logLevel?: string;
}

/**
 * The server gets the caller's environment minus CivicGrid's own settings and vitest's variables
 * (a developer's shell must not change what is measured), plus the options.
 */
export function serverEnv(options: ServerOptions): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('CIVICGRID_') && !key.startsWith('VITEST') && key !== 'DATABASE_URL' && key !== 'NODE_OPTIONS'),
  );
  return {
    ...inherited,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    CIVICGRID_DATA_DIR: options.dataDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    LOG_LEVEL: options.logLevel ?? 'warn',
    NODE_ENV: 'development',
    // The benchmarks measure their own load on the demo city, without generated history.
    CIVICGRID_DEMO_HISTORY_CASES: '0',
    ...options.env,
  };
}

/** Runs `node bin/civicgrid.mjs <args>` to completion (e.g. `seed --demo`); rejects with its output on failure. */
export async function runCli(args: string[], options: ServerOptions): Promise<string> {
  const child = spawn(process.execPath, ['bin/civicgrid.mjs', ...args], { cwd: repoRoot, env: serverEnv(options), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`civicgrid ${args.join(' ')} exited with ${code}:\n${output}`);
  return output;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ServerProcess {
  readonly baseUrl: string;
  private child: ChildProcess | null = null;
  private log = '';
  /** How many times the server was started. */
  starts = 0;

  constructor(readonly options: ServerOptions) {
    this.baseUrl = `http://127.0.0.1:${options.port}`;
  }

  /** Everything the server printed (last ~100 kB), for failure messages. */
  output(): string {
    return this.log;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the server and resolves once GET /api/health answers (the process may still be warming up). */
  async start(timeoutMs = 60_000): Promise<number> {
    if (this.running) throw new Error('server already running');
    const started = performance.now();
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), 'bin/civicgrid.mjs', 'serve', '--demo', '--scale', 'small'], {
      cwd: repoRoot,
      env: serverEnv(this.options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const append = (chunk: Buffer) => {
      this.log += chunk.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited while starting (code ${child.exitCode}, signal ${child.signalCode}):\n${this.log.slice(-5000)}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/api/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill('SIGKILL');
        throw new Error(`server did not answer /api/health within ${timeoutMs} ms:\n${this.log.slice(-5000)}`);
      }
      await sleep(50);
    }
  }

  /** CPU time (user + system) the server process has used so far, in ms (Linux /proc; null elsewhere). */
  cpuMs(): number | null {
    if (!this.pid) return null;
    try {
      // Fields after the command name: state is field 3, utime 14, stime 15 (in clock ticks, 100 per second on Linux).
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return null;
    }
  }

  /** Sends a signal and waits for the process to exit (SIGKILL after `graceMs` if it does not). */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Graceful stop (SIGTERM: the server closes its pool / PGlite and exits). */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}
