import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { startOfChinaWeek } from './shared-resources.service.ts';

const HOUR = 3600_000;

/** Five resources of the community and its units, and bookings of this week (some waiting for the owner). */
export async function seedSharedResourcesDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community } = demo;
  const [school, hospital, power] = demo.residentUnitIds;
  const unitName = async (id: number | undefined) =>
    id === undefined ? null : ((await database.rows<{ name: string }>(sql`SELECT name FROM units WHERE id = ${id}`, tx))[0]?.name ?? null);

  const [schoolName, hospitalName, powerName] = [await unitName(school), await unitName(hospital), await unitName(power)];
  const resources: Array<{ owner: number | null; kind: string; name: string; description: string; location: string; terms: string; priceNote: string | null; approval: boolean; capacity: number | null }> = [
    { owner: null, kind: 'venue', name: '党群服务中心多功能厅', description: '投影、音响齐全，可办讲座、议事会', location: `${community.name}党群服务中心二楼`, terms: 'free', priceNote: null, approval: false, capacity: 120 },
    { owner: school ?? null, kind: 'sports_ground', name: `${schoolName ?? '驻区单位'}篮球场`, description: '下班后及周末向社区开放', location: `${schoolName ?? '驻区单位'}东门`, terms: 'free', priceNote: null, approval: true, capacity: 40 },
    { owner: hospital ?? null, kind: 'parking', name: `${hospitalName ?? '驻区单位'}夜间停车位`, description: '夜间 19:00—次日 7:00 向居民开放 30 个车位', location: `${hospitalName ?? '驻区单位'}北侧停车场`, terms: 'low_cost', priceNote: '每晚 5 元', approval: true, capacity: 30 },
    { owner: null, kind: 'wall', name: '红旗路文化墙', description: '宣传栏 12 米，可张贴活动海报', location: '红旗路 18 号沿街', terms: 'free', priceNote: null, approval: false, capacity: null },
    { owner: power ?? null, kind: 'meeting_room', name: `${powerName ?? '驻区单位'}会议室`, description: '40 座，含视频会议设备', location: `${powerName ?? '驻区单位'}三楼`, terms: 'paid', priceNote: '半天 200 元（公益活动减半）', approval: true, capacity: 40 },
  ];
  const ids: number[] = [];
  for (const r of resources) {
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO shared_resources (city_id, community_id, region_path, owner_unit_id, kind, name, description, location, terms, price_note, requires_approval, capacity)
          VALUES (${cityId}, ${community.id}, ${community.path}, ${r.owner}, ${r.kind}, ${r.name}, ${r.description}, ${r.location}, ${r.terms}, ${r.priceNote}, ${r.approval}, ${r.capacity})
          RETURNING id`,
      tx,
    );
    ids.push(Number(row.id));
    await database.rows(
      sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, to_status, actor_user_id, actor_label) VALUES (${cityId}, 'shared_resource', ${Number(row.id)}, 'create', 'active', ${demo.users.dispatcher}, '社区接线员')`,
      tx,
    );
  }

  // This week (Monday 00:00 Asia/Shanghai) plus [day, hour from, hour to] — spread over the week so the calendar fills.
  const monday = startOfChinaWeek().getTime();
  const communityLabel = `${community.name}（社区）`;
  const bookings: Array<{ resource: number; unit: number | undefined; label?: string; purpose: string; day: number; from: number; to: number; status: 'pending' | 'approved' }> = [
    { resource: ids[0], unit: undefined, label: communityLabel, purpose: '居民议事会', day: 1, from: 14, to: 16, status: 'approved' },
    { resource: ids[0], unit: school, purpose: '家长学校讲座', day: 3, from: 9, to: 11, status: 'approved' },
    { resource: ids[0], unit: hospital, purpose: '健康义诊', day: 5, from: 9, to: 12, status: 'approved' },
    { resource: ids[1], unit: hospital, purpose: '职工篮球友谊赛', day: 5, from: 16, to: 18, status: 'pending' },
    { resource: ids[1], unit: undefined, label: communityLabel, purpose: '青少年篮球训练营', day: 6, from: 9, to: 11, status: 'approved' },
    { resource: ids[2], unit: school, purpose: '教师夜间停车', day: 2, from: 19, to: 31, status: 'pending' },
    { resource: ids[3], unit: undefined, label: communityLabel, purpose: '垃圾分类宣传海报', day: 0, from: 8, to: 8 + 6 * 24, status: 'approved' },
    { resource: ids[4], unit: school, purpose: '社区党员冬训', day: 4, from: 14, to: 17, status: 'pending' },
  ];
  for (const b of bookings) {
    const label = b.label ?? (await unitName(b.unit)) ?? communityLabel;
    const from = new Date(monday + b.day * 24 * HOUR + b.from * HOUR).toISOString();
    const to = new Date(monday + b.day * 24 * HOUR + b.to * HOUR).toISOString();
    const booker = b.unit === school ? demo.users.unitcontact : demo.users.dispatcher;
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO resource_bookings (city_id, resource_id, region_path, booker_unit_id, booker_user_id, booker_label, purpose, period, status, decided_by, decided_at, created_at)
          VALUES (${cityId}, ${b.resource}, ${community.path}, ${b.unit ?? null}, ${booker}, ${label}, ${b.purpose}, tstzrange(${from}::timestamptz, ${to}::timestamptz, '[)'), ${b.status},
                  ${b.status === 'approved' ? demo.users.dispatcher : null}, ${b.status === 'approved' ? sql`${new Date(monday - 2 * 24 * HOUR).toISOString()}::timestamptz` : null},
                  ${new Date(monday - 3 * 24 * HOUR).toISOString()}::timestamptz)
          RETURNING id`,
      tx,
    );
    const id = Number(row.id);
    const needsApproval = resources[ids.indexOf(b.resource)].approval;
    await database.rows(
      sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, to_status, actor_user_id, actor_label, note)
          VALUES (${cityId}, 'resource_booking', ${id}, 'book', ${needsApproval ? 'pending' : 'approved'}, ${booker}, ${label}, ${b.purpose})`,
      tx,
    );
    if (needsApproval && b.status === 'approved') {
      await database.rows(
        sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_user_id, actor_label)
            VALUES (${cityId}, 'resource_booking', ${id}, 'approve', 'pending', 'approved', ${demo.users.dispatcher}, '社区接线员')`,
        tx,
      );
    }
  }
}
