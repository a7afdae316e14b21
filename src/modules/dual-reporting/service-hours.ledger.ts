import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import type { serviceHourSources } from '../../db/schema/index.ts';

export type ServiceHourSource = (typeof serviceHourSources)[number];

export interface ServiceHoursInput {
  cityId: number;
  communityId: number;
  regionPath: string;
  partyMemberId?: number | null;
  volunteerId?: number | null;
  unitId?: number | null;
  sourceKind: ServiceHourSource;
  sourceId?: number | null;
  /** YYYY-MM-DD (Asia/Shanghai). */
  servedOn: string;
  hours: number;
  description?: string;
  createdBy?: number | null;
}

/**
 * One entry in the service-hours ledger (服务台账), in the caller's transaction. Activities, service orders
 * and micro-wishes credit once per source and person (unique index); posts may log many sessions.
 * Returns the new entry's id, or null when that source was already credited.
 */
export async function recordServiceHours(database: Database, executor: Executor, input: ServiceHoursInput): Promise<number | null> {
  const rows = await database.rows<{ id: number }>(
    sql`INSERT INTO service_hours (city_id, community_id, region_path, party_member_id, volunteer_id, unit_id, source_kind, source_id, served_on, hours, description, created_by)
        VALUES (${input.cityId}, ${input.communityId}, ${input.regionPath}, ${input.partyMemberId ?? null}, ${input.volunteerId ?? null}, ${input.unitId ?? null},
                ${input.sourceKind}, ${input.sourceId ?? null}, ${input.servedOn}, ${input.hours}, ${input.description ?? ''}, ${input.createdBy ?? null})
        ON CONFLICT DO NOTHING RETURNING id`,
    executor,
  );
  return rows.length ? Number(rows[0].id) : null;
}
