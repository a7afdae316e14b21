#!/usr/bin/env node
// `npm test`: unit + API tests, then the browser walks (Debian Chromium through playwright-core).
// Uses PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** Runs a command with inherited stdio; returns its exit code. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    console.error(`${command}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

function ensureChromium() {
  if (existsSync(chromiumPath)) return;
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isDebian && isRoot && !process.env.CHROMIUM_PATH) {
    console.log("Chromium not found: installing the Debian package 'chromium' with apt-get (needed for the browser tests)…");
    const code = run('sh', ['-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk']);
    if (code !== 0 || !existsSync(chromiumPath)) {
      console.error(`Installing Chromium failed (exit code ${code}); install it yourself: sudo apt-get install -y chromium fonts-noto-cjk`);
      process.exit(1);
    }
    return;
  }
  console.error(`Chromium not found at ${chromiumPath}; the browser tests need it. Install it with:\n  sudo apt-get install -y chromium fonts-noto-cjk${process.env.CHROMIUM_PATH ? '\n(or point CHROMIUM_PATH at an existing Chromium)' : ''}`);
  process.exit(1);
}

function ensureWebBuild() {
  if (existsSync(path.join(root, 'web/dist/index.html'))) return;
  console.log('web/dist/index.html missing: building the web console (vite build)…');
  const code = run(npx, ['vite', 'build']);
  if (code !== 0) {
    console.error('vite build failed');
    process.exit(code);
  }
}

async function checkPostgres(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    let where = url;
    try {
      const parsed = new URL(url);
      parsed.password = parsed.password ? '***' : '';
      where = parsed.toString();
    } catch {
      // keep it as given
    }
    console.error(`PostgreSQL at ${where} does not answer: ${error.message}`);
    console.error('start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start');
    process.exit(1);
  } finally {
    await client.end().catch(() => {});
  }
}

ensureChromium();
ensureWebBuild();
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  await checkPostgres(databaseUrl);
  console.log('Database: PostgreSQL (DATABASE_URL is set; each test file gets a fresh database)');
} else {
  console.log('Database: embedded PGlite (set DATABASE_URL to test against PostgreSQL)');
}

const started = Date.now();
console.log('\n▶ unit and API tests: vitest run');
const unit = run(npx, ['vitest', 'run']);
console.log('\n▶ browser tests: vitest run -c vitest.e2e.config.ts');
const e2e = run(npx, ['vitest', 'run', '-c', 'vitest.e2e.config.ts']);
// kill -9 under load on the engine of this run (the embedded database, or the PostgreSQL server).
const engine = databaseUrl ? 'postgres' : 'pglite';
console.log(`\n▶ fault tests (${engine}): vitest run -c vitest.fault.config.ts`);
const fault = run(npx, ['vitest', 'run', '-c', 'vitest.fault.config.ts'], { env: { ...process.env, CIVICGRID_FAULT_ENGINES: engine } });

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (unit !== 0 || e2e !== 0 || fault !== 0) {
  const state = (code) => (code === 0 ? 'passed' : `FAILED (exit ${code})`);
  console.error(`\nTests failed (${seconds} s): unit/API ${state(unit)}, browser ${state(e2e)}, fault ${state(fault)}`);
  process.exit(1);
}
console.log(`\nAll tests passed (${seconds} s) on ${databaseUrl ? 'PostgreSQL' : 'PGlite'}.`);
