import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_DEMO_PASSWORD } from '../../src/config.ts';
import { withDatabaseName } from './database-names.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The demo accounts' password (the documented default unless CIVICGRID_DEMO_PASSWORD is set). */
export const DEMO_PASSWORD = process.env.CIVICGRID_DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD;
/** The demo administrators' TOTP secret (src/modules/demo/seed-demo.ts DEMO_TOTP_SECRET). */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

export interface E2EServer {
  baseUrl: string;
  /** Which database the server runs on. */
  engine: 'pglite' | 'postgres';
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `civicgrid serve --demo` as a child process on a free port, with a fresh data directory and,
 * when DATABASE_URL is set, a fresh PostgreSQL database (dropped again by stop()).
 * Resolves once GET /api/health answers; the demo city is seeded on this first start.
 */
export async function startE2EServer(options: { timeoutMs?: number } = {}): Promise<E2EServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const port = await freePort();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'civicgrid-e2e-'));
  const adminUrl = process.env.DATABASE_URL || null;
  let databaseName: string | null = null;
  // The server gets the caller's environment minus its own settings (a tile server, a data key, … from the
  // developer's shell would change what the walks see), and vitest's variables (it is a plain Node process).
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('CIVICGRID_') && !key.startsWith('VITEST') && key !== 'DATABASE_URL'),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    PORT: String(port),
    HOST: '127.0.0.1',
    CIVICGRID_DATA_DIR: dataDir,
    CIVICGRID_DEMO_PASSWORD: DEMO_PASSWORD,
    LOG_LEVEL: process.env.CIVICGRID_E2E_LOG_LEVEL ?? 'warn',
    NODE_ENV: 'development',
    // The walks make their own cases; generated history would fill the boards they read.
    CIVICGRID_DEMO_HISTORY_CASES: process.env.CIVICGRID_E2E_HISTORY_CASES ?? '0',
    // A private build of the web apps (parallel work on one checkout), else web/dist.
    ...(process.env.CIVICGRID_WEB_DIR ? { CIVICGRID_WEB_DIR: process.env.CIVICGRID_WEB_DIR } : {}),
  };

  if (adminUrl) {
    databaseName = `cg_e2e_${crypto.randomBytes(6).toString('hex')}`;
    try {
      await adminQuery(adminUrl, `CREATE DATABASE "${databaseName}"`);
    } catch (error) {
      await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
      throw error;
    }
    env.DATABASE_URL = withDatabaseName(adminUrl, databaseName);
  }

  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  const child = spawn(process.execPath, ['bin/civicgrid.mjs', 'serve', '--demo'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
    if (adminUrl && databaseName) {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch((error) => {
        console.warn(`could not drop ${databaseName}: ${(error as Error).message}`);
      });
    }
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) {
        const { code, signal } = exited;
        throw new Error(`civicgrid serve --demo exited early (code ${code}, signal ${signal}):\n${output}`);
      }
      try {
        const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`civicgrid serve --demo did not answer /api/health within ${timeoutMs} ms:\n${output}`);
      await sleep(200);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }

  let stopped: Promise<void> | null = null;
  return {
    baseUrl,
    engine: adminUrl ? 'postgres' : 'pglite',
    output: () => output,
    stop: () => (stopped ??= cleanup()),
  };
}
