import type { AppContext } from '../../context.ts';
import { chinaToday, keysetBatches, type Ledger } from '../community/list-export.ts';
import type { ListFilters } from '../community/list-query.ts';
import { requireAbility } from '../policy/authorize.ts';
import type { Actor } from '../policy/actor.ts';
import * as repository from './joint-meetings.repository.ts';
import { allianceWhere, itemWhere, meetingWhere } from './joint-meetings.service.ts';

const statusWords: Record<string, string> = { planned: '计划', held: '已召开', cancelled: '已取消', decided: '已确定', in_progress: '推进中', done: '已完成', dropped: '已撤销' };

export async function allianceLedger(context: AppContext, actor: Actor, query: ListFilters): Promise<Ledger<repository.AllianceRow>> {
  requireAbility(actor, 'joint_meeting', 'read');
  const where = await allianceWhere(context, actor, query);
  return {
    fileName: `区域化党建联盟-${chinaToday()}.xlsx`,
    asciiFileName: `alliances-${chinaToday()}.xlsx`,
    sheetName: '党建联盟',
    columns: [
      { header: '编号', value: (r) => r.id, width: 8 },
      { header: '联盟名称', value: (r) => r.name, width: 30 },
      { header: '所在区域', value: (r) => r.regionName, width: 20 },
      { header: '成员数', value: (r) => r.memberCount, width: 10 },
      { header: '联席会议数', value: (r) => r.meetingCount, width: 12 },
      { header: '简介', value: (r) => r.description, width: 40 },
      { header: '成立时间', value: (r) => r.createdAt, time: true, width: 20 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listAlliances(context.database, where, { afterId, size })).items),
  };
}

export async function meetingLedger(context: AppContext, actor: Actor, query: ListFilters & { allianceId?: number }): Promise<Ledger<repository.MeetingRow>> {
  requireAbility(actor, 'joint_meeting', 'read');
  const where = await meetingWhere(context, actor, query);
  return {
    fileName: `联席会议台账-${chinaToday()}.xlsx`,
    asciiFileName: `joint-meetings-${chinaToday()}.xlsx`,
    sheetName: '联席会议',
    columns: [
      { header: '编号', value: (r) => r.id, width: 8 },
      { header: '会议名称', value: (r) => r.title, width: 30 },
      { header: '联盟', value: (r) => r.allianceName, width: 24 },
      { header: '召开时间', value: (r) => r.heldAt, time: true, width: 20 },
      { header: '地点', value: (r) => r.location, width: 20 },
      { header: '状态', value: (r) => statusWords[r.status] ?? r.status, width: 10 },
      { header: '应到单位', value: (r) => r.invitedCount, width: 10 },
      { header: '实到单位', value: (r) => r.attendedCount, width: 10 },
      { header: '议定事项数', value: (r) => r.itemCount, width: 12 },
      { header: '议程', value: (r) => r.agenda, width: 40 },
      { header: '会议纪要', value: (r) => r.minutes, width: 60 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listMeetings(context.database, where, { afterId, size })).items),
  };
}

export async function itemLedger(context: AppContext, actor: Actor, query: ListFilters & { meetingId?: number; leadUnitId?: number; overdue?: boolean }): Promise<Ledger<repository.ItemRow>> {
  requireAbility(actor, 'joint_meeting', 'read');
  const where = await itemWhere(context, actor, query);
  return {
    fileName: `共驻共建事项台账-${chinaToday()}.xlsx`,
    asciiFileName: `co-building-items-${chinaToday()}.xlsx`,
    sheetName: '共驻共建事项',
    columns: [
      { header: '编号', value: (r) => r.id, width: 8 },
      { header: '事项', value: (r) => r.title, width: 30 },
      { header: '议定会议', value: (r) => r.meetingTitle, width: 26 },
      { header: '牵头单位', value: (r) => r.leadUnitName, width: 20 },
      { header: '完成时限', value: (r) => r.dueOn, width: 12 },
      { header: '状态', value: (r) => statusWords[r.status] ?? r.status, width: 10 },
      { header: '是否逾期', value: (r) => r.overdue, width: 10 },
      { header: '进展/结果', value: (r) => r.progressNote, width: 40 },
      { header: '完成时间', value: (r) => r.doneAt, time: true, width: 20 },
      { header: '议定时间', value: (r) => r.createdAt, time: true, width: 20 },
    ],
    batches: keysetBatches(async (afterId, size) => (await repository.listItems(context.database, where, { afterId, size })).items),
  };
}
