import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { findSession, findUserById, loadGrants } from '../auth/auth.repository.ts';
import { hashToken } from '../auth/auth.service.ts';
import type { Actor, RoleGrant } from '../policy/actor.ts';
import { can, scopeFor } from '../policy/authorize.ts';
import { caseReadCondition } from '../cases/case-board.service.ts';
import type { CaseEventNotice } from './case-event-bus.ts';

/** What a board receives per event: enough to know what changed, nothing personal. */
export interface CaseStreamEvent {
  eventId: number;
  caseId: number;
  action: string;
  toStatus: string;
}

/** At most this many missed events are replayed after a reconnect (Last-Event-ID); older ones need a reload. */
export const REPLAY_LIMIT = 500;

export const streamSettings = {
  /** SSE comment lines keep proxies and the browser from timing the stream out. */
  heartbeatMs: 15_000,
  /** The browser's reconnect delay (`retry:`). */
  retryMs: 2_000,
  /** A client that does not read its stream is dropped past this many buffered bytes (it reconnects and replays). */
  maxBufferedBytes: 1024 * 1024,
};

/** Parses Last-Event-ID: a case event id, or nothing (a malformed header starts the stream fresh). */
export function lastEventIdOf(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !/^\d{1,15}$/.test(value.trim())) return null;
  const id = Number(value.trim());
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** Actions after which a case may summon other departments than before. */
const summonsChanging = new Set(['summon', 'department_return', 'reopen', 'return']);

/**
 * Decides whether an announced event is within the actor's case-read scope: its city and region path,
 * or — for department staff — whether the case currently summons their department. That needs the
 * database, so the answer is remembered per case until an action changes the case's summonses; a new
 * report ('submit') summons nobody yet.
 */
export function scopeChecker(context: AppContext, actor: Actor) {
  const scope = scopeFor(actor, 'case', 'read');
  const summonsMe = new Map<number, boolean>();
  return async (notice: CaseEventNotice): Promise<boolean> => {
    if (notice.cityId !== actor.cityId) return false;
    if (can(actor, 'case', 'read', { cityId: notice.cityId, regionPath: notice.regionPath })) return true;
    if (scope.unitIds.length === 0 || notice.action === 'submit') return false;
    let allowed = summonsChanging.has(notice.action) ? undefined : summonsMe.get(notice.caseId);
    if (allowed === undefined) {
      const summoned = await context.database.rows<{ department_id: number }>(
        sql`SELECT department_id FROM case_summonses WHERE case_id = ${notice.caseId} AND returned_at IS NULL`,
      );
      allowed = can(actor, 'case', 'read', { cityId: notice.cityId, regionPath: notice.regionPath, unitIds: summoned.map((s) => Number(s.department_id)) });
      if (summonsMe.size > 10_000) summonsMe.clear();
      summonsMe.set(notice.caseId, allowed);
    }
    return allowed;
  };
}

/** Events after `afterId` that the actor may see, oldest first, at most REPLAY_LIMIT. */
export async function replayEvents(context: AppContext, actor: Actor, afterId: number): Promise<CaseStreamEvent[]> {
  const rows = await context.database.rows<{ id: number; case_id: number; action: string; to_status: string }>(sql`
    SELECT e.id, e.case_id, e.action, e.to_status FROM case_events e JOIN cases c ON c.id = e.case_id
    WHERE e.id > ${afterId} AND e.city_id = ${actor.cityId} AND ${caseReadCondition(actor)}
    ORDER BY e.id LIMIT ${REPLAY_LIMIT}`);
  return rows.map((r) => ({ eventId: Number(r.id), caseId: Number(r.case_id), action: r.action, toStatus: r.to_status }));
}

/** One SSE message: the event id (for Last-Event-ID), its type and a JSON line. */
export const formatCaseEvent = (event: CaseStreamEvent) =>
  `id: ${event.eventId}\nevent: case\ndata: ${JSON.stringify({ eventId: event.eventId, caseId: event.caseId, action: event.action, toStatus: event.toStatus })}\n\n`;

const grantKey = (grants: readonly RoleGrant[]) => grants.map((g) => `${g.role}:${g.regionPath ?? ''}:${g.unitId ?? ''}`).sort().join('|');

/**
 * Is the stream's session still good: not revoked (logout), not idle past the limit, the user active,
 * the same roles? Only reads: an open stream does not keep a session alive by itself.
 */
export async function sessionStillValid(context: AppContext, token: string, actor: Actor): Promise<boolean> {
  const session = await findSession(context.database, hashToken(token));
  if (!session || session.revoked_at) return false;
  if (Date.now() - session.last_seen_at.getTime() > context.config.sessionIdleMinutes * 60_000) return false;
  const user = await findUserById(context.database, session.user_id);
  if (!user || user.status !== 'active') return false;
  return grantKey(await loadGrants(context.database, user.id)) === grantKey(actor.grants);
}
