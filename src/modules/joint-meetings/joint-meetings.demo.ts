import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';

const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const dateAgo = (days: number) => ago(days).slice(0, 10);

/** Items decided in the two held meetings: [title, meeting (0|1), status, due in days from now (negative: past), result]. */
const items: Array<[string, 0 | 1, 'done' | 'in_progress' | 'decided', number, string]> = [
  ['单位停车场夜间向居民开放', 0, 'done', -60, '开放车位 40 个，夜间 19:00—次日 7:30'],
  ['老旧小区加装电梯意见征集', 0, 'done', -55, '完成 6 栋楼征询，4 栋同意率超 2/3'],
  ['共建“四点半课堂”', 0, 'done', -50, '每周一至周五开课，志愿教师 12 名'],
  ['门球场夜间照明改造', 0, 'done', -45, '更换 LED 灯 16 盏'],
  ['医院专家每月义诊进社区', 0, 'done', -40, '已开展 3 次，服务 260 人次'],
  ['红色物业服务站挂牌', 0, 'done', -35, '物业党支部进驻服务站'],
  ['背街小巷环境整治', 1, 'done', -15, '清运垃圾 12 吨，补绿 300 平方米'],
  ['独居老人结对关爱', 1, 'done', -12, '结对 35 户，每周上门一次'],
  ['单位食堂为老人提供助餐', 1, 'done', -10, '午餐 12 元，每日约 60 人就餐'],
  ['共享会议室预约上线', 1, 'done', -5, '3 家单位会议室纳入区域资源清单'],
  ['雨污分流管网改造协调', 1, 'in_progress', 30, '设计方案已提交住建部门'],
  ['消防通道划线与堵塞治理', 1, 'decided', -3, ''],
];

/** An alliance with five members, three joint meetings (two held with minutes) and twelve co-building items. */
export async function seedJointMeetingsDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community } = demo;
  const id = async (query: ReturnType<typeof sql>) => Number((await database.rows<{ id: number }>(query, tx))[0].id);
  const [organization] = await database.rows<{ id: number; name: string }>(
    sql`SELECT o.id, o.name FROM party_organizations o JOIN region_nodes n ON n.id = o.region_node_id WHERE n.path LIKE ${community.path + '%'} ORDER BY (o.kind = 'community_party_org') DESC, o.id LIMIT 1`,
    tx,
  );
  const allianceId = await id(sql`INSERT INTO party_alliances (city_id, region_node_id, region_path, name, description, created_at)
    VALUES (${cityId}, ${community.id}, ${community.path}, ${community.name + '区域化党建联盟'}, '社区党委牵头，驻区单位、机关党组织共驻共建，每季度召开联席会议', ${ago(200)}) RETURNING id`);
  const unitIds = [...demo.residentUnitIds.slice(0, 3), demo.agencyUnitId];
  const members: Array<{ unitId: number | null; organizationId: number | null; name: string }> = [];
  for (const unitId of unitIds) {
    const [unit] = await database.rows<{ name: string }>(sql`SELECT name FROM units WHERE id = ${unitId}`, tx);
    await database.rows(sql`INSERT INTO alliance_members (city_id, alliance_id, unit_id, role_label, created_at) VALUES (${cityId}, ${allianceId}, ${unitId}, '成员单位', ${ago(200)})`, tx);
    members.push({ unitId, organizationId: null, name: unit.name });
  }
  if (organization) {
    await database.rows(sql`INSERT INTO alliance_members (city_id, alliance_id, party_organization_id, role_label, created_at) VALUES (${cityId}, ${allianceId}, ${Number(organization.id)}, '牵头单位', ${ago(200)})`, tx);
    members.push({ unitId: null, organizationId: Number(organization.id), name: organization.name });
  }

  const meetings = [
    { title: '第三季度联席会议', days: 75, status: 'held', agenda: '一、单位停车场错时开放；二、加装电梯征询；三、四点半课堂', minutes: '会议由社区党委书记主持，5 家成员单位参加。议定：1. 驻区单位停车场夜间向居民开放；2. 启动加装电梯意见征集；3. 共建“四点半课堂”……共议定事项 6 项，明确牵头单位和完成时限。', absent: 3 },
    { title: '第四季度联席会议', days: 25, status: 'held', agenda: '一、背街小巷整治；二、独居老人关爱；三、助餐服务', minutes: '议定事项 6 项：背街小巷环境整治、独居老人结对关爱、单位食堂助餐、共享会议室预约、雨污分流管网改造协调、消防通道治理。成员单位供电局营业厅请假。', absent: 3 },
    { title: '年度总结暨明年共建项目会商', days: -10, status: 'planned', agenda: '一、年度共建事项完成情况通报；二、征集明年共建项目', minutes: null, absent: -1 },
  ];
  const meetingIds: number[] = [];
  for (const meeting of meetings) {
    const meetingId = await id(sql`INSERT INTO joint_meetings (city_id, alliance_id, region_path, title, held_at, location, agenda, minutes, status, created_by, created_at, updated_at)
      VALUES (${cityId}, ${allianceId}, ${community.path}, ${meeting.title}, ${ago(meeting.days)}, ${community.name + '党群服务中心二楼会议室'}, ${meeting.agenda}, ${meeting.minutes}, ${meeting.status},
              ${demo.users.dispatcher}, ${ago(Math.abs(meeting.days) + 14)}, ${ago(Math.max(meeting.days, 0))}) RETURNING id`);
    meetingIds.push(meetingId);
    for (const [index, member] of members.entries()) {
      await database.rows(sql`INSERT INTO joint_meeting_attendees (city_id, meeting_id, unit_id, party_organization_id, attendee_name, attended)
        VALUES (${cityId}, ${meetingId}, ${member.unitId}, ${member.organizationId}, ${member.name}, ${meeting.status === 'held' && index !== meeting.absent})`, tx);
    }
    await database.rows(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, to_status, actor_user_id, actor_label, created_at)
      VALUES (${cityId}, 'joint_meeting', ${meetingId}, 'plan', 'planned', ${demo.users.dispatcher}, '社区书记', ${ago(Math.abs(meeting.days) + 14)})`, tx);
    if (meeting.status === 'held') {
      await database.rows(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_user_id, actor_label, note, created_at)
        VALUES (${cityId}, 'joint_meeting', ${meetingId}, 'hold', 'planned', 'held', ${demo.users.dispatcher}, '社区书记', ${`出席 ${members.length - 1}/${members.length}`}, ${ago(meeting.days)})`, tx);
    }
  }

  for (const [index, [title, meeting, status, due, result]] of items.entries()) {
    const decidedDays = meetings[meeting].days;
    const itemId = await id(sql`INSERT INTO co_building_items (city_id, meeting_id, alliance_id, region_path, title, lead_unit_id, due_on, status, progress_note, done_at, version, created_at, updated_at)
      VALUES (${cityId}, ${meetingIds[meeting]}, ${allianceId}, ${community.path}, ${title}, ${unitIds[index % unitIds.length]}, ${dateAgo(-due)}, ${status}, ${result || null},
              ${status === 'done' ? ago(Math.max(decidedDays - 10 - index, 1)) : null}, ${status === 'decided' ? 1 : status === 'in_progress' ? 2 : 3}, ${ago(decidedDays)}, ${ago(1)}) RETURNING id`);
    await database.rows(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, to_status, actor_user_id, actor_label, created_at)
      VALUES (${cityId}, 'co_building_item', ${itemId}, 'decide', 'decided', ${demo.users.dispatcher}, '社区书记', ${ago(decidedDays)})`, tx);
    if (status !== 'decided') {
      await database.rows(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_label, note, created_at)
        VALUES (${cityId}, 'co_building_item', ${itemId}, 'report_progress', 'decided', 'in_progress', '牵头单位联络员', '已组织实施', ${ago(decidedDays - 3)})`, tx);
    }
    if (status === 'done') {
      await database.rows(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_label, note, created_at)
        VALUES (${cityId}, 'co_building_item', ${itemId}, 'complete', 'in_progress', 'done', '牵头单位联络员', ${result}, ${ago(Math.max(decidedDays - 10 - index, 1))})`, tx);
    }
  }
}
