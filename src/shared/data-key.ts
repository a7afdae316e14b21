import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';

/**
 * The personal-data key comes from CIVICGRID_DATA_KEY. Only in demo mode, when it is unset, a random
 * key is generated once and kept beside the demo data (never acceptable in production).
 */
export function resolveDataKey(config: Config): string {
  if (config.dataKey) return config.dataKey;
  if (!config.demo) {
    throw new Error('CIVICGRID_DATA_KEY is not set: generate one with `openssl rand -hex 32` (see docs/deploy.md)');
  }
  const file = path.join(config.dataDir, 'demo-data-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = crypto.randomBytes(32).toString('hex');
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}
