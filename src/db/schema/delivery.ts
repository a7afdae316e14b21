import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, jsonb, index, uniqueIndex, primaryKey, boolean } from 'drizzle-orm/pg-core';
import { cityId, id, ref, createdAt } from './columns.ts';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Transactional outbox: a row per (event, channel, recipient) written in the same transaction as the
 * state change; a delivery worker sends it with retries and backoff. The unique dedupe key makes
 * delivery at-least-once but never doubled per event.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    cityId: cityId(),
    /** `case_event:<id>` (or another source event id): deduplicates per event, channel and recipient. */
    eventKey: text('event_key').notNull(),
    channel: text('channel', { enum: ['in_app', 'sms', 'wechat'] }).notNull(),
    /** `user:<id>`, `sms:<phone>` or `wechat:<openid>`: part of the dedupe key. */
    recipient: text('recipient').notNull(),
    recipientUserId: ref('recipient_user_id'),
    /** Phone or WeChat openid for external channels (stored like any personal data; never logged unmasked). */
    recipientAddress: text('recipient_address'),
    template: text('template').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'dead'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbox_dedupe_uq').on(t.eventKey, t.channel, t.recipient),
    index('outbox_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);

/** The in-app inbox: what the in-app adapter delivers (one row per outbox row). */
export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    cityId: cityId(),
    userId: ref('user_id').notNull(),
    outboxId: ref('outbox_id').notNull(),
    caseId: ref('case_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    readAt: at('read_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('notifications_outbox_uq').on(t.outboxId), index('notifications_user_idx').on(t.userId, t.id)],
);

/**
 * Idempotency-Key records: the first request with a key stores its response; a repeat returns it, the
 * same key with another body is a 422, and a repeat while the first is still running is a 409.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** Who sent it: `user:<id>`, `client:<api client id>` or `anon:<ip>`. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    state: text('state', { enum: ['running', 'done'] }).notNull().default('running'),
    /** Random id of the execution that holds the key: a takeover after a crash gets a new one, and only the holder may finish it. */
    owner: text('owner').notNull().default(''),
    responseStatus: integer('response_status'),
    responseHeaders: jsonb('response_headers'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
    finishedAt: at('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/** Fixed-window counters for rate limits, shared by every server process through the database. */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    bucket: text('bucket').notNull(),
    windowStart: at('window_start').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);

/** Open311 clients: POST needs an API key; only the key's SHA-256 is stored. */
export const apiClients = pgTable(
  'api_clients',
  {
    id: id(),
    cityId: cityId(),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
  },
  (t) => [uniqueIndex('api_clients_key_hash_uq').on(t.keyHash)],
);

/**
 * Photos (and later other files) uploaded for a case or an action. The file lives outside the web root
 * under its random `storage_key`; `upload_token` lets an anonymous uploader attach it to their own report only.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    cityId: ref('city_id'),
    caseId: ref('case_id'),
    caseEventId: ref('case_event_id'),
    uploadToken: text('upload_token').notNull(),
    storageKey: text('storage_key').notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width'),
    height: integer('height'),
    sha256: text('sha256').notNull(),
    uploadedByUserId: ref('uploaded_by_user_id'),
    uploadedFromIp: text('uploaded_from_ip'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('attachments_upload_token_uq').on(t.uploadToken),
    uniqueIndex('attachments_storage_key_uq').on(t.storageKey),
    index('attachments_case_idx').on(t.caseId),
  ],
);
