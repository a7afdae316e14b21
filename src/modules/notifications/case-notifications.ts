import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Tx } from '../../db/client.ts';

/** What happened to a case, as the outbox needs it: written in the same transaction as the event. */
export interface CaseEventNotice {
  cityId: number;
  caseId: number;
  eventId: number;
  action: string;
  caseNumber: string;
  title: string;
  regionPath: string;
  holderLevel: string;
  /** Departments summoned by this event. */
  departmentIds?: number[];
  /** Grid workers given a task by this event. */
  assigneeUserIds?: number[];
  /** The resident's phone, only when they consented to be contacted. */
  residentPhone?: string | null;
  trackingToken?: string;
}

interface Message {
  channel: 'in_app' | 'sms' | 'wechat';
  recipient: string;
  recipientUserId: number | null;
  recipientAddress: string | null;
  template: string;
}

/** The role that holds a case at each level (who must act next). */
const holderRoles: Record<string, string[]> = { grid: ['grid_worker'], community: ['dispatcher'], street: ['street_officer'] };

/** Staff holding one of `roles` on a node whose subtree contains the case (the path lists those nodes' ids). */
async function staffAbove(context: AppContext, tx: Tx, cityId: number, regionPath: string, roles: string[]) {
  const ancestorIds = regionPath.split('/').filter(Boolean).map(Number);
  if (ancestorIds.length === 0 || roles.length === 0) return [];
  return context.database.rows<{ user_id: number }>(sql`
    SELECT DISTINCT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id
    WHERE ra.region_node_id IN (${sql.join(ancestorIds.map((id) => sql`${id}`), sql`, `)}) AND ra.role IN (${sql.join(roles.map((r) => sql`${r}`), sql`, `)})
      AND u.city_id = ${cityId} AND u.status = 'active'
    ORDER BY ra.user_id LIMIT 50`, tx);
}

async function departmentStaff(context: AppContext, tx: Tx, departmentIds: number[]) {
  if (departmentIds.length === 0) return [];
  return context.database.rows<{ user_id: number }>(sql`
    SELECT DISTINCT ra.user_id FROM role_assignments ra JOIN users u ON u.id = ra.user_id
    WHERE ra.role = 'department_staff' AND ra.unit_id IN (${sql.join(departmentIds.map((d) => sql`${d}`), sql`, `)}) AND u.status = 'active'
    ORDER BY ra.user_id LIMIT 50`, tx);
}

const toUsers = (template: string, userIds: number[]): Message[] =>
  userIds.map((userId) => ({ channel: 'in_app', recipient: `user:${userId}`, recipientUserId: userId, recipientAddress: null, template }));

/**
 * Decides who hears about a case event and writes one outbox row per (event, channel, recipient).
 * Staff get in-app messages (and an SMS when a clock ran out or a department is summoned); the resident
 * gets an SMS with the tracking link when their case is answered or closed, if they left a phone.
 */
export async function enqueueCaseNotifications(context: AppContext, tx: Tx, notice: CaseEventNotice) {
  const messages: Message[] = [];
  const ids = (rows: Array<{ user_id: number }>) => rows.map((r) => Number(r.user_id));
  switch (notice.action) {
    // 'submit': a new case's outbox rows (the community dispatchers) are written by intake's one statement (intake.repository.ts).
    case 'dispatch':
      messages.push(...toUsers('case.task', notice.assigneeUserIds ?? []));
      break;
    case 'escalate':
      messages.push(...toUsers('case.escalated', ids(await staffAbove(context, tx, notice.cityId, notice.regionPath, holderRoles[notice.holderLevel] ?? []))));
      break;
    case 'summon': {
      const staff = ids(await departmentStaff(context, tx, notice.departmentIds ?? []));
      messages.push(...toUsers('case.summoned', staff));
      messages.push(...(await phonesOf(context, tx, staff)).map((p) => ({ channel: 'sms' as const, recipient: `sms:${p.phone}`, recipientUserId: p.userId, recipientAddress: p.phone, template: 'case.summoned' })));
      break;
    }
    case 'remind': {
      const holders = ids(await staffAbove(context, tx, notice.cityId, notice.regionPath, holderRoles[notice.holderLevel] ?? []));
      messages.push(...toUsers('case.overdue', holders));
      messages.push(...(await phonesOf(context, tx, holders)).map((p) => ({ channel: 'sms' as const, recipient: `sms:${p.phone}`, recipientUserId: p.userId, recipientAddress: p.phone, template: 'case.overdue' })));
      break;
    }
    case 'request_extension':
      messages.push(...toUsers('case.extension_requested', ids(await staffAbove(context, tx, notice.cityId, notice.regionPath, ['street_officer']))));
      break;
    case 'reply':
    case 'close':
    case 'decline':
      if (notice.residentPhone) {
        messages.push({ channel: 'sms', recipient: `sms:${notice.residentPhone}`, recipientUserId: null, recipientAddress: notice.residentPhone, template: `resident.${notice.action}` });
      }
      break;
    default:
      break;
  }
  if (messages.length === 0) return 0;
  const payload = JSON.stringify({ caseId: notice.caseId, caseNumber: notice.caseNumber, title: notice.title, action: notice.action, trackingToken: notice.trackingToken ?? null });
  const values = messages.map(
    (m) => sql`(${notice.cityId}, ${`case_event:${notice.eventId}`}, ${m.channel}, ${m.recipient}, ${m.recipientUserId}, ${m.recipientAddress}, ${m.template}, ${payload}::jsonb)`,
  );
  await tx.execute(sql`INSERT INTO outbox (city_id, event_key, channel, recipient, recipient_user_id, recipient_address, template, payload)
    VALUES ${sql.join(values, sql`, `)} ON CONFLICT (event_key, channel, recipient) DO NOTHING`);
  return messages.length;
}

async function phonesOf(context: AppContext, tx: Tx, userIds: number[]) {
  if (userIds.length === 0) return [];
  const rows = await context.database.rows<{ id: number; phone: string | null }>(
    sql`SELECT id, phone FROM users WHERE id IN (${sql.join(userIds.map((u) => sql`${u}`), sql`, `)}) AND phone IS NOT NULL`,
    tx,
  );
  return rows.map((r) => ({ userId: Number(r.id), phone: r.phone as string }));
}
