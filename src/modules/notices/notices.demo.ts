import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { MEETING_SUBJECT } from './deliberations.service.ts';
import { NOTICE_SUBJECT } from './notices.service.ts';

const day = (daysAgo: number, hours = 0) => new Date(Date.now() - daysAgo * 86_400_000 + hours * 3_600_000);

/** Published notices and disclosures, an organisation-life notice with receipts, and councils (seed 003/004). */
export async function seedNoticesDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const event = (subjectType: string, subjectId: number, action: string, from: string | null, to: string | null, at: Date, note: string | null = null) =>
    database.rows(
      sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_label, note, created_at)
          VALUES (${demo.cityId}, ${subjectType}, ${subjectId}, ${action}, ${from}, ${to}, '社区书记', ${note}, ${at})`,
      tx,
    );
  const [organization] = await database.rows<{ id: number }>(
    sql`SELECT po.id FROM party_organizations po JOIN party_members pm ON pm.party_organization_id = po.id WHERE pm.id = ${demo.partyMemberIds[0] ?? 0}`,
    tx,
  );
  const notices: Array<{ kind: string; title: string; body: string; status: 'draft' | 'published'; daysAgo: number; organizationId?: number; eventAt?: Date; region?: 'street' }> = [
    { kind: 'policy', title: '关于开展冬季消防安全检查的通知', body: '12月1日至15日，社区联合物业对各楼栋消防通道、灭火器进行检查，请居民清理楼道堆放物。', status: 'published', daysAgo: 3 },
    { kind: 'policy', title: '街道垃圾分类新规', body: '自下月起，厨余垃圾定时定点投放（早7-9点，晚6-8点）。', status: 'published', daysAgo: 10, region: 'street' },
    { kind: 'residents_affairs', title: '第三季度居务公开', body: '本季度社区公益金收入 12,000 元，支出 9,600 元（慰问困难群众 5,200 元，楼道照明维修 4,400 元）。', status: 'published', daysAgo: 8 },
    { kind: 'party_affairs', title: '第三季度党务公开', body: '本季度发展预备党员 1 名，收缴党费 6,840 元，开展主题党日 3 次。', status: 'published', daysAgo: 8 },
    { kind: 'residents_affairs', title: '老旧小区改造意见征集（草稿）', body: '征集加装电梯、停车位改造意见。', status: 'draft', daysAgo: 1 },
  ];
  if (organization) {
    notices.push({ kind: 'organization_life', title: '本月主题党日活动通知', body: '本周六上午9点在党群服务中心开展"我为群众办实事"主题党日，请全体党员准时参加。', status: 'published', daysAgo: 2, organizationId: Number(organization.id), eventAt: day(-3) });
  }
  for (const notice of notices) {
    const node = notice.region === 'street' ? demo.street : demo.community;
    const created = day(notice.daysAgo);
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO notices (city_id, kind, region_node_id, region_path, party_organization_id, title, body, status, published_at, event_at, created_by, created_at, updated_at)
          VALUES (${demo.cityId}, ${notice.kind}, ${node.id}, ${node.path}, ${notice.organizationId ?? null}, ${notice.title}, ${notice.body}, ${notice.status},
                  ${notice.status === 'published' ? day(notice.daysAgo, 1) : null}, ${notice.eventAt ?? null}, ${demo.users.dispatcher}, ${created}, ${created}) RETURNING id`,
      tx,
    );
    const id = Number(row.id);
    await event(NOTICE_SUBJECT, id, 'draft', null, 'draft', created);
    if (notice.status === 'published') await event(NOTICE_SUBJECT, id, 'publish', 'draft', 'published', day(notice.daysAgo, 1));
    if (notice.organizationId && demo.partyMemberIds[0]) {
      await database.rows(sql`INSERT INTO notice_receipts (city_id, notice_id, party_member_id, read_at) VALUES (${demo.cityId}, ${id}, ${demo.partyMemberIds[0]}, ${day(1)})`, tx);
    }
  }

  // Councils: one published with its results, one building council held, one planned.
  const building = demo.buildings[0] ?? null;
  const meetings: Array<{ kind: 'community_council' | 'building_council'; title: string; status: 'planned' | 'held' | 'published'; daysAgo: number; proposals: Array<[string, string, number, number, number, string]> }> = [
    {
      kind: 'community_council', title: '老旧小区加装电梯议事会', status: 'published', daysAgo: 12,
      proposals: [
        ['3栋加装电梯', 'adopted', 26, 3, 1, '通过：3栋加装电梯，费用按楼层系数分摊，低楼层住户减免'],
        ['小区东门增设非机动车棚', 'adopted', 22, 5, 3, '通过：由驻区单位出资建设，月底前完工'],
        ['广场舞时间调整为晚上9点前结束', 'deferred', 14, 12, 4, '暂缓：下次议事会再议，先征求舞蹈队意见'],
      ],
    },
    { kind: 'building_council', title: '楼道堆物清理共治会', status: 'held', daysAgo: 4, proposals: [['每月第一个周六集中清理楼道', 'pending', 0, 0, 0, '']] },
    { kind: 'community_council', title: '社区停车管理议事会', status: 'planned', daysAgo: -5, proposals: [['夜间共享驻区单位停车位', 'pending', 0, 0, 0, '']] },
  ];
  for (const meeting of meetings) {
    const node = meeting.kind === 'building_council' && building ? building : demo.community;
    const kind = node === demo.community ? 'community_council' : meeting.kind;
    const held = meeting.status !== 'planned';
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO deliberation_meetings (city_id, kind, region_node_id, region_path, title, held_at, location, participants, status, summary, published_at, created_by, created_at)
          VALUES (${demo.cityId}, ${kind}, ${node.id}, ${node.path}, ${meeting.title}, ${day(meeting.daysAgo)}, ${kind === 'building_council' ? '楼栋架空层' : '社区议事厅'},
                  ${held ? '居民代表、楼栋长、物业、驻区单位代表、社区两委' : null}, ${meeting.status},
                  ${held ? '与会代表充分讨论，逐项表决。' : null}, ${meeting.status === 'published' ? day(meeting.daysAgo - 1) : null}, ${demo.users.dispatcher}, ${day(meeting.daysAgo + 7)})
          RETURNING id`,
      tx,
    );
    const id = Number(row.id);
    await event(MEETING_SUBJECT, id, 'plan', null, 'planned', day(meeting.daysAgo + 7));
    for (const [title, decision, votesFor, against, abstain, result] of meeting.proposals) {
      const decided = decision !== 'pending';
      await database.rows(
        sql`INSERT INTO deliberation_proposals (city_id, meeting_id, region_path, title, proposer_name, decision, votes_for, votes_against, votes_abstain, public_result)
            VALUES (${demo.cityId}, ${id}, ${node.path}, ${title}, '居民代表', ${decision}, ${decided ? votesFor : null}, ${decided ? against : null}, ${decided ? abstain : null}, ${decided ? result : null})`,
        tx,
      );
      await event(MEETING_SUBJECT, id, 'propose', null, null, day(meeting.daysAgo + 3), title);
    }
    if (held) await event(MEETING_SUBJECT, id, 'hold', 'planned', 'held', day(meeting.daysAgo));
    if (meeting.status === 'published') await event(MEETING_SUBJECT, id, 'publish', 'held', 'published', day(meeting.daysAgo - 1));
  }
}
