/**
 * Every figure of community services, defined once: its area, key, words and kind. The service computes
 * them (community-metrics.repository.ts, one SQL statement per area); the console and the Excel ledger
 * read the words from here.
 */
export type FigureKind = 'count' | 'rate' | 'average' | 'hours';

export interface FigureDefinition {
  area: string;
  key: string;
  zh: string;
  en: string;
  kind: FigureKind;
}

const f = (area: string, key: string, zh: string, en: string, kind: FigureKind = 'count'): FigureDefinition => ({ area, key, zh, en, kind });

export const areaWords: Record<string, { zh: string; en: string }> = {
  lists: { zh: '三张清单', en: 'Three lists' },
  orders: { zh: '群众点单', en: 'Service orders' },
  wishes: { zh: '微心愿', en: 'Micro-wishes' },
  dualReporting: { zh: '双报到', en: 'Dual reporting' },
  volunteers: { zh: '志愿服务', en: 'Volunteering' },
  unitPoints: { zh: '单位积分', en: 'Unit points' },
  bookings: { zh: '资源预约', en: 'Resource bookings' },
  coBuilding: { zh: '共驻共建', en: 'Co-building' },
  buildings: { zh: '最美楼栋', en: 'Building awards' },
  gridWork: { zh: '网格工作', en: 'Grid work' },
};

export const figureDefinitions: FigureDefinition[] = [
  f('lists', 'needsPosted', '需求发布', 'Needs posted'),
  f('lists', 'needsClaimed', '需求认领', 'Needs claimed'),
  f('lists', 'needsDelivered', '需求办结', 'Needs delivered'),
  f('lists', 'problemsPosted', '问题列入', 'Problems listed'),
  f('lists', 'problemsDelivered', '问题解决', 'Problems solved'),
  f('lists', 'servicesPosted', '服务发布', 'Services posted'),
  f('lists', 'servicesClaimed', '服务认领', 'Services claimed'),
  f('lists', 'servicesDelivered', '服务兑现', 'Services delivered'),
  f('lists', 'posted', '清单事项合计', 'Items posted'),
  f('lists', 'claimed', '已认领', 'Items claimed'),
  f('lists', 'delivered', '已办结', 'Items delivered'),
  f('lists', 'deliveryRate', '办结率', 'Delivery rate', 'rate'),
  f('orders', 'ordered', '点单数', 'Orders placed'),
  f('orders', 'completed', '已完成', 'Completed'),
  f('orders', 'confirmed', '已确认', 'Confirmed'),
  f('orders', 'cancelled', '已取消/退回', 'Cancelled or declined'),
  f('orders', 'completionRate', '完成率', 'Completion rate', 'rate'),
  f('orders', 'averageRating', '平均评分', 'Average rating', 'average'),
  f('wishes', 'posted', '心愿发布', 'Wishes posted'),
  f('wishes', 'claimed', '心愿认领', 'Wishes claimed'),
  f('wishes', 'fulfilled', '心愿实现', 'Wishes fulfilled'),
  f('wishes', 'confirmed', '心愿确认', 'Wishes confirmed'),
  f('wishes', 'fulfilmentRate', '实现率', 'Fulfilment rate', 'rate'),
  f('dualReporting', 'members', '报到党员', 'Members reported'),
  f('dualReporting', 'organizations', '报到单位', 'Organisations reported'),
  f('dualReporting', 'membersServedThisQuarter', '本季度服务党员', 'Members who served this quarter'),
  f('dualReporting', 'servedShare', '本季度服务占比', 'Share who served this quarter', 'rate'),
  f('dualReporting', 'hours', '党员服务时长', 'Member service hours', 'hours'),
  f('volunteers', 'activities', '志愿活动', 'Activities'),
  f('volunteers', 'activeVolunteers', '在册志愿者', 'Active volunteers'),
  f('volunteers', 'hours', '志愿服务时长', 'Volunteer hours', 'hours'),
  f('unitPoints', 'units', '参与积分单位', 'Units scored'),
  f('unitPoints', 'restricted', '低于60分(限用资源)', 'Restricted (below the minimum)'),
  f('unitPoints', 'honoured', '高于100分(表彰)', 'Honoured (above the threshold)'),
  f('bookings', 'requested', '预约申请', 'Bookings requested'),
  f('bookings', 'approved', '已批准', 'Approved'),
  f('bookings', 'pending', '待审批', 'Pending'),
  f('bookings', 'rejected', '已驳回', 'Rejected'),
  f('coBuilding', 'meetingsHeld', '联席会议', 'Joint meetings held'),
  f('coBuilding', 'itemsSet', '共建事项', 'Co-building items set'),
  f('coBuilding', 'itemsDone', '已完成事项', 'Items done'),
  f('coBuilding', 'completionRate', '完成率', 'Completion rate', 'rate'),
  f('coBuilding', 'itemsOverdue', '逾期未完成', 'Items overdue'),
  f('buildings', 'evaluations', '楼栋评议', 'Building evaluations'),
  f('buildings', 'redFlags', '流动红旗', 'Red flags'),
  f('gridWork', 'visits', '入户走访', 'Home visits'),
  f('gridWork', 'householdsVisited', '走访户数', 'Households visited'),
  f('gridWork', 'disputesFound', '排查纠纷', 'Disputes found'),
  f('gridWork', 'disputesResolved', '化解纠纷', 'Disputes resolved'),
  f('gridWork', 'disputesEscalated', '上报纠纷', 'Disputes escalated'),
  f('gridWork', 'resolutionRate', '化解率', 'Resolution rate', 'rate'),
  f('gridWork', 'careSubjects', '关爱对象', 'Care subjects'),
  f('gridWork', 'careOverdue', '逾期未访', 'Overdue care visits'),
];

export const figureKeys = figureDefinitions.map((d) => `${d.area}.${d.key}`);
export const areas = Object.keys(areaWords);
export type AreaFigures = Record<string, number | null>;
export type NodeFigures = Record<string, AreaFigures>;

/** A ratio, or null when there is nothing to divide by. */
export const rate = (numerator: number, denominator: number) => (denominator > 0 ? Math.round((numerator / denominator) * 10000) / 10000 : null);
