import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import type { UnitPointEvent } from './unit-points.ledger.ts';

const DAY = 24 * 3600_000;

/** The demo community's rules (seed 001 style: serving earns, missing a joint meeting costs). */
const demoRules: Array<[UnitPointEvent, number]> = [
  ['activity_served', 3],
  ['service_claimed', 3],
  ['need_delivered', 5],
  ['wish_fulfilled', 2],
  ['meeting_attended', 2],
  ['meeting_missed', -5],
  ['post_served', 2],
];

/** What each of the three resident units did this year: [event, note, days ago]. */
const histories: Array<{ target: number; entries: Array<[UnitPointEvent, string, number]> }> = [
  // The first resident unit (the `unitcontact` liaison's): steady, normal standing, may book.
  {
    target: 85,
    entries: [
      ['activity_served', '重阳节敬老活动派出志愿者 6 名', 60],
      ['meeting_attended', '第三季度联席会议', 45],
      ['service_claimed', '认领“四点半课堂”服务', 30],
      ['meeting_missed', '十月联席会议未到', 20],
    ],
  },
  // The second: many services, honoured.
  {
    target: 110,
    entries: [
      ['service_claimed', '认领义诊进社区', 90],
      ['need_delivered', '为独居老人上门体检 12 人次', 70],
      ['activity_served', '健康讲座两场', 50],
      ['wish_fulfilled', '实现微心愿：助听器', 35],
      ['meeting_attended', '第三季度联席会议', 45],
      ['need_delivered', '慢病随访结对', 15],
    ],
  },
  // The third: absent, below the booking minimum.
  {
    target: 55,
    entries: [
      ['meeting_missed', '八月联席会议未到', 100],
      ['meeting_missed', '第三季度联席会议未到', 45],
      ['meeting_missed', '十月联席会议未到', 20],
      ['activity_served', '参加清扫楼道一次', 10],
    ],
  },
];

/** Settings, rules and ledgers of the demo community: balances near 85 (normal), 110 (honoured) and 55 (restricted). */
export async function seedUnitPointsDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community } = demo;
  await database.rows(
    sql`INSERT INTO unit_point_settings (city_id, community_id, region_path, base_points, booking_minimum, honour_threshold, updated_by)
        VALUES (${cityId}, ${community.id}, ${community.path}, 80, 60, 100, ${demo.users.dispatcher}) ON CONFLICT (community_id) DO NOTHING`,
    tx,
  );
  for (const [event, points] of demoRules) {
    await database.rows(
      sql`INSERT INTO unit_point_rules (city_id, community_id, region_path, event, points) VALUES (${cityId}, ${community.id}, ${community.path}, ${event}, ${points})
          ON CONFLICT (community_id, event) DO NOTHING`,
      tx,
    );
  }
  const points = new Map(demoRules);
  const now = Date.now();
  let sourceId = 1;
  for (const [i, history] of histories.entries()) {
    const unitId = demo.residentUnitIds[i];
    if (unitId === undefined) continue;
    for (const [event, note, daysAgo] of history.entries) {
      await database.rows(
        sql`INSERT INTO unit_point_entries (city_id, community_id, region_path, unit_id, event, source_kind, source_id, points, note, created_by, created_at)
            VALUES (${cityId}, ${community.id}, ${community.path}, ${unitId}, ${event}, 'demo_record', ${sourceId++}, ${points.get(event) ?? 0}, ${note},
                    ${demo.users.dispatcher}, ${new Date(now - daysAgo * DAY).toISOString()}::timestamptz)`,
        tx,
      );
    }
    // Other modules' demos may have awarded points already: one manual entry brings the unit to its story's balance.
    const [{ total }] = await database.rows<{ total: number }>(sql`SELECT coalesce(sum(points), 0)::int AS total FROM unit_point_entries WHERE unit_id = ${unitId} AND community_id = ${community.id}`, tx);
    const rest = history.target - 80 - Number(total);
    if (rest !== 0) {
      await database.rows(
        sql`INSERT INTO unit_point_entries (city_id, community_id, region_path, unit_id, event, source_kind, source_id, points, note, created_by, created_at)
            VALUES (${cityId}, ${community.id}, ${community.path}, ${unitId}, 'manual', 'manual_adjustment', NULL, ${rest},
                    ${rest > 0 ? '年初结转积分' : '年初结转扣分'}, ${demo.users.dispatcher}, ${new Date(now - 120 * DAY).toISOString()}::timestamptz)`,
        tx,
      );
    }
  }
}
