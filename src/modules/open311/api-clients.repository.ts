import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';

/** Open311 API keys: only the SHA-256 (hex) of a key is stored, plus its first 8 characters to recognise it. */
export const hashApiKey = (key: string) => crypto.createHash('sha256').update(key, 'utf8').digest('hex');

export interface ApiClient {
  id: number;
  cityId: number;
  name: string;
}

const MIN_KEY_LENGTH = 16;

/**
 * Registers an Open311 client of one city and returns its key (32 random bytes, base64url, unless one
 * is given). Registering the same key again for the same city is a no-op, so start-up can call it
 * every time; a key already held by another city is refused.
 */
export async function registerApiClient(context: AppContext, cityId: number, name: string, key?: string): Promise<string> {
  const apiKey = key ?? crypto.randomBytes(32).toString('base64url');
  if (apiKey.length < MIN_KEY_LENGTH) throw new AppError('validation_failed', `An API key needs at least ${MIN_KEY_LENGTH} characters`);
  const keyHash = hashApiKey(apiKey);
  await context.database.db.transaction(async (tx) => {
    const inserted = await context.database.rows<{ id: number }>(sql`
      INSERT INTO api_clients (city_id, name, key_hash, key_prefix) VALUES (${cityId}, ${name}, ${keyHash}, ${apiKey.slice(0, 8)})
      ON CONFLICT (key_hash) DO NOTHING RETURNING id`, tx);
    if (inserted.length === 0) {
      const [existing] = await context.database.rows<{ city_id: number }>(sql`SELECT city_id FROM api_clients WHERE key_hash = ${keyHash}`, tx);
      if (Number(existing.city_id) !== cityId) throw new AppError('conflict', 'This API key already belongs to another city');
      return;
    }
    await appendAudit(context.database, tx, {
      cityId, actorUserId: null, actorName: 'system', action: 'api_client.register', resourceType: 'api_client', resourceId: Number(inserted[0].id),
      outcome: 'success', ip: null, userAgent: null, details: { name, keyPrefix: apiKey.slice(0, 8) },
    });
  });
  return apiKey;
}

/** The active client holding this key, or null (unknown, inactive, or not a plausible key at all). */
export async function findApiClientByKey(context: AppContext, key: string | undefined): Promise<ApiClient | null> {
  if (!key || key.length < MIN_KEY_LENGTH || key.length > 200) return null;
  const [row] = await context.database.rows<{ id: number; city_id: number; name: string }>(
    sql`SELECT id, city_id, name FROM api_clients WHERE key_hash = ${hashApiKey(key)} AND active`,
  );
  return row ? { id: Number(row.id), cityId: Number(row.city_id), name: row.name } : null;
}

export async function touchApiClient(context: AppContext, clientId: number) {
  await context.database.db.execute(sql`UPDATE api_clients SET last_used_at = now() WHERE id = ${clientId}`);
}

/**
 * Demo mode: the client "Open311 demo" of the demo city holds the configured key. Idempotent across
 * restarts; when the configured key changes, the demo client's older keys stop working.
 */
export async function registerDemoApiClient(context: AppContext, cityCode: string): Promise<string | null> {
  const [city] = await context.database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${cityCode}`);
  if (!city) return null;
  const cityId = Number(city.id);
  const key = await registerApiClient(context, cityId, 'Open311 demo', context.config.demoOpen311Key);
  await context.database.db.execute(sql`UPDATE api_clients SET active = false
    WHERE city_id = ${cityId} AND name = 'Open311 demo' AND key_hash <> ${hashApiKey(key)} AND active`);
  return key;
}
