import type { AppContext } from '../../context.ts';
import { chinaToday, keysetBatches, type Ledger } from '../community/list-export.ts';
import type { ListFilters } from '../community/list-query.ts';
import type { Actor } from '../policy/actor.ts';
import * as repository from './incentives.repository.ts';
import { codeWhere, entryWhere, evaluationWhere, headWhere, offerWhere } from './incentives.service.ts';

const eventWords: Record<string, string> = { case_satisfied: '工单满意', service: '服务积分', evaluation: '楼栋评比', manual: '人工调整', redeemed: '兑换', redemption_returned: '兑换退回' };
const codeWords: Record<string, string> = { issued: '待使用', redeemed: '已核销', expired: '已过期', cancelled: '已取消' };
const today = chinaToday;

export async function headLedger(context: AppContext, actor: Actor, query: ListFilters): Promise<Ledger<repository.HeadRow>> {
  const where = await headWhere(context, actor, query);
  return {
    fileName: `楼栋长积分-${today()}.xlsx`, asciiFileName: `building-head-points-${today()}.xlsx`, sheetName: '楼栋长积分',
    columns: [
      { header: '楼栋长', value: (r) => r.name, width: 16 },
      { header: '楼栋', value: (r) => r.buildingName, width: 20 },
      { header: '积分余额', value: (r) => r.balance, width: 10 },
      { header: '累计获得', value: (r) => r.earned, width: 10 },
      { header: '累计兑换', value: (r) => r.spent, width: 10 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listHeads(context.database, where, { afterId, size })).items),
  };
}

export async function entryLedger(context: AppContext, actor: Actor, query: ListFilters & { userId?: number; event?: string }): Promise<Ledger<repository.EntryRow>> {
  const where = await entryWhere(context, actor, query);
  return {
    fileName: `楼栋长积分明细-${today()}.xlsx`, asciiFileName: `incentive-entries-${today()}.xlsx`, sheetName: '积分明细',
    columns: [
      { header: '编号', value: (r) => r.id, width: 8 },
      { header: '楼栋长', value: (r) => r.userName, width: 16 },
      { header: '类型', value: (r) => eventWords[r.event] ?? r.event, width: 12 },
      { header: '积分', value: (r) => r.points, width: 8 },
      { header: '说明', value: (r) => r.note, width: 40 },
      { header: '记录人', value: (r) => r.createdByName, width: 14 },
      { header: '时间', value: (r) => r.createdAt, time: true, width: 20 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listEntries(context.database, where, { afterId, size })).items),
  };
}

export async function offerLedger(context: AppContext, actor: Actor, query: ListFilters & { shopUnitId?: number }): Promise<Ledger<repository.OfferRow>> {
  const where = await offerWhere(context, actor, query);
  return {
    fileName: `红城星店优惠-${today()}.xlsx`, asciiFileName: `partner-shop-offers-${today()}.xlsx`, sheetName: '星店优惠',
    columns: [
      { header: '编号', value: (r) => r.id, width: 8 },
      { header: '星店', value: (r) => r.shopName, width: 20 },
      { header: '优惠', value: (r) => r.title, width: 26 },
      { header: '说明', value: (r) => r.description, width: 36 },
      { header: '所需积分', value: (r) => r.pointsCost, width: 10 },
      { header: '有效期至', value: (r) => r.validUntil, width: 12 },
      { header: '可兑换', value: (r) => r.available, width: 8 },
      { header: '已核销', value: (r) => r.redeemedCount, width: 8 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listOffers(context.database, where, { afterId, size })).items),
  };
}

export async function codeLedger(context: AppContext, actor: Actor, query: ListFilters & { offerId?: number }): Promise<Ledger<repository.CodeRow>> {
  const where = await codeWhere(context, actor, query);
  return {
    fileName: `兑换码台账-${today()}.xlsx`, asciiFileName: `redemption-codes-${today()}.xlsx`, sheetName: '兑换码',
    columns: [
      { header: '编号', value: (r) => r.id, width: 8 },
      { header: '星店', value: (r) => r.shopName, width: 20 },
      { header: '优惠', value: (r) => r.offerTitle, width: 26 },
      { header: '持有人', value: (r) => r.holderName, width: 12 },
      { header: '积分', value: (r) => r.points, width: 8 },
      { header: '状态', value: (r) => codeWords[r.status] ?? r.status, width: 10 },
      { header: '发放时间', value: (r) => r.issuedAt, time: true, width: 20 },
      { header: '过期时间', value: (r) => r.expiresAt, time: true, width: 20 },
      { header: '核销时间', value: (r) => r.redeemedAt, time: true, width: 20 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listCodes(context.database, where, { afterId, size })).items),
  };
}

export async function evaluationLedger(context: AppContext, actor: Actor, query: ListFilters & { period?: string; redFlag?: boolean }): Promise<Ledger<repository.EvaluationRow>> {
  const where = await evaluationWhere(context, actor, query);
  return {
    fileName: `最美楼栋评比-${today()}.xlsx`, asciiFileName: `building-evaluations-${today()}.xlsx`, sheetName: '最美楼栋',
    columns: [
      { header: '周期', value: (r) => r.period, width: 10 },
      { header: '社区', value: (r) => r.communityName, width: 18 },
      { header: '楼栋', value: (r) => r.buildingName, width: 18 },
      { header: '得分', value: (r) => r.score, width: 8 },
      { header: '排名', value: (r) => r.rank, width: 8 },
      { header: '流动红旗', value: (r) => r.redFlag, width: 10 },
      { header: '评分细则', value: (r) => Object.entries(r.criteria).map(([k, v]) => `${k}:${v}`).join('；'), width: 36 },
      { header: '评语', value: (r) => r.comment, width: 36 },
      { header: '评分人', value: (r) => r.evaluatedByName, width: 12 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listEvaluations(context.database, where, { afterId, size })).items),
  };
}
