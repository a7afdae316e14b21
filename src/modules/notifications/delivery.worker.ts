import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { NotificationAdapter, OutboxMessage } from './delivery-adapters.ts';
import { startBackgroundLoop } from '../../shared/background-loop.ts';

/** Give up (status `dead`) after this many failed attempts; the delay doubles from 2 s up to an hour. */
export const MAX_ATTEMPTS = 10;
export const backoffSeconds = (attempts: number) => Math.min(3600, 2 ** attempts);

interface OutboxRow {
  id: number;
  city_id: number;
  event_key: string;
  channel: OutboxMessage['channel'];
  recipient_user_id: number | null;
  recipient_address: string | null;
  template: string;
  payload: unknown;
  attempts: number;
}

/**
 * Sends due outbox rows. Rows are taken with FOR UPDATE SKIP LOCKED, so several processes share the
 * work; each row is sent and marked in one transaction (a crash in between sends it again: at least once).
 */
export async function deliverDueNotifications(context: AppContext, adapters: NotificationAdapter[], now = new Date(), batch = 50) {
  const byChannel = new Map(adapters.map((a) => [a.channel, a]));
  let delivered = 0;
  let failed = 0;
  await context.database.db.transaction(async (tx) => {
    const due = await context.database.rows<OutboxRow>(
      sql`SELECT id, city_id, event_key, channel, recipient_user_id, recipient_address, template, payload, attempts FROM outbox
          WHERE status = 'pending' AND next_attempt_at <= ${now.toISOString()} ORDER BY next_attempt_at, id LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
      tx,
    );
    for (const row of due) {
      const message: OutboxMessage = {
        id: Number(row.id),
        cityId: Number(row.city_id),
        eventKey: row.event_key,
        channel: row.channel,
        recipientUserId: row.recipient_user_id === null ? null : Number(row.recipient_user_id),
        recipientAddress: row.recipient_address,
        template: row.template,
        payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as OutboxMessage['payload'],
      };
      const adapter = byChannel.get(message.channel);
      await tx.execute(sql`SAVEPOINT outbox_send`);
      try {
        if (!adapter) throw new Error(`no adapter for channel ${message.channel}`);
        await adapter.send(message, tx);
        await tx.execute(sql`RELEASE SAVEPOINT outbox_send`);
        await tx.execute(sql`UPDATE outbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${message.id}`);
        delivered++;
      } catch (error) {
        await tx.execute(sql`ROLLBACK TO SAVEPOINT outbox_send`);
        const attempts = Number(row.attempts) + 1;
        const next = new Date(now.getTime() + backoffSeconds(attempts) * 1000);
        await tx.execute(sql`UPDATE outbox SET attempts = ${attempts}, last_error = ${String((error as Error).message ?? error).slice(0, 500)},
            next_attempt_at = ${next.toISOString()}, status = ${attempts >= MAX_ATTEMPTS ? 'dead' : 'pending'} WHERE id = ${message.id}`);
        failed++;
      }
    }
  });
  return { delivered, failed };
}

/** The in-process delivery loop (like the SLA sweeper): an idle pass costs one indexed query. */
export function startDeliveryWorker(context: AppContext, adapters: NotificationAdapter[], intervalMs = 500, onError: (error: unknown) => void = () => undefined) {
  return startBackgroundLoop(() => deliverDueNotifications(context, adapters), intervalMs, onError);
}
