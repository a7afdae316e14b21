/**
 * Scratch resources for benchmarks and fault tests: an own PostgreSQL database and a temp data directory,
 * both removed again by cleanup (also on Ctrl-C and on errors).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** Where the benches find PostgreSQL when DATABASE_URL is not set. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Runs statements on the server of `url`; falls back to the `postgres` database when the named one does not exist. */
export async function adminQuery(url: string, ...statements: string[]): Promise<void> {
  let client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
    client = new pg.Client({ connectionString: withDatabaseName(url, 'postgres') });
    await client.connect();
  }
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers at `url` (a TCP connect plus a trivial query, 2 s at most). */
export async function postgresReachable(url: string): Promise<boolean> {
  try {
    await Promise.race([adminQuery(url, 'SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
    return true;
  } catch {
    return false;
  }
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` on the server of `adminUrl`; drop() removes it (WITH FORCE: the server may have died holding connections). */
export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  let dropped: Promise<void> | null = null;
  return {
    name,
    url: withDatabaseName(adminUrl, name),
    drop: () => (dropped ??= adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

export async function makeTempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

export async function freePort(): Promise<number> {
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

/**
 * Runs cleanup steps in reverse order of registration exactly once: at the end, on an error, and on
 * SIGINT/SIGTERM (then exits 130/143), so a stopped benchmark leaves no server, database or directory behind.
 */
export class Cleanup {
  private steps: Array<{ label: string; run: () => Promise<unknown> }> = [];
  private done: Promise<void> | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: cleaning up…\n`);
    void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };

  constructor(handleSignals = true) {
    if (handleSignals) {
      process.once('SIGINT', this.onSignal);
      process.once('SIGTERM', this.onSignal);
    }
  }

  add(label: string, run: () => Promise<unknown>) {
    this.steps.push({ label, run });
  }

  run(): Promise<void> {
    return (this.done ??= (async () => {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (error) {
          process.stderr.write(`cleanup: ${step.label} failed: ${(error as Error).message}\n`);
        }
      }
    })());
  }
}
