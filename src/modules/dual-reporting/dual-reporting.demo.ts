import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { chinaDate, reportingPeriod } from './reporting-period.ts';

const POSTS = [
  { title: '楼道文明劝导岗', category: '文明实践', slots: 4, description: '每周巡查楼道堆物、飞线充电，劝导整改并拍照留档。' },
  { title: '独居老人探访岗', category: '关爱帮扶', slots: 3, description: '每月上门探访结对的独居老人，了解生活需求并反馈社区。' },
  { title: '政策宣讲岗', category: '理论宣讲', slots: 2, description: '在党群服务中心开展医保、养老政策宣讲。' },
  { title: '垃圾分类督导岗', category: '环境整治', slots: 5, description: '早晚投放高峰在分类点值守督导。' },
  { title: '矛盾纠纷调解岗', category: '平安建设', slots: 2, description: '协助调委会调处邻里纠纷。' },
];

/**
 * Demo 双报到: more reported members and the unit contact's organisation, five posts (one closed), claims and
 * sessions spread over this quarter (never in the future); two members have not served yet, so reminders show.
 */
export async function seedDualReportingDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community } = demo;
  const by = demo.users.dispatcher;
  const members = demo.partyMemberIds.slice(1, 6);
  for (const [i, memberId] of members.entries()) {
    await tx.execute(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, party_member_id, basis, registered_at, created_by)
      VALUES (${cityId}, 'member', ${community.id}, ${community.path}, ${memberId}, ${i % 2 ? 'work' : 'residence'}, now() - ${`${200 + i * 20} days`}::interval, ${by}) ON CONFLICT DO NOTHING`);
  }
  if (demo.residentUnitIds[0]) {
    await tx.execute(sql`INSERT INTO dual_registrations (city_id, kind, community_id, region_path, unit_id, basis, registered_at, created_by)
      VALUES (${cityId}, 'organization', ${community.id}, ${community.path}, ${demo.residentUnitIds[0]}, 'work', now() - interval '300 days', ${by}) ON CONFLICT DO NOTHING`);
  }
  // Registered before the quarter, so the ledger counts them this quarter.
  await tx.execute(sql`UPDATE dual_registrations SET registered_at = LEAST(registered_at, now() - interval '150 days') WHERE community_id = ${community.id}`);
  const registrations = await database.rows<{ id: number; party_member_id: number | null; unit_id: number | null }>(
    sql`SELECT id, party_member_id, unit_id FROM dual_registrations WHERE community_id = ${community.id} AND status = 'active' ORDER BY id`,
    tx,
  );
  const postIds: number[] = [];
  for (const [i, post] of POSTS.entries()) {
    const [row] = await database.rows<{ id: number }>(sql`INSERT INTO community_posts (city_id, community_id, region_path, title, description, category, slots, starts_on, status, created_by, created_at)
      VALUES (${cityId}, ${community.id}, ${community.path}, ${post.title}, ${post.description}, ${post.category}, ${post.slots}, (now() - interval '120 days')::date,
              ${i === 4 ? 'closed' : 'open'}, ${by}, now() - interval '120 days') RETURNING id`, tx);
    postIds.push(Number(row.id));
  }
  const period = reportingPeriod({});
  const today = chinaDate();
  const days = Math.max(1, Math.round((Date.parse(today) - Date.parse(period.from)) / 86_400_000));
  // The last two members and the demo account's member (it reports in during the walk) have not served this quarter:
  // the reminder list shows them.
  const idle = [...members.slice(-2), demo.partyMemberIds[0]];
  const serving = registrations.filter((r) => r.party_member_id === null || !idle.includes(Number(r.party_member_id)));
  let k = 0;
  for (const [i, registration] of serving.entries()) {
    const claimed = [postIds[i % 4], postIds[(i + 1) % 4]];
    for (const postId of claimed) {
      const [claim] = await database.rows<{ id: number }>(sql`INSERT INTO post_claims (city_id, post_id, region_path, registration_id, party_member_id, unit_id, claimed_at)
        SELECT ${cityId}, ${postId}, ${community.path}, ${registration.id}, ${registration.party_member_id}, ${registration.unit_id}, now() - interval '110 days'
         WHERE (SELECT count(*) FROM post_claims WHERE post_id = ${postId} AND status = 'claimed') < (SELECT slots FROM community_posts WHERE id = ${postId})
        ON CONFLICT DO NOTHING RETURNING id`, tx);
      if (!claim) continue;
      for (let session = 0; session < 3; session++) {
        const servedOn = new Date(Date.parse(period.from) + ((k++ * 7 + session * 11) % days) * 86_400_000).toISOString().slice(0, 10);
        await tx.execute(sql`INSERT INTO service_hours (city_id, community_id, region_path, party_member_id, unit_id, source_kind, source_id, served_on, hours, description, created_by)
          VALUES (${cityId}, ${community.id}, ${community.path}, ${registration.party_member_id}, ${registration.party_member_id === null ? registration.unit_id : null}, 'post', ${postId},
                  ${servedOn}, ${[1.5, 2, 2.5, 3][(k + session) % 4]}, ${['楼道巡查劝导', '入户走访', '分类点值守', '宣讲活动'][(k + session) % 4]}, ${by})`);
      }
    }
  }
}
