import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Executor } from '../../db/client.ts';
import type { DemoCommunity } from '../demo/demo-community.ts';
import { recordServiceHours } from '../dual-reporting/service-hours.ledger.ts';
import { newTrackingToken } from '../community/tokens.ts';
import { maskName } from '../../shared/personal-data.ts';
import { awardUnitPoints } from '../unit-points/unit-points.ledger.ts';
import type { MicroWishStatus } from './micro-wishes-lifecycle.ts';

type Claimer = 'unit' | 'member' | null;
/** Seed 003/004: reading glasses, school bags, a wheelchair ramp… in every status, claimed by the demo liaison and party member. */
const WISHES: Array<{ title: string; description: string; kind: string; name: string; status: MicroWishStatus; claimer: Claimer; daysAgo: number; note?: string; thanks?: string }> = [
  { title: '想要一副老花镜', description: '看报纸、看药盒上的字都看不清了', kind: 'elderly', name: '王桂兰', status: 'posted', claimer: null, daysAgo: 1 },
  { title: '想要一个新书包', description: '旧书包拉链坏了，开学想背新书包', kind: 'child', name: '李子涵', status: 'posted', claimer: null, daysAgo: 2 },
  { title: '想学用智能手机视频通话', description: '想和在外地打工的儿子视频', kind: 'elderly', name: '陈德明', status: 'posted', claimer: null, daysAgo: 3 },
  { title: '希望有人陪我去医院复查', description: '腿脚不便，每月需要去医院复查一次', kind: 'disabled', name: '赵秀英', status: 'claimed', claimer: 'member', daysAgo: 4 },
  { title: '想要一套课外读物', description: '喜欢看科普书', kind: 'child', name: '刘一鸣', status: 'claimed', claimer: 'unit', daysAgo: 5 },
  { title: '家门口想装一个扶手', description: '楼道台阶陡，上下楼怕摔', kind: 'elderly', name: '张建国', status: 'fulfilled', claimer: 'unit', daysAgo: 9, note: '单位志愿者已上门安装楼道扶手' },
  { title: '冬天想要一床厚棉被', description: '', kind: 'low_income', name: '周玉芬', status: 'fulfilled', claimer: 'member', daysAgo: 10, note: '已送去新棉被一床' },
  { title: '想过一个热闹的生日', description: '八十岁生日，子女都不在身边', kind: 'elderly', name: '吴淑珍', status: 'confirmed', claimer: 'member', daysAgo: 14, note: '和邻居们一起陪老人过了生日', thanks: '谢谢党员同志，这个生日过得真开心！' },
  { title: '想要一个篮球', description: '想和小伙伴在社区球场打球', kind: 'child', name: '孙浩然', status: 'confirmed', claimer: 'unit', daysAgo: 20, note: '单位送来篮球一个', thanks: '谢谢叔叔阿姨！' },
  { title: '想请人修一修收音机', description: '', kind: 'elderly', name: '郑长福', status: 'withdrawn', claimer: null, daysAgo: 6 },
];

const day = (daysAgo: number, hours = 0) => new Date(Date.now() - daysAgo * 86_400_000 + hours * 3_600_000);
const ymd = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/** A wall of ten wishes in the dispatcher's community, with their timelines and the points and hours they earned. */
export async function seedMicroWishesDemo(context: AppContext, tx: Executor, demo: DemoCommunity): Promise<void> {
  const { database } = context;
  const unitId = demo.residentUnitIds[0] ?? null;
  const partyMemberId = demo.partyMemberIds[0] ?? null;
  const perDay = new Map<string, number>();
  const [names] = await database.rows<{ unit_name: string | null; member_name: string | null }>(
    sql`SELECT (SELECT name FROM units WHERE id = ${unitId}) AS unit_name, (SELECT name FROM party_members WHERE id = ${partyMemberId}) AS member_name`,
    tx,
  );
  for (const [i, wish] of WISHES.entries()) {
    const building = demo.buildings[i % Math.max(1, demo.buildings.length)] ?? demo.community;
    const claimer = wish.claimer === 'unit' && unitId !== null ? 'unit' : wish.claimer === 'member' && partyMemberId !== null ? 'member' : null;
    const status: MicroWishStatus = wish.claimer && !claimer ? 'posted' : wish.status;
    const postedAt = day(wish.daysAgo);
    const claimedAt = claimer ? day(wish.daysAgo, 5) : null;
    const fulfilledAt = status === 'fulfilled' || status === 'confirmed' ? day(wish.daysAgo - 2, 3) : null;
    const confirmedAt = status === 'confirmed' ? day(wish.daysAgo - 3, 2) : null;
    const stem = ymd(postedAt).replace(/-/g, '');
    const n = (perDay.get(stem) ?? 0) + 1;
    perDay.set(stem, n);
    const userId = claimer === 'unit' ? demo.users.unitcontact : claimer === 'member' ? demo.users.partymember : null;
    const [row] = await database.rows<{ id: number }>(
      sql`INSERT INTO micro_wishes (city_id, number, tracking_token_hash, community_id, region_path, building_id, title, description, wisher_kind, wisher_name, wisher_phone,
                                    status, claimed_by_unit_id, claimed_by_party_member_id, claimed_by_user_id, claimed_at, fulfilled_at, fulfilment_note, confirmed_at, thanks_note,
                                    created_by, created_at, updated_at)
          VALUES (${demo.cityId}, ${`WX${stem}-${String(n).padStart(4, '0')}`}, ${newTrackingToken().hash}, ${demo.community.id}, ${building.path},
                  ${building === demo.community ? null : building.id}, ${wish.title}, ${wish.description}, ${wish.kind}, ${wish.name}, ${`1390851${String(1000 + i).slice(-4)}`},
                  ${status}, ${claimer === 'unit' ? unitId : null}, ${claimer === 'member' ? partyMemberId : null}, ${userId}, ${claimedAt}, ${fulfilledAt},
                  ${fulfilledAt ? wish.note ?? null : null}, ${confirmedAt}, ${confirmedAt ? wish.thanks ?? null : null},
                  ${i % 3 === 2 ? demo.users.buildinghead : null}, ${postedAt}, ${confirmedAt ?? fulfilledAt ?? claimedAt ?? postedAt})
          RETURNING id`,
      tx,
    );
    const id = Number(row.id);
    // The timeline, as the lifecycle would have written it.
    const steps: Array<[string, string | null, string, Date, string, string | null]> = [['post', null, 'posted', postedAt, i % 3 === 2 ? '楼栋长' : '居民', null]];
    const claimerLabel = claimer === 'unit' ? names.unit_name ?? '驻区单位' : `党员 ${maskName(names.member_name) ?? ''}`.trim();
    if (claimedAt) steps.push(['claim', 'posted', 'claimed', claimedAt, claimerLabel, null]);
    if (fulfilledAt) steps.push(['fulfil', 'claimed', 'fulfilled', fulfilledAt, claimerLabel, wish.note ?? null]);
    if (confirmedAt) steps.push(['confirm', 'fulfilled', 'confirmed', confirmedAt, '居民', wish.thanks ?? null]);
    if (status === 'withdrawn') steps.push(['withdraw', 'posted', 'withdrawn', day(wish.daysAgo - 1), '居民', null]);
    await database.rows(
      sql`INSERT INTO item_events (city_id, subject_type, subject_id, action, from_status, to_status, actor_label, note, created_at)
          VALUES ${sql.join(steps.map(([action, from, to, at, label, note]) => sql`(${demo.cityId}, 'micro_wish', ${id}, ${action}, ${from}, ${to}, ${label}, ${note}, ${at})`), sql`, `)}`,
      tx,
    );
    if (!fulfilledAt) continue;
    if (claimer === 'unit' && unitId !== null) {
      await awardUnitPoints(database, tx, { cityId: demo.cityId, communityId: demo.community.id, regionPath: demo.community.path, unitId, event: 'wish_fulfilled', sourceKind: 'micro_wish', sourceId: id, note: `微心愿：${wish.title}` });
    } else if (claimer === 'member' && partyMemberId !== null) {
      await recordServiceHours(database, tx, { cityId: demo.cityId, communityId: demo.community.id, regionPath: demo.community.path, partyMemberId, sourceKind: 'micro_wish', sourceId: id, servedOn: ymd(fulfilledAt), hours: 1, description: `微心愿：${wish.title}` });
    }
  }
}
