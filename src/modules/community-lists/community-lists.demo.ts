import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { awardUnitPoints } from '../unit-points/unit-points.ledger.ts';
import { quarterOf, SUBJECT } from './community-lists.service.ts';
import type { ListItemStatus } from './community-lists-lifecycle.ts';

type Claimer = 'unit' | 'member' | 'agency' | null;
interface DemoItem {
  kind: 'need' | 'service';
  title: string;
  description: string;
  category: string;
  source: 'resident' | 'community' | 'resident_unit' | 'grid_worker';
  status: ListItemStatus;
  claimer: Claimer;
  daysAgo: number;
  poster?: string;
  note?: string;
}

/** Seed 003 (三张清单) and 001 (two-way needs list): what a community's lists look like after a few weeks. */
const ITEMS: DemoItem[] = [
  { kind: 'need', title: '独居老人希望有人定期上门助餐', description: '3栋王奶奶行动不便，子女在外地', category: 'elderly', source: 'grid_worker', status: 'posted', claimer: null, daysAgo: 2, poster: '王秀英' },
  { kind: 'need', title: '小区缺少儿童课后托管', description: '双职工家庭孩子放学后无人照看', category: 'children', source: 'resident', status: 'posted', claimer: null, daysAgo: 5, poster: '刘晓梅' },
  { kind: 'need', title: '单位职工停车位紧张', description: '希望协调夜间共享周边车位', category: 'parking', source: 'resident_unit', status: 'posted', claimer: null, daysAgo: 7 },
  { kind: 'need', title: '楼道照明灯损坏', description: '5栋2单元楼道灯不亮，老人上下楼不便', category: 'facilities', source: 'grid_worker', status: 'claimed', claimer: 'unit', daysAgo: 9, poster: '陈建国' },
  { kind: 'need', title: '希望开展防诈骗宣传', description: '近期老人接到诈骗电话较多', category: 'safety', source: 'community', status: 'delivered', claimer: 'member', daysAgo: 15, note: '党员志愿者入户宣传 42 户，发放资料 120 份' },
  { kind: 'service', title: '周末义诊进社区', description: '血压血糖测量、慢病咨询', category: 'health', source: 'community', status: 'posted', claimer: null, daysAgo: 1 },
  { kind: 'service', title: '老旧小区雨污管网检修', description: '需专业部门排查雨季积水点', category: 'facilities', source: 'community', status: 'claimed', claimer: 'agency', daysAgo: 6 },
  { kind: 'service', title: '青少年暑期书法课', description: '每周六上午，党群服务中心', category: 'children', source: 'community', status: 'delivered', claimer: 'unit', daysAgo: 20, note: '开课 6 次，参加学生 35 人次' },
  { kind: 'service', title: '为高龄老人理发', description: '每月一次上门服务', category: 'elderly', source: 'community', status: 'closed', claimer: 'member', daysAgo: 30, note: '本月为 18 位老人上门理发' },
  { kind: 'service', title: '社区篮球场夜间照明改造', description: '', category: 'facilities', source: 'community', status: 'withdrawn', claimer: null, daysAgo: 12 },
];

/** The steps a status took (the timeline shows them). */
const STEPS: Record<ListItemStatus, Array<[string, string | null, string]>> = {
  posted: [['post', null, 'posted']],
  claimed: [['post', null, 'posted'], ['claim', 'posted', 'claimed']],
  delivered: [['post', null, 'posted'], ['claim', 'posted', 'claimed'], ['deliver', 'claimed', 'delivered']],
  closed: [['post', null, 'posted'], ['claim', 'posted', 'claimed'], ['deliver', 'claimed', 'delivered'], ['close', 'delivered', 'closed']],
  withdrawn: [['post', null, 'posted'], ['withdraw', 'posted', 'withdrawn']],
};

const day = (daysAgo: number, hours = 0) => new Date(Date.now() - daysAgo * 86_400_000 + hours * 3_600_000);

/** Needs, service items (claimed, delivered, closed) and this quarter's problem list of the dispatcher's community. */
export async function seedCommunityListsDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const unitId = demo.residentUnitIds[0] ?? null;
  const memberId = demo.partyMemberIds[0] ?? null;
  const [names] = await database.rows<{ unit: string | null; member: string | null; agency: string | null }>(
    sql`SELECT (SELECT name FROM units WHERE id = ${unitId}) AS unit, (SELECT name FROM party_members WHERE id = ${memberId}) AS member,
               (SELECT name FROM units WHERE id = ${demo.agencyUnitId}) AS agency`,
    tx,
  );
  const grid = demo.grids[0] ?? demo.community;
  for (const item of ITEMS) {
    const claimedUnit = item.claimer === 'unit' ? unitId : item.claimer === 'agency' ? demo.agencyUnitId : null;
    const claimedMember = item.claimer === 'member' ? memberId : null;
    const claimLabel = item.claimer === 'unit' ? names.unit : item.claimer === 'agency' ? names.agency : names.member;
    const path = item.source === 'grid_worker' ? grid.path : demo.community.path;
    const createdBy = item.source === 'resident_unit' ? demo.users.unitcontact : item.source === 'grid_worker' ? demo.users.gridworker : demo.users.dispatcher;
    const created = day(item.daysAgo);
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, title, description, category, source, poster_unit_id, poster_name, poster_phone,
                                            status, claimed_by_unit_id, claimed_by_party_member_id, claimed_at, delivered_at, delivery_note, created_by, created_at, updated_at)
          VALUES (${demo.cityId}, ${item.kind}, ${demo.community.id}, ${path}, ${item.title}, ${item.description}, ${item.category}, ${item.source},
                  ${item.source === 'resident_unit' ? unitId : null}, ${item.poster ?? null}, ${item.poster ? '13985012345' : null}, ${item.status},
                  ${claimedUnit}, ${claimedMember}, ${item.claimer ? day(item.daysAgo, 20) : null}, ${item.note ? day(item.daysAgo - 3) : null}, ${item.note ?? null},
                  ${createdBy}, ${created}, ${created}) RETURNING id`,
      tx,
    );
    const id = Number(row.id);
    const steps = STEPS[item.status];
    for (const [i, [action, from, to]] of steps.entries()) {
      const label = action === 'claim' || action === 'deliver' ? claimLabel ?? '社区' : action === 'post' && item.source === 'resident_unit' ? names.unit ?? '驻区单位' : '社区书记';
      await database.rows(
        sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_label, note, created_at)
            VALUES (${demo.cityId}, ${SUBJECT}, ${id}, ${action}, ${from}, ${to}, ${label}, ${action === 'deliver' ? item.note ?? null : null}, ${day(item.daysAgo - i, i)})`,
        tx,
      );
    }
    if (item.claimer === 'unit' && unitId !== null) {
      const award = (event: 'service_claimed' | 'need_delivered') =>
        awardUnitPoints(database, tx, { cityId: demo.cityId, communityId: demo.community.id, regionPath: demo.community.path, unitId, event, sourceKind: SUBJECT, sourceId: id, note: item.title });
      await award('service_claimed');
      if (item.note) await award('need_delivered');
    }
  }

  // This quarter's problem list (问题清单): the categories residents reported most, and the open needs.
  const quarter = quarterOf(new Date());
  const problems: Array<[string, string, number, string]> = [
    ['噪音扰民', 'noise', 9, '夜间施工、广场舞音量过大'],
    ['道路设施', 'roads_facilities', 6, '人行道破损、井盖松动'],
    ['环境卫生', 'sanitation', 5, '垃圾清运不及时'],
    ['独居老人希望有人定期上门助餐', 'elderly', 0, '3栋王奶奶行动不便，子女在外地'],
  ];
  for (const [title, category, count, description] of problems) {
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO community_list_items (city_id, list_kind, region_node_id, region_path, quarter, title, description, category, source, case_count, created_by)
          VALUES (${demo.cityId}, 'problem', ${demo.community.id}, ${demo.community.path}, ${quarter}, ${title}, ${description}, ${category}, 'compiled', ${count}, ${demo.users.dispatcher})
          ON CONFLICT DO NOTHING RETURNING id`,
      tx,
    );
    if (row) {
      await database.rows(
        sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, to_status, actor_label, note)
            VALUES (${demo.cityId}, ${SUBJECT}, ${Number(row.id)}, 'compile', 'posted', '社区书记', ${count ? `${count} 件工单` : '来自需求清单'})`,
        tx,
      );
    }
  }
}
