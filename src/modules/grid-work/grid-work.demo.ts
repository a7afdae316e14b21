import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';

const needs = ['楼道灯不亮', '想报名老年食堂', '希望加装扶手', '咨询医保报销', '孩子放学无人接'];
const hazards = [
  { kind: 'fire', description: '楼道堆放纸箱' },
  { kind: 'electric', description: '电动车入户充电' },
  { kind: 'gas', description: '燃气软管老化' },
];
const disputeSeeds: Array<{ title: string; category: string; parties: string; status: 'found' | 'mediating' | 'resolved' | 'escalated'; result?: string }> = [
  { title: '楼上漏水纠纷', category: 'neighbour', parties: '张建国、李秀英', status: 'resolved', result: '楼上修复防水层，赔偿楼下墙面修补费用' },
  { title: '停车位占用', category: 'property', parties: '王强、赵磊', status: 'resolved', result: '物业划定临时车位，双方认可' },
  { title: '装修噪音扰民', category: 'neighbour', parties: '刘洋、陈静', status: 'mediating' },
  { title: '赡养老人分歧', category: 'family', parties: '周海、周梅', status: 'mediating' },
  { title: '宠物狗伤人', category: 'neighbour', parties: '孙丽、吴刚', status: 'found' },
  { title: '拖欠装修工人工资', category: 'labour', parties: '郑师傅、某装修公司', status: 'escalated' },
  { title: '菜地边界争议', category: 'land', parties: '黄大爷、林大妈', status: 'resolved', result: '村(居)委会现场丈量，重新立界' },
  { title: '楼道堆物', category: 'neighbour', parties: '何先生、马女士', status: 'found' },
];
const careGroups = ['elderly_living_alone', 'disabled', 'left_behind_child', 'low_income', 'veteran'] as const;

/**
 * Grid work of the demo community (no audit records): home visits over the last month, disputes in every
 * status (the escalated one linked to a case of its grid when there is one), and a care list of which a few
 * visits are overdue.
 */
export async function seedGridWorkDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const database = context.database;
  if (demo.grids.length === 0 || demo.residents.length === 0) return;
  const households = await database.rows<{ id: number; region_path: string; building_id: number; grid_id: number }>(
    sql`SELECT h.id, h.region_path, h.building_id, b.parent_id AS grid_id FROM households h JOIN region_nodes b ON b.id = h.building_id
         WHERE h.region_path LIKE ${demo.community.path + '%'} ORDER BY h.id LIMIT 40`,
    tx,
  );
  if (households.length === 0) return;
  const residents = demo.residents.slice(0, 12);
  const householdOf = new Map(households.map((h) => [Number(h.id), h]));

  // Care list: twelve residents, every third overdue.
  const careValues = residents
    .filter((r) => householdOf.has(r.householdId))
    .map((r, i) => {
      const h = householdOf.get(r.householdId)!;
      const every = [7, 14, 30][i % 3];
      const lastDaysAgo = i % 3 === 0 ? every + 1 + (i % 5) : Math.max(1, every - 3 - (i % 4));
      return sql`(${demo.cityId}, ${r.id}, ${Number(h.grid_id)}, ${h.region_path}, ${careGroups[i % careGroups.length]}, ${every}, ${demo.users.gridworker},
        now() - make_interval(days => ${lastDaysAgo}), ((now() - make_interval(days => ${lastDaysAgo})) AT TIME ZONE 'Asia/Shanghai')::date + ${every}::int)`;
    });
  const care = careValues.length
    ? await database.rows<{ id: number; resident_id: number }>(
        sql`INSERT INTO care_subjects (city_id, resident_id, grid_id, region_path, care_group, visit_every_days, responsible_user_id, last_visit_at, next_visit_due)
            VALUES ${sql.join(careValues, sql`, `)} ON CONFLICT (resident_id, care_group) DO NOTHING RETURNING id, resident_id`,
        tx,
      )
    : [];
  const careByResident = new Map(care.map((c) => [Number(c.resident_id), Number(c.id)]));

  // Home visits over the last 30 days, the care subjects' last visits among them.
  const visitValues = [];
  for (let i = 0; i < 36; i++) {
    const h = households[i % households.length];
    const resident = residents.find((r) => r.householdId === Number(h.id));
    const careId = resident && i < 12 ? careByResident.get(resident.id) ?? null : null;
    const collected = {
      populationChange: { kind: i % 9 === 0 ? 'moved_in' : 'none', ...(i % 9 === 0 ? { count: 1 + (i % 3) } : {}) },
      needs: i % 4 === 0 ? [needs[i % needs.length]] : [],
      hazards: i % 6 === 0 ? [hazards[i % hazards.length]] : [],
      notes: i % 2 === 0 ? '家中情况稳定' : '已宣传反诈知识',
    };
    const user = i % 5 === 0 ? demo.users.gridhead : demo.users.gridworker;
    visitValues.push(sql`(${demo.cityId}, ${Number(h.grid_id)}, ${h.region_path}, ${Number(h.id)}, ${Number(h.building_id)}, ${careId}, ${user},
      now() - make_interval(days => ${i % 30}, hours => ${(i * 7) % 10}), ${careId ? 'care' : ['routine', 'policy', 'dispute', 'routine'][i % 4]}, ${JSON.stringify(collected)}::jsonb, '')`);
  }
  await tx.execute(sql`INSERT INTO home_visits (city_id, grid_id, region_path, household_id, building_id, care_subject_id, visitor_user_id, visited_at, purpose, collected, notes)
    VALUES ${sql.join(visitValues, sql`, `)}`);

  // Disputes in every status.
  const disputeValues = disputeSeeds.map((d, i) => {
    const grid = demo.grids[i % demo.grids.length];
    const foundDaysAgo = 3 + i * 4;
    const mediating = d.status !== 'found';
    return sql`(${demo.cityId}, ${grid.id}, ${grid.path}, ${d.title}, ${d.title + '，网格员走访时发现'}, ${d.category}, ${d.parties}, ${d.status},
      now() - make_interval(days => ${foundDaysAgo}), ${demo.users.gridworker}, ${mediating ? '社区调委会' : null},
      ${mediating ? sql`now() - make_interval(days => ${foundDaysAgo - 1})` : null}, ${d.status === 'resolved' ? sql`now() - make_interval(days => ${Math.max(0, foundDaysAgo - 2)})` : null},
      ${d.result ?? null}, ${{ found: 1, mediating: 2, escalated: 2, resolved: 3 }[d.status]})`;
  });
  const disputes = await database.rows<{ id: number; status: string; grid_id: number; found_at: string }>(
    sql`INSERT INTO disputes (city_id, grid_id, region_path, title, description, category, parties, status, found_at, found_by, mediator, mediation_started_at, resolved_at, result, version)
        VALUES ${sql.join(disputeValues, sql`, `)} RETURNING id, status, grid_id, found_at`,
    tx,
  );
  const events = [];
  for (const d of disputes) {
    const steps: Array<[string, string | null, string]> = [['find', null, 'found']];
    if (d.status !== 'found') steps.push(d.status === 'escalated' ? ['escalate', 'found', 'escalated'] : ['mediate', 'found', 'mediating']);
    if (d.status === 'resolved') steps.push(['resolve', 'mediating', 'resolved']);
    for (const [action, from, to] of steps) events.push(sql`(${demo.cityId}, 'dispute', ${Number(d.id)}, ${action}, ${from}, ${to}, ${demo.users.gridworker}, '网格员')`);
    if (d.status === 'escalated') {
      await tx.execute(sql`UPDATE disputes SET case_id = (SELECT id FROM cases WHERE grid_id = ${Number(d.grid_id)} ORDER BY id DESC LIMIT 1), mediator = NULL, mediation_started_at = NULL WHERE id = ${Number(d.id)}`);
    }
  }
  await tx.execute(sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_user_id, actor_label) VALUES ${sql.join(events, sql`, `)}`);
}
