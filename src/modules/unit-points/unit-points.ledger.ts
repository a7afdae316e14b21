import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { unitPointEvents } from '../../db/schema/index.ts';

export type UnitPointEvent = (typeof unitPointEvents)[number];

/** Seed 001: below 60 a resident unit loses access to shared resources; above 100 it is marked for honours. */
export const DEFAULT_UNIT_POINT_SETTINGS = { basePoints: 80, bookingMinimum: 60, honourThreshold: 100 } as const;

/** Points each participation earns where the community has not set its own rule. */
export const DEFAULT_UNIT_POINT_RULES: Record<UnitPointEvent, number> = {
  activity_served: 2,
  service_claimed: 3,
  need_delivered: 3,
  wish_fulfilled: 2,
  meeting_attended: 2,
  meeting_missed: -3,
  post_served: 2,
  manual: 0,
};

export interface UnitPointSettings {
  basePoints: number;
  bookingMinimum: number;
  honourThreshold: number;
}

export async function unitPointSettingsOf(database: Database, communityId: number, executor?: Executor): Promise<UnitPointSettings> {
  const [row] = await database.rows<Record<string, unknown>>(
    sql`SELECT base_points, booking_minimum, honour_threshold FROM unit_point_settings WHERE community_id = ${communityId}`,
    executor,
  );
  if (!row) return { ...DEFAULT_UNIT_POINT_SETTINGS };
  return { basePoints: Number(row.base_points), bookingMinimum: Number(row.booking_minimum), honourThreshold: Number(row.honour_threshold) };
}

export interface AwardInput {
  cityId: number;
  communityId: number;
  regionPath: string;
  unitId: number;
  event: UnitPointEvent;
  /** What earned it ('activity_signup', 'list_item', 'joint_meeting_attendee' …) and its id: one award per source. */
  sourceKind: string;
  sourceId: number | null;
  /** For 'manual' entries: the points given; otherwise the community's rule (or the default) decides. */
  points?: number;
  note?: string | null;
  createdBy?: number | null;
}

/**
 * Awards a unit its points for one participation, in the caller's transaction. Idempotent per source (the
 * unique index), so a retried or repeated action never counts twice. Returns the points written (0: none).
 */
export async function awardUnitPoints(database: Database, executor: Executor, input: AwardInput): Promise<number> {
  let points = input.points;
  if (points === undefined) {
    const [rule] = await database.rows<{ points: number; active: boolean }>(
      sql`SELECT points, active FROM unit_point_rules WHERE community_id = ${input.communityId} AND event = ${input.event}`,
      executor,
    );
    points = rule ? (rule.active ? Number(rule.points) : 0) : DEFAULT_UNIT_POINT_RULES[input.event];
  }
  if (!points) return 0;
  const rows = await database.rows(
    sql`INSERT INTO unit_point_entries (city_id, community_id, region_path, unit_id, event, source_kind, source_id, points, note, created_by)
        VALUES (${input.cityId}, ${input.communityId}, ${input.regionPath}, ${input.unitId}, ${input.event}, ${input.sourceKind}, ${input.sourceId},
                ${points}, ${input.note ?? null}, ${input.createdBy ?? null})
        ON CONFLICT (unit_id, event, source_kind, source_id) WHERE source_id IS NOT NULL DO NOTHING RETURNING id`,
    executor,
  );
  return rows.length ? points : 0;
}

/** A unit's balance in a community: the community's base points plus every entry there. */
export async function unitPointBalance(database: Database, unitId: number, communityId: number, executor?: Executor): Promise<{ balance: number; settings: UnitPointSettings }> {
  const settings = await unitPointSettingsOf(database, communityId, executor);
  const [row] = await database.rows<{ total: number }>(
    sql`SELECT coalesce(sum(points), 0)::int AS total FROM unit_point_entries WHERE unit_id = ${unitId} AND community_id = ${communityId}`,
    executor,
  );
  return { balance: settings.basePoints + Number(row.total), settings };
}

/** Where a balance stands against the two thresholds. */
export const pointStanding = (balance: number, settings: UnitPointSettings) =>
  balance < settings.bookingMinimum ? ('restricted' as const) : balance > settings.honourThreshold ? ('honoured' as const) : ('normal' as const);
