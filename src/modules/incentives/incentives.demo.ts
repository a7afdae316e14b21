import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { hashRedemptionCode } from './incentives.service.ts';
import { INCENTIVE_POINTS } from './incentives-lifecycle.ts';

const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** The demo's open code: the shop clerk can verify it at 楼栋激励 → 核销 (documented in docs/community/incentives.md). */
export const DEMO_OPEN_CODE = '52030088';

/** Chinese months: the last three, e.g. ['2026-08', '2026-09', '2026-10'] in November. */
function lastMonths(count: number) {
  const now = new Date(Date.now() + 8 * 3600_000);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - count + i, 1));
    return d.toISOString().slice(0, 7);
  });
}

/** Head points, two partner-shop offers with a redeemed and an open code, and three months of 最美楼栋 with red flags. */
export async function seedIncentivesDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const { cityId, community } = demo;
  const id = async (query: ReturnType<typeof sql>) => Number((await database.rows<{ id: number }>(query, tx))[0].id);
  const [home] = await database.rows<{ id: number; path: string }>(
    sql`SELECT n.id, n.path FROM role_assignments ra JOIN region_nodes n ON n.id = ra.region_node_id WHERE ra.user_id = ${demo.users.buildinghead} AND ra.role = 'building_head' LIMIT 1`,
    tx,
  );
  if (!home) return;
  const head = demo.users.buildinghead;
  const entry = (event: string, sourceKind: string, points: number, note: string, days: number, createdBy: number | null = demo.users.dispatcher, sourceId: number | null = null) =>
    id(sql`INSERT INTO incentive_point_entries (city_id, user_id, region_path, event, source_kind, source_id, points, note, created_by, created_at)
      VALUES (${cityId}, ${head}, ${home.path}, ${event}, ${sourceKind}, ${sourceId}, ${points}, ${note}, ${createdBy}, ${ago(days)}) RETURNING id`);
  for (const [index, days] of [80, 66, 51, 40, 33, 21, 12, 6, 2].entries()) await entry('case_satisfied', 'case', INCENTIVE_POINTS.caseSatisfied, `工单满意（第 ${index + 1} 件）`, days, null);
  await entry('service', 'service_record', 10, '组织楼栋大扫除', 70);
  await entry('service', 'service_record', 5, '走访独居老人 5 户', 45);
  await entry('service', 'service_record', 5, '协助人口信息核对', 28);
  await entry('manual', 'adjustment', 3, '楼栋长例会全勤奖励', 15);

  const offer = (title: string, description: string, cost: number) =>
    id(sql`INSERT INTO partner_shop_offers (city_id, shop_unit_id, region_path, title, description, points_cost, valid_until, created_at)
      VALUES (${cityId}, ${demo.shopUnitId}, ${community.path}, ${title}, ${description}, ${cost}, ${new Date(Date.now() + 180 * DAY).toISOString().slice(0, 10)}, ${ago(90)}) RETURNING id`);
  const groceries = await offer('日用品九折', '凭兑换码购买日用品享九折，每次限一件', 10);
  const rice = await offer('10 斤大米兑换', '积分兑换 10 斤装大米一袋', 20);
  const code = async (offerId: number, points: number, codeText: string, status: 'redeemed' | 'issued', days: number) => {
    const codeId = await id(sql`INSERT INTO redemption_codes (city_id, offer_id, shop_unit_id, user_id, region_path, code_hash, points, status, issued_at, expires_at, redeemed_at, redeemed_by)
      VALUES (${cityId}, ${offerId}, ${demo.shopUnitId}, ${head}, ${home.path}, ${hashRedemptionCode(codeText)}, ${points}, ${status}, ${ago(days)}, ${new Date(Date.now() - days * DAY + DAY).toISOString()},
              ${status === 'redeemed' ? ago(days - 0.1) : null}, ${status === 'redeemed' ? demo.users.shopclerk : null}) RETURNING id`);
    await entry('redeemed', 'redemption_code', -points, status === 'redeemed' ? '红城星店·10 斤大米兑换' : '红城星店·日用品九折', days, head, codeId);
  };
  await code(rice, 20, '10000001', 'redeemed', 20);
  await code(groceries, 10, DEMO_OPEN_CODE, 'issued', 0);

  // 最美楼栋: up to six buildings, three months, the best holds the red flag; the demo head's building wins the latest month.
  const buildings = demo.buildings.slice(0, 6);
  if (!buildings.some((b) => b.id === Number(home.id))) buildings[0] = { ...buildings[0], id: Number(home.id), path: home.path };
  const months = lastMonths(3);
  for (const [m, period] of months.entries()) {
    const scores = buildings.map((b, i) => ({ b, score: 78 + ((i * 7 + m * 5) % 18) + (m === 2 && b.id === Number(home.id) ? 20 : 0) }));
    const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
    for (const { b, score } of scores) {
      const value = Math.min(score, 99);
      const evaluationId = await id(sql`INSERT INTO building_evaluations (city_id, community_id, building_id, region_path, period, score, criteria, comment, red_flag, evaluated_by, created_at)
        VALUES (${cityId}, ${community.id}, ${b.id}, ${b.path}, ${period}, ${value},
                ${JSON.stringify({ 环境卫生: Math.round(value * 0.3), 邻里和睦: Math.round(value * 0.25), 安全有序: Math.round(value * 0.25), 议事参与: Math.round(value * 0.2) })}::jsonb,
                ${b === best.b ? '楼道整洁，议事活跃，获本月流动红旗' : '整体良好'}, ${b === best.b}, ${demo.users.dispatcher}, ${ago(30 * (2 - m) + 3)}) RETURNING id`);
      if (b === best.b && b.id === Number(home.id)) await entry('evaluation', 'red_flag', INCENTIVE_POINTS.redFlag, `流动红旗（${period}）`, 30 * (2 - m) + 3, demo.users.dispatcher, evaluationId);
    }
  }
}
