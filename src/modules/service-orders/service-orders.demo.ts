import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { hashTrackingToken, newTrackingToken } from '../community/tokens.ts';
import { ensureServiceCategories } from './service-orders.repository.ts';

const DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3600_000;

/**
 * Demo 群众点单: the default catalogue, eight offerings of the dispatcher's community and orders in every
 * status (two waiting for dispatch, one dispatched to and one accepted by 'partymember', one completed
 * awaiting the resident, two confirmed with ratings, one cancelled). No audit records (demo data).
 * The completed order's tracking page is /o/demo-service-order-completed.
 */
export async function seedServiceOrdersDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community } = demo;
  await ensureServiceCategories(database, tx, cityId);
  const categories = new Map((await database.rows<{ id: number; code: string }>(sql`SELECT id, code FROM service_categories WHERE city_id = ${cityId}`, tx)).map((c) => [c.code, Number(c.id)]));
  const offering = async (code: string, name: string, description: string, hours: string | null) =>
    Number((await database.rows<{ id: number }>(sql`INSERT INTO service_offerings (city_id, category_id, region_node_id, region_path, name, description, hours, created_by, created_at)
      VALUES (${cityId}, ${categories.get(code)!}, ${community.id}, ${community.path}, ${name}, ${description}, ${hours}, ${demo.users.dispatcher}, now() - interval '60 days') RETURNING id`, tx))[0].id);
  const meal = await offering('meal_assistance', '老年助餐·午餐送上门', '60岁以上老人工作日午餐，社区食堂配送到家。', '1');
  const escort = await offering('hospital_escort', '陪同就医', '党员志愿者陪同挂号、取药、检查。', '3');
  const haircut = await offering('haircut', '上门义剪', '行动不便的老人可预约上门理发。', '1');
  const repair = await offering('appliance_repair', '小家电维修', '电饭煲、电风扇等小家电免费检修（材料自费）。', '1.5');
  const legal = await offering('legal_aid', '法律咨询', '律师党员每周三下午坐班，也可预约电话咨询。', '1');
  const tutoring = await offering('homework_tutoring', '四点半课堂', '放学后作业辅导，双职工家庭优先。', '2');
  await offering('errands', '代买代办', '代买生活用品、代缴水电费。', null);
  await offering('anti_fraud_education', '防诈宣传进家门', '上门讲解常见电信诈骗手法。', '1');

  const buildings = demo.buildings.length ? demo.buildings : [{ id: null as unknown as number, path: community.path, name: community.name, code: '' }];
  const residents = demo.residents.length ? demo.residents : [{ name: '王秀英', phone: '13985011234' }];
  const partyMemberId = demo.partyMemberIds[0];
  const [member] = await database.rows<{ name: string }>(sql`SELECT name FROM party_members WHERE id = ${partyMemberId}`, tx);
  const memberLabel = member?.name ?? '党员';
  let sequence = 0;

  const order = async (
    status: 'ordered' | 'dispatched' | 'accepted' | 'completed' | 'confirmed' | 'cancelled',
    offeringId: number,
    daysAgo: number,
    description: string,
    extra: { rating?: number; comment?: string; note?: string; token?: string } = {},
  ) => {
    const i = sequence++;
    const building = buildings[i % buildings.length];
    const resident = residents[(i * 3) % residents.length];
    const createdAt = new Date(Date.now() - daysAgo * DAY);
    const day = new Date(createdAt.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
    const hash = extra.token ? hashTrackingToken(extra.token) : newTrackingToken().hash;
    const assigned = status !== 'ordered' && status !== 'cancelled';
    const at = (hours: number) => new Date(createdAt.getTime() + hours * 3600_000).toISOString();
    const [row] = await database.rows<{ id: number; category_id: number }>(sql`
      INSERT INTO service_orders (city_id, number, tracking_token_hash, offering_id, category_id, community_id, region_path, building_id, resident_name, resident_phone,
        address, description, preferred_time, status, assignee_party_member_id, dispatched_by, dispatched_at, accepted_at, completed_at, completion_note, confirmed_at,
        rating, rating_comment, version, created_at, updated_at)
      SELECT ${cityId}, ${`FW${day}-${String(900 + i).padStart(4, '0')}`}, ${hash}, o.id, o.category_id, ${community.id}, ${building.path}, ${building.id}, ${resident.name},
        ${resident.phone ?? '13985011234'}, ${`${community.name}${building.name}`}, ${description}, ${['工作日上午', '周末下午', '越快越好', null][i % 4]}, ${status},
        ${assigned ? partyMemberId : null}, ${assigned ? demo.users.dispatcher : null}, ${assigned ? at(1) : null},
        ${['accepted', 'completed', 'confirmed'].includes(status) ? at(2) : null}, ${['completed', 'confirmed'].includes(status) ? at(26) : null},
        ${extra.note ?? null}, ${status === 'confirmed' ? at(30) : null}, ${extra.rating ?? null}, ${extra.comment ?? null}, 1, ${createdAt.toISOString()}, now()
      FROM service_offerings o WHERE o.id = ${offeringId} RETURNING id, category_id`, tx);
    const id = Number(row.id);
    const steps: Array<[string, string | null, string, string, number, string | null]> = [['order', null, 'ordered', '居民', 0, null]];
    if (status === 'cancelled') steps.push(['cancel', 'ordered', 'cancelled', '居民', 3, '家人已经帮忙办好了']);
    if (assigned) steps.push(['dispatch', 'ordered', 'dispatched', '社区接线员', 1, null]);
    if (['accepted', 'completed', 'confirmed'].includes(status)) steps.push(['accept', 'dispatched', 'accepted', memberLabel, 2, null]);
    if (['completed', 'confirmed'].includes(status)) steps.push(['complete', 'accepted', 'completed', memberLabel, 26, extra.note ?? null]);
    if (status === 'confirmed') steps.push(['confirm', 'completed', 'confirmed', '居民', 30, extra.comment ?? null]);
    for (const [action, from, to, label, hours, note] of steps) {
      await database.rows(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_user_id, actor_label, note, created_at)
        VALUES (${cityId}, 'service_order', ${id}, ${action}, ${from}, ${to}, ${label === '居民' ? null : label === memberLabel ? demo.users.partymember : demo.users.dispatcher},
                ${label}, ${note}, ${at(hours)})`, tx);
    }
    if (['completed', 'confirmed'].includes(status)) {
      const [hours] = await database.rows<{ hours: string | null }>(sql`SELECT hours FROM service_offerings WHERE id = ${offeringId}`, tx);
      await database.rows(sql`INSERT INTO service_hours (city_id, community_id, region_path, party_member_id, source_kind, source_id, served_on, hours, description, created_by)
        VALUES (${cityId}, ${community.id}, ${community.path}, ${partyMemberId}, 'service_order', ${id}, ${new Date(createdAt.getTime() + 26 * 3600_000 + CHINA_OFFSET_MS).toISOString().slice(0, 10)},
                ${hours.hours ?? '1'}, ${description}, ${demo.users.partymember}) ON CONFLICT DO NOTHING`, tx);
    }
  };

  await order('confirmed', meal, 20, '老伴住院，想订两周午餐', { rating: 5, comment: '饭菜热乎，王书记还陪老人聊了会儿天，谢谢！', note: '已连续送餐两周' });
  await order('confirmed', repair, 12, '电饭煲不加热了', { rating: 4, comment: '修好了，很及时', note: '更换温控器，居民自付材料费12元' });
  await order('completed', escort, 4, '周四去市第一人民医院复查，需要人陪同', { note: '已陪同完成检查并取药', token: 'demo-service-order-completed' });
  await order('accepted', haircut, 2, '老人卧床，想请人上门理发');
  await order('dispatched', legal, 1, '咨询房屋租赁合同纠纷');
  await order('ordered', tutoring, 0.3, '孩子三年级，放学后无人辅导作业');
  await order('ordered', meal, 0.1, '独居老人，想订工作日午餐');
  await order('cancelled', escort, 6, '陪同去医院拿药');
}
