import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';
import { maskPhone } from '../../shared/personal-data.ts';

/** One outbox row as an adapter sees it. `eventKey` is the dedupe key a real gateway gets as its message id. */
export interface OutboxMessage {
  id: number;
  cityId: number;
  eventKey: string;
  channel: 'in_app' | 'sms' | 'wechat';
  recipientUserId: number | null;
  recipientAddress: string | null;
  template: string;
  payload: { caseId?: number; caseNumber?: string; title?: string; action?: string; trackingToken?: string | null };
}

/** A delivery channel. `send` may throw: the worker retries with backoff. Delivery is at least once. */
export interface NotificationAdapter {
  channel: OutboxMessage['channel'];
  send(message: OutboxMessage, tx: Tx): Promise<void>;
}

const texts: Record<string, (m: OutboxMessage) => { title: string; body: string }> = {
  'case.new': (m) => ({ title: '新诉求待受理', body: `${m.payload.caseNumber} ${m.payload.title}` }),
  'case.task': (m) => ({ title: '新任务', body: `${m.payload.caseNumber} ${m.payload.title}：请在30分钟内联系群众` }),
  'case.escalated': (m) => ({ title: '诉求已上报', body: `${m.payload.caseNumber} ${m.payload.title}` }),
  'case.summoned': (m) => ({ title: '街道吹哨，请报到', body: `${m.payload.caseNumber} ${m.payload.title}` }),
  'case.overdue': (m) => ({ title: '催办：诉求已超时', body: `${m.payload.caseNumber} ${m.payload.title}` }),
  'case.extension_requested': (m) => ({ title: '延期申请待审批', body: `${m.payload.caseNumber} ${m.payload.title}` }),
  'resident.reply': (m) => ({ title: '您的诉求已答复', body: `诉求 ${m.payload.caseNumber} 已答复，请查看并评价` }),
  'resident.close': (m) => ({ title: '您的诉求已办结', body: `诉求 ${m.payload.caseNumber} 已办结` }),
  'resident.decline': (m) => ({ title: '您的诉求未受理', body: `诉求 ${m.payload.caseNumber} 未受理，详情请查看` }),
};

export const renderMessage = (message: OutboxMessage) => (texts[message.template] ?? ((m: OutboxMessage) => ({ title: m.template, body: m.payload.caseNumber ?? '' })))(message);

/** In-app: the user's inbox. The unique outbox_id makes a redelivery a no-op. */
export const inAppAdapter = (context: AppContext): NotificationAdapter => ({
  channel: 'in_app',
  async send(message, tx) {
    if (message.recipientUserId === null) return;
    const { title, body } = renderMessage(message);
    await context.database.rows(sql`INSERT INTO notifications (city_id, user_id, outbox_id, case_id, title, body)
      VALUES (${message.cityId}, ${message.recipientUserId}, ${message.id}, ${message.payload.caseId ?? null}, ${title}, ${body})
      ON CONFLICT (outbox_id) DO NOTHING`, tx);
  },
});

/**
 * SMS and WeChat template messages: the interface a gateway implements. This implementation logs the
 * message (phone masked) — a real gateway passes `eventKey` + recipient as its idempotent message id.
 */
export const loggingAdapter = (channel: 'sms' | 'wechat', logger: Pick<Logger, 'info'>): NotificationAdapter => ({
  channel,
  async send(message) {
    const { title, body } = renderMessage(message);
    const to = channel === 'sms' ? maskPhone(message.recipientAddress) : message.recipientAddress ? `${message.recipientAddress.slice(0, 4)}…` : null;
    logger.info({ channel, to, dedupeKey: `${message.eventKey}/${message.channel}`, title, body }, 'notification sent');
  },
});
