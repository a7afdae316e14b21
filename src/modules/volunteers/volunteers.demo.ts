import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';

/**
 * Demo 志愿服务: three teams (红色跑团 and a mediation team in the community, a patrol team of the street), residents
 * as volunteers, a finished activity with check-ins (hours credited), one running today and two upcoming.
 */
export async function seedVolunteersDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community, street } = demo;
  const by = demo.users.dispatcher;
  const team = async (node: { id: number; path: string }, name: string, kind: string, description: string, leader: string) =>
    Number((await database.rows<{ id: number }>(sql`INSERT INTO volunteer_teams (city_id, region_node_id, region_path, name, kind, description, leader_name)
      VALUES (${cityId}, ${node.id}, ${node.path}, ${name}, ${kind}, ${description}, ${leader}) RETURNING id`, tx))[0].id);
  const running = await team(community, '红色跑团', 'running', '党员带头晨跑巡河、巡街，随手拍报问题。', '周建国');
  const mediation = await team(community, '邻里调解队', 'mediation', '退休法官、老党员组成，调处邻里纠纷。', '吴德明');
  await team(street, '街道平安巡逻队', 'patrol', '夜间治安巡逻。', '郑强');

  const volunteerIds: number[] = [];
  for (const [i, resident] of demo.residents.slice(0, 10).entries()) {
    const [row] = await database.rows<{ id: number }>(sql`INSERT INTO volunteers (city_id, region_node_id, region_path, name, phone, resident_id, skills, created_at)
      VALUES (${cityId}, ${community.id}, ${community.path}, ${resident.name}, ${resident.phone}, ${resident.id}, ${['急救', '法律咨询', '摄影', '理发', '维修'][i % 5]}, now() - interval '90 days') RETURNING id`, tx);
    const id = Number(row.id);
    volunteerIds.push(id);
    await tx.execute(sql`INSERT INTO volunteer_team_members (city_id, team_id, volunteer_id) VALUES (${cityId}, ${i % 3 === 2 ? mediation : running}, ${id})`);
  }
  const day = 86_400_000;
  const activity = async (title: string, location: string, startsIn: number, capacity: number | null, hours: number, status: string, teamId: number | null) =>
    Number((await database.rows<{ id: number }>(sql`INSERT INTO volunteer_activities (city_id, region_node_id, region_path, team_id, title, description, location, starts_at, ends_at, capacity, hours, status, created_by)
      VALUES (${cityId}, ${community.id}, ${community.path}, ${teamId}, ${title}, ${title + '，欢迎党员和居民报名参加。'}, ${location},
              ${new Date(Date.now() + startsIn).toISOString()}, ${new Date(Date.now() + startsIn + hours * 3600_000).toISOString()}, ${capacity}, ${hours}, ${status}, ${by}) RETURNING id`, tx))[0].id);
  const finished = await activity('红色跑团·湘江河道清洁', '湘江河畔步道', -12 * day, 20, 2.5, 'finished', running);
  const today = await activity('关爱独居老人·义剪', '党群服务中心一楼', -3600_000, 8, 2, 'open', null);
  await activity('邻里节·矛盾纠纷集中调解', '社区议事厅', 5 * day, 10, 3, 'open', mediation);
  await activity('垃圾分类宣传进小区', '各小区广场', 9 * day, 30, 2, 'open', running);
  const servedOn = new Date(Date.now() - 12 * day + 8 * 3600_000).toISOString().slice(0, 10);
  for (const [i, volunteerId] of volunteerIds.slice(0, 6).entries()) {
    const unitId = i < 2 ? demo.residentUnitIds[0] ?? null : null;
    await tx.execute(sql`INSERT INTO activity_signups (city_id, activity_id, volunteer_id, unit_id, status, signed_up_at, checked_in_at)
      VALUES (${cityId}, ${finished}, ${volunteerId}, ${unitId}, ${i === 5 ? 'signed_up' : 'checked_in'}, now() - interval '15 days', ${i === 5 ? null : sql`now() - interval '12 days'`})`);
    if (i < 5) {
      await tx.execute(sql`INSERT INTO service_hours (city_id, community_id, region_path, volunteer_id, unit_id, source_kind, source_id, served_on, hours, description, created_by)
        VALUES (${cityId}, ${community.id}, ${community.path}, ${volunteerId}, ${unitId}, 'activity', ${finished}, ${servedOn}, 2.5, '红色跑团·湘江河道清洁', ${by})`);
    }
  }
  for (const volunteerId of volunteerIds.slice(3, 7)) {
    await tx.execute(sql`INSERT INTO activity_signups (city_id, activity_id, volunteer_id) VALUES (${cityId}, ${today}, ${volunteerId})`);
  }
}
