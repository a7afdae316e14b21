import { sql, type SQL } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { actorLabelOf, appendItemEvent, itemTimeline } from '../community/item-events.ts';
import { actionsFrom, nextStatus } from '../community/lifecycle.ts';
import { chinaToday, keysetBatches, sendLedger } from '../community/list-export.ts';
import { commonFilters, nodeOf, pageOfList, type ListFilters } from '../community/list-query.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { meetingLifecycle, type MeetingAction } from './notices-lifecycle.ts';
import * as repository from './notices.repository.ts';
import type { MeetingRow, ProposalRow } from './notices.repository.ts';
import { publicPlace } from './notices.service.ts';

export const MEETING_SUBJECT = 'deliberation_meeting';
const meetingKindNames = { community_council: '社区议事会', building_council: '楼栋共治会' } as const;
const meetingStatusNames = { planned: '待召开', held: '已召开', published: '结果已公开' } as const;
export const decisionNames = { pending: '待表决', adopted: '通过', rejected: '未通过', deferred: '暂缓' } as const;
/** A community council sits at a community; a building council at its building (the building head runs it). */
const levelOfKind = { community_council: 'community', building_council: 'building' } as const;

const recordOf = (meeting: Pick<MeetingRow, 'cityId' | 'regionPath'>) => ({ cityId: meeting.cityId, regionPath: meeting.regionPath });
const mayManage = (actor: Actor, meeting: MeetingRow) => can(actor, 'deliberation', 'manage', recordOf(meeting));
const allowedActionsOf = (actor: Actor, meeting: MeetingRow) => (mayManage(actor, meeting) ? actionsFrom(meetingLifecycle, meeting.status) : []);

const presentMeeting = (m: MeetingRow) => ({
  id: m.id,
  kind: m.kind,
  regionNodeId: m.regionNodeId,
  regionName: m.regionName,
  title: m.title,
  heldAt: m.heldAt,
  location: m.location,
  participants: m.participants,
  status: m.status,
  summary: m.summary,
  publishedAt: m.publishedAt,
  createdAt: m.createdAt,
  proposalCount: m.proposalCount,
  adoptedCount: m.adoptedCount,
});

interface MeetingFilters extends ListFilters {
  kind?: MeetingRow['kind'];
}

async function meetingWhere(context: AppContext, actor: Actor, query: MeetingFilters): Promise<SQL> {
  requireAbility(actor, 'deliberation', 'read');
  const parts: SQL[] = [
    sql`m.city_id = ${actor.cityId}`,
    regionPathFilter(sql.raw('m.region_path'), scopeFor(actor, 'deliberation', 'read')),
    ...(await commonFilters(context, actor, query, { path: sql.raw('m.region_path'), search: [sql.raw('m.title'), sql.raw('coalesce(m.summary, \'\')')], status: sql.raw('m.status'), createdAt: sql.raw('m.held_at') })),
  ];
  if (query.kind) parts.push(sql`m.kind = ${query.kind}`);
  return sql.join(parts, sql` AND `);
}

export async function listMeetings(context: AppContext, actor: Actor, query: MeetingFilters) {
  const where = await meetingWhere(context, actor, query);
  const { page, pageSize, offset } = pageOfList(query);
  const { rows, total } = await repository.listMeetings(context.database, where, pageSize, offset);
  return { items: rows.map((m) => ({ ...presentMeeting(m), allowedActions: allowedActionsOf(actor, m) })), page, pageSize, total };
}

export async function exportMeetings(context: AppContext, actor: Actor, query: MeetingFilters, request: FastifyRequest, reply: FastifyReply) {
  const where = await meetingWhere(context, actor, query);
  return sendLedger(request, reply, {
    fileName: `议事协商台账-${chinaToday()}.xlsx`,
    asciiFileName: `deliberations-${chinaToday()}.xlsx`,
    sheetName: '议事协商',
    columns: [
      { header: '编号', width: 8, value: (m: MeetingRow) => m.id },
      { header: '类型', width: 12, value: (m) => meetingKindNames[m.kind] },
      { header: '社区/楼栋', width: 14, value: (m) => m.regionName },
      { header: '议题', width: 30, value: (m) => m.title },
      { header: '召开时间', width: 18, time: true, value: (m) => new Date(m.heldAt) },
      { header: '地点', width: 16, value: (m) => m.location },
      { header: '状态', width: 10, value: (m) => meetingStatusNames[m.status] },
      { header: '提案数', width: 8, value: (m) => m.proposalCount },
      { header: '通过数', width: 8, value: (m) => m.adoptedCount },
      { header: '会议纪要', width: 40, value: (m) => m.summary },
      { header: '公开时间', width: 18, time: true, value: (m) => (m.publishedAt ? new Date(m.publishedAt) : null) },
    ],
    batches: keysetBatches((after, size) => repository.meetingBatch(context.database, where, after, size)),
  });
}

async function readableMeeting(context: AppContext, actor: Actor, id: number) {
  const meeting = await repository.findMeeting(context.database, id);
  if (!meeting || meeting.cityId !== actor.cityId) throw notFound('Meeting');
  authorize(actor, 'deliberation', 'read', recordOf(meeting));
  return meeting;
}

const presentProposal = (p: ProposalRow) => ({ ...p });

export async function meetingDetail(context: AppContext, actor: Actor, id: number) {
  const meeting = await readableMeeting(context, actor, id);
  const manage = mayManage(actor, meeting);
  return {
    ...presentMeeting(meeting),
    allowedActions: allowedActionsOf(actor, meeting),
    /** Proposals can be added until the results are published, and decided once the meeting was held. */
    canPropose: manage && meeting.status !== 'published',
    canDecide: manage && meeting.status === 'held',
    proposals: (await repository.proposalsOf(context.database, [id])).map(presentProposal),
    timeline: await itemTimeline(context.database, MEETING_SUBJECT, id),
  };
}

export async function createMeeting(context: AppContext, actor: Actor, input: { kind: MeetingRow['kind']; regionId: number; title: string; heldAt: string; location?: string }) {
  const title = input.title.trim();
  if (!title) throw new AppError('validation_failed', 'A meeting needs a title', { field: 'title' });
  const node = await nodeOf(context, actor, input.regionId, [levelOfKind[input.kind]]);
  authorize(actor, 'deliberation', 'manage', { cityId: actor.cityId, regionPath: node.path });
  return context.database.db.transaction(async (tx) => {
    const id = await repository.insertMeeting(context.database, tx, { cityId: actor.cityId, kind: input.kind, regionNodeId: node.id, regionPath: node.path, title, heldAt: input.heldAt, location: input.location?.trim() || null, createdBy: actor.userId });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: MEETING_SUBJECT, subjectId: id, action: 'plan', toStatus: 'planned', actorUserId: actor.userId, actorLabel: actorLabelOf(actor) });
    await appendAudit(context.database, tx, auditOf(actor, 'deliberation.plan', 'deliberation_meeting', id, { kind: input.kind, regionNodeId: node.id }));
    const meeting = (await repository.findMeeting(context.database, id, tx))!;
    return { ...presentMeeting(meeting), allowedActions: allowedActionsOf(actor, meeting) };
  });
}

/** hold (participants and summary) and publish (every proposal decided; results become public). */
export async function actOnMeeting(context: AppContext, actor: Actor, id: number, input: { action: MeetingAction; participants?: string; summary?: string }) {
  const meeting = await readableMeeting(context, actor, id);
  authorize(actor, 'deliberation', 'manage', recordOf(meeting));
  const to = nextStatus(meetingLifecycle, MEETING_SUBJECT, meeting.status, input.action);
  const set: { participants?: string; summary?: string } = {};
  if (input.action === 'hold') {
    const participants = input.participants?.trim();
    const summary = input.summary?.trim();
    if (!participants || !summary) throw new AppError('validation_failed', 'A held meeting records its participants and a summary', { field: !participants ? 'participants' : 'summary' });
    Object.assign(set, { participants, summary });
  }
  return context.database.db.transaction(async (tx) => {
    if ((await repository.lockMeetingStatus(context.database, tx, id)) !== meeting.status) throw new AppError('conflict', 'The meeting has just been changed by someone else: reload it');
    if (input.action === 'publish') {
      const pending = (await repository.proposalsOf(context.database, [id], tx)).filter((p) => p.decision === 'pending');
      if (pending.length) throw new AppError('invalid_transition', 'Decide every proposal before publishing the results', { pending: pending.map((p) => p.id) });
    }
    await repository.moveMeeting(context.database, tx, id, meeting.status, to, set);
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: MEETING_SUBJECT, subjectId: id, action: input.action, fromStatus: meeting.status, toStatus: to, actorUserId: actor.userId, actorLabel: actorLabelOf(actor) });
    await appendAudit(context.database, tx, auditOf(actor, `deliberation.${input.action}`, 'deliberation_meeting', id, { from: meeting.status, to }));
    const updated = (await repository.findMeeting(context.database, id, tx))!;
    return { ...presentMeeting(updated), allowedActions: allowedActionsOf(actor, updated) };
  });
}

export async function addProposal(context: AppContext, actor: Actor, meetingId: number, input: { title: string; description?: string; proposerName?: string }) {
  const meeting = await readableMeeting(context, actor, meetingId);
  authorize(actor, 'deliberation', 'manage', recordOf(meeting));
  const title = input.title.trim();
  if (!title) throw new AppError('validation_failed', 'A proposal needs a title', { field: 'title' });
  return context.database.db.transaction(async (tx) => {
    if ((await repository.lockMeetingStatus(context.database, tx, meetingId)) === 'published') throw new AppError('invalid_transition', 'The results of this meeting are published: no more proposals', { status: 'published' });
    const id = await repository.insertProposal(context.database, tx, { cityId: actor.cityId, meetingId, regionPath: meeting.regionPath, title, description: input.description?.trim() ?? '', proposerName: input.proposerName?.trim() || null });
    await appendItemEvent(context.database, tx, { cityId: actor.cityId, subjectType: MEETING_SUBJECT, subjectId: meetingId, action: 'propose', actorUserId: actor.userId, actorLabel: actorLabelOf(actor), note: title });
    await appendAudit(context.database, tx, auditOf(actor, 'deliberation.propose', 'deliberation_proposal', id, { meetingId }));
    return presentProposal((await repository.proposalsOf(context.database, [meetingId], tx)).find((p) => p.id === id)!);
  });
}

export interface DecisionInput {
  decision: ProposalRow['decision'];
  votesFor?: number;
  votesAgainst?: number;
  votesAbstain?: number;
  decisionNote?: string;
  publicResult?: string;
}

/** Records a proposal's decision and votes after the meeting was held (until its results are published). */
export async function decideProposal(context: AppContext, actor: Actor, proposalId: number, input: DecisionInput) {
  const proposal = await repository.findProposal(context.database, proposalId);
  if (!proposal) throw notFound('Proposal');
  const meeting = await readableMeeting(context, actor, proposal.meetingId);
  authorize(actor, 'deliberation', 'manage', recordOf(meeting));
  return context.database.db.transaction(async (tx) => {
    const status = await repository.lockMeetingStatus(context.database, tx, meeting.id);
    if (status !== 'held') throw new AppError('invalid_transition', status === 'published' ? 'The results are published: decisions are final' : 'Decisions are recorded once the meeting was held', { status });
    await repository.updateProposalDecision(context.database, tx, proposalId, {
      decision: input.decision,
      votesFor: input.votesFor ?? null,
      votesAgainst: input.votesAgainst ?? null,
      votesAbstain: input.votesAbstain ?? null,
      decisionNote: input.decisionNote?.trim() || null,
      publicResult: input.publicResult?.trim() || null,
    });
    await appendItemEvent(context.database, tx, {
      cityId: actor.cityId, subjectType: MEETING_SUBJECT, subjectId: meeting.id, action: 'decide', actorUserId: actor.userId, actorLabel: actorLabelOf(actor),
      note: `${proposal.title}：${decisionNames[input.decision]}`,
    });
    await appendAudit(context.database, tx, auditOf(actor, 'deliberation.decide', 'deliberation_proposal', proposalId, { meetingId: meeting.id, from: proposal.decision, to: input.decision }));
    return presentProposal((await repository.proposalsOf(context.database, [meeting.id], tx)).find((p) => p.id === proposalId)!);
  });
}

/** Published results of the place's building council and its community's (no participants, no proposers' names). */
export async function publicDeliberations(context: AppContext, code: string, cityCode?: string) {
  const place = await publicPlace(context, code, cityCode);
  const meetings = await repository.publicMeetingsAt(context.database, place.cityId, place.path);
  const proposals = await repository.proposalsOf(context.database, meetings.map((m) => m.id));
  return {
    items: meetings.map((m) => ({
      id: m.id,
      kind: m.kind,
      regionName: m.regionName,
      title: m.title,
      heldAt: m.heldAt,
      summary: m.summary,
      publishedAt: m.publishedAt,
      proposals: proposals
        .filter((p) => p.meetingId === m.id)
        .map((p) => ({ title: p.title, decision: p.decision, votesFor: p.votesFor, votesAgainst: p.votesAgainst, votesAbstain: p.votesAbstain, result: p.publicResult ?? decisionNames[p.decision] })),
    })),
  };
}
