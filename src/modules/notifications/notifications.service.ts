import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';

export async function listNotifications(context: AppContext, actor: Actor, query: { unreadOnly: boolean; page: number; pageSize: number }) {
  const filter = sql`user_id = ${actor.userId} ${query.unreadOnly ? sql`AND read_at IS NULL` : sql``}`;
  const [counts] = await context.database.rows<{ total: number; unread: number }>(
    sql`SELECT count(*)::int AS total, count(*) FILTER (WHERE read_at IS NULL)::int AS unread FROM notifications WHERE ${filter}`,
  );
  const rows = await context.database.rows<{ id: number; case_id: number | null; title: string; body: string; read_at: string | null; created_at: string }>(
    sql`SELECT id, case_id, title, body, read_at, created_at FROM notifications WHERE ${filter} ORDER BY id DESC
        LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
  );
  return {
    items: rows.map((r) => ({ id: Number(r.id), caseId: r.case_id === null ? null : Number(r.case_id), title: r.title, body: r.body, read: r.read_at !== null, createdAt: new Date(r.created_at).toISOString() })),
    total: Number(counts.total),
    unread: Number(counts.unread),
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function markRead(context: AppContext, actor: Actor, id: number) {
  const rows = await context.database.rows(sql`UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = ${id} AND user_id = ${actor.userId} RETURNING id`);
  if (rows.length === 0) throw notFound('Notification');
  return { id, read: true };
}

export async function markAllRead(context: AppContext, actor: Actor) {
  const rows = await context.database.rows(sql`UPDATE notifications SET read_at = now() WHERE user_id = ${actor.userId} AND read_at IS NULL RETURNING id`);
  return { marked: rows.length };
}
