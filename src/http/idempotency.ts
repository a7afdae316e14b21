import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Tx } from '../db/client.ts';
import { AppError } from '../shared/errors.ts';
import { authenticate } from './request-context.ts';

/**
 * Idempotency-Key for every mutating request (POST, PUT, PATCH, DELETE):
 * - the first request with a key claims it (a `running` row) and its response is stored;
 * - a repeat returns the stored response with `Idempotent-Replayed: true`;
 * - the same key with a different body is a 422, and a repeat while the first still runs is a 409.
 * Commands that write call `claim.finishInTx()` inside their own transaction, so the stored response
 * commits with the change: a crash between commit and reply still replays, never re-executes. A claim
 * left `running` by a crashed process is taken over (at once on the single-process embedded database,
 * after STALE_SECONDS on a server), and only the current holder may finish it.
 */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  owner: string;
  finishedInTx: boolean;
  /** The body stored inside the command's transaction, to skip rewriting an identical answer. */
  bodyInTx?: string;
  stored: boolean;
  finishInTx(tx: Tx, status: number, body: unknown, headers?: Record<string, string>): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: IdempotencyClaim;
  }
  interface FastifyContextConfig {
    /** The answer holds a secret (a one-time code): it is kept encrypted for replays. */
    secretResponse?: boolean;
  }
}

/** Stored answers of secret-bearing routes carry this prefix before their ciphertext. */
const SEALED = 'sealed:';

const STALE_SECONDS = 10;
/** Keys are kept this long; older ones are pruned by the housekeeping loop. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;
/** This process: a running claim from another boot of an embedded database is certainly dead. */
const bootId = crypto.randomBytes(6).toString('hex');
const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Responses not worth replaying: the client should be able to retry them for real. */
const notStored = (status: number) => status >= 500 || status === 401 || status === 429;
const replayedHeaders = ['content-type', 'etag', 'location'];

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

function requestHash(request: FastifyRequest): string {
  // A multipart body's boundary changes on every retry of the same upload: its key covers the route only.
  const multipart = String(request.headers['content-type'] ?? '').startsWith('multipart/');
  const body = multipart || request.body === undefined ? '' : stableStringify(request.body);
  return crypto.createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
}

/** Keys belong to whoever sent them: the logged-in user, the Open311 client, or the anonymous address. */
async function scopeOf(context: AppContext, request: FastifyRequest): Promise<string> {
  if (request.cookies?.cg_session) {
    try {
      const actor = await authenticate(context, request, { allowMfaPending: true });
      return `user:${actor.userId}`;
    } catch {
      // An expired session: the route itself will answer 401.
    }
  }
  const apiKey = (request.body as { api_key?: unknown } | undefined)?.api_key ?? (request.query as { api_key?: unknown } | undefined)?.api_key;
  if (typeof apiKey === 'string' && apiKey) return `api:${crypto.createHash('sha256').update(apiKey).digest('hex').slice(0, 32)}`;
  return `anon:${request.ip}`;
}

interface KeyRow {
  request_hash: string;
  state: 'running' | 'done';
  owner: string;
  response_status: number | null;
  response_headers: unknown;
  response_body: string | null;
  stale: boolean;
}

function claimOf(context: AppContext, scope: string, key: string, owner: string): IdempotencyClaim {
  const claim: IdempotencyClaim = {
    scope,
    key,
    owner,
    finishedInTx: false,
    stored: false,
    async finishInTx(tx, status, body, headers = {}) {
      const done = await context.database.rows(sql`UPDATE idempotency_keys SET state = 'done', response_status = ${status},
          response_headers = ${JSON.stringify({ 'content-type': 'application/json; charset=utf-8', ...headers })}::jsonb,
          response_body = ${JSON.stringify(body)}, finished_at = now()
        WHERE scope = ${scope} AND key = ${key} AND owner = ${owner} AND state = 'running' RETURNING key`, tx);
      // Taken over by a retry after this execution was presumed dead: roll this one back.
      if (done.length === 0) throw new AppError('idempotency_in_progress', 'A retry of this request took over; its answer stands');
      claim.finishedInTx = true;
      claim.bodyInTx = JSON.stringify(body);
    },
  };
  return claim;
}

function replay(context: AppContext, reply: FastifyReply, row: KeyRow) {
  const headers = (typeof row.response_headers === 'string' ? JSON.parse(row.response_headers) : row.response_headers ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.header('Idempotent-Replayed', 'true');
  const body = row.response_body ?? '';
  return reply.status(Number(row.response_status)).send(body.startsWith(SEALED) ? context.cipher.decrypt(body.slice(SEALED.length)) : body);
}

export function installIdempotency(app: FastifyInstance, context: AppContext) {
  app.addHook('preHandler', async (request, reply) => {
    if (!mutating.has(request.method)) return;
    const raw = request.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = String(raw);
    if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
    const scope = await scopeOf(context, request);
    const hash = requestHash(request);
    const owner = `${bootId}:${crypto.randomUUID()}`;
    const path = request.url.split('?')[0].slice(0, 500);
    const inserted = await context.database.rows(sql`INSERT INTO idempotency_keys (scope, key, request_hash, method, path, owner)
      VALUES (${scope}, ${key}, ${hash}, ${request.method}, ${path}, ${owner}) ON CONFLICT (scope, key) DO NOTHING RETURNING key`);
    if (inserted.length === 1) {
      request.idempotency = claimOf(context, scope, key, owner);
      return;
    }
    const [existing] = await context.database.rows<KeyRow>(sql`SELECT request_hash, state, owner, response_status, response_headers, response_body,
        created_at < now() - make_interval(secs => ${STALE_SECONDS}) AS stale
      FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`);
    if (!existing) throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is being processed: retry shortly');
    if (existing.request_hash !== hash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
    }
    if (existing.state === 'done') return replay(context, reply, existing);
    const deadOnEmbedded = context.database.engine === 'pglite' && !existing.owner.startsWith(`${bootId}:`);
    if (deadOnEmbedded || existing.stale) {
      const taken = await context.database.rows(sql`UPDATE idempotency_keys SET owner = ${owner}, created_at = now()
        WHERE scope = ${scope} AND key = ${key} AND state = 'running' AND owner = ${existing.owner} RETURNING key`);
      if (taken.length === 1) {
        request.idempotency = claimOf(context, scope, key, owner);
        return;
      }
    }
    throw new AppError('idempotency_in_progress', 'A request with this Idempotency-Key is being processed: retry shortly');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim || claim.stored) return payload;
    claim.stored = true;
    const status = reply.statusCode;
    if (notStored(status) && !claim.finishedInTx) {
      await context.database.db.execute(sql`DELETE FROM idempotency_keys WHERE scope = ${claim.scope} AND key = ${claim.key} AND owner = ${claim.owner} AND state = 'running'`);
      return payload;
    }
    if (notStored(status)) return payload;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    if (claim.finishedInTx && body === claim.bodyInTx) return payload;
    const stored = request.routeOptions.config?.secretResponse ? SEALED + context.cipher.encrypt(body) : body;
    const headers: Record<string, string> = {};
    for (const name of replayedHeaders) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await context.database.db.execute(sql`UPDATE idempotency_keys SET state = 'done', response_status = ${status}, response_headers = ${JSON.stringify(headers)}::jsonb,
        response_body = ${stored}, finished_at = now()
      WHERE scope = ${claim.scope} AND key = ${claim.key} AND owner = ${claim.owner}`);
    return payload;
  });
}

/** Housekeeping: keys older than the retention window are dropped. */
export async function pruneIdempotencyKeys(context: AppContext, now = new Date()) {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_HOURS * 3600_000);
  await context.database.db.execute(sql`DELETE FROM idempotency_keys WHERE created_at < ${cutoff.toISOString()}`);
}
