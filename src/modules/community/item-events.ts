import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { Actor } from '../policy/actor.ts';

export interface ItemEventInput {
  cityId: number;
  subjectType: string;
  subjectId: number;
  action: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  actorUserId?: number | null;
  /** As shown on the timeline: a user's name, '居民' for a resident on a token, a unit's name. */
  actorLabel: string;
  note?: string | null;
}

/** One timeline entry, in the caller's transaction (the same one that changes the status). */
export async function appendItemEvent(database: Database, executor: Executor, event: ItemEventInput): Promise<void> {
  await database.rows(
    sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_user_id, actor_label, note)
        VALUES (${event.cityId}, ${event.subjectType}, ${event.subjectId}, ${event.action}, ${event.fromStatus ?? null}, ${event.toStatus ?? null},
                ${event.actorUserId ?? null}, ${event.actorLabel}, ${event.note ?? null})`,
    executor,
  );
}

export const actorLabelOf = (actor: Actor) => actor.displayName;

export interface ItemEvent {
  id: number;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  actorLabel: string;
  note: string | null;
  at: string;
}

/** The timeline of one record, oldest first. */
export async function itemTimeline(database: Database, subjectType: string, subjectId: number, executor?: Executor): Promise<ItemEvent[]> {
  const rows = await database.rows<Record<string, unknown>>(
    sql`SELECT id, action, from_status, to_status, actor_label, note, created_at FROM item_events
         WHERE subject_type = ${subjectType} AND subject_id = ${subjectId} ORDER BY id`,
    executor,
  );
  return rows.map((row) => ({
    id: Number(row.id),
    action: row.action as string,
    fromStatus: (row.from_status as string | null) ?? null,
    toStatus: (row.to_status as string | null) ?? null,
    actorLabel: row.actor_label as string,
    note: (row.note as string | null) ?? null,
    at: new Date(row.created_at as string).toISOString(),
  }));
}
