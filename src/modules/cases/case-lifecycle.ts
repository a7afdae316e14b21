/**
 * The case lifecycle of the request closed loop (民情直通 / 接诉即办) as ONE pure transition table.
 * No I/O: the service loads a snapshot, asks `transition()`, and writes the resulting state, the event
 * and the audit record in one transaction. Collect → accept → dispose → reply → callback → rate → close (seed 003).
 */

export const caseStatuses = [
  'submitted', // collected from a channel; waiting in the community dispatcher's queue
  'dispatched', // accepted and split into tasks for grid workers; the 30-minute contact clock runs
  'in_progress', // the holder has phoned the resident and is handling it at its level
  'summoned', // the street blew the whistle (吹哨): departments must report in (报到) and reply
  'replied', // a result was given to the resident; the callback clock runs
  'called_back', // the follow-up call (回访) was made; waiting for the resident's rating
  'rated', // the resident rated the case (一事一评)
  'closed',
  'declined', // spam, or not a government matter
  'merged', // a duplicate, merged into an earlier case
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** Who holds the case: escalation climbs grid → community → street; the street then summons departments. */
export const holderLevels = ['grid', 'community', 'street'] as const;
export type HolderLevel = (typeof holderLevels)[number];

export const caseActions = [
  'dispatch',
  'decline',
  'merge',
  'record_contact',
  'escalate',
  'summon',
  'report_in',
  'department_reply',
  'department_return',
  'return',
  'request_extension',
  'decide_extension',
  'supervise',
  'remind',
  'claim',
  'reply',
  'callback',
  'rate',
  'reopen',
  'close',
  'reclassify',
] as const;
export type CaseAction = (typeof caseActions)[number];

export interface Summons {
  departmentId: number;
  reportedIn: boolean;
  replied: boolean;
}

/** What the rules need to know about a case: its state and the facts guards look at. */
export interface CaseSnapshot {
  status: CaseStatus;
  holderLevel: HolderLevel;
  reopenCount: number;
  /** The resident's rating in the current round, if any. */
  rating: { resolved: boolean; satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied' } | null;
  summonses: Summons[];
  claimedByPartyOrganizationId: number | null;
  extensionPending: boolean;
  supervised: boolean;
  overdue: boolean;
}

export type CaseCommand =
  | { action: 'dispatch'; tasks?: Array<{ gridId?: number; assigneeUserId?: number; instructions?: string }> }
  | { action: 'reclassify'; color: 'red' | 'orange' | 'yellow' | 'green'; reason: string }
  | { action: 'decline'; reason: string }
  | { action: 'merge'; intoCaseId: number }
  | { action: 'record_contact' }
  | { action: 'escalate' }
  | { action: 'summon'; departmentIds: number[] }
  | { action: 'report_in'; departmentId: number }
  | { action: 'department_reply'; departmentId: number }
  | { action: 'department_return'; departmentId: number; reason: string }
  | { action: 'return'; reason: string }
  | { action: 'request_extension' }
  | { action: 'decide_extension'; approved: boolean }
  | { action: 'supervise' }
  | { action: 'remind' }
  | { action: 'claim'; partyOrganizationId: number }
  | { action: 'reply' }
  | { action: 'callback' }
  | { action: 'rate'; resolved: boolean; satisfaction: 'satisfied' | 'basically_satisfied' | 'dissatisfied' }
  | { action: 'reopen' }
  | { action: 'close'; partyOrganizationId?: number };

export type TransitionResult = { ok: true; next: CaseSnapshot } | { ok: false; reason: string };

const open: readonly CaseStatus[] = ['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated'];
const handling: readonly CaseStatus[] = ['dispatched', 'in_progress', 'summoned'];

/** The table: from which states each action may start. Guards below refine it with the case's facts. */
export const allowedFrom: Record<CaseAction, readonly CaseStatus[]> = {
  dispatch: ['submitted'],
  decline: ['submitted'],
  merge: ['submitted', 'dispatched'],
  record_contact: ['dispatched'],
  escalate: ['dispatched', 'in_progress'],
  summon: ['in_progress'],
  report_in: ['summoned'],
  department_reply: ['summoned'],
  department_return: ['summoned'],
  return: ['dispatched', 'in_progress'],
  request_extension: handling,
  decide_extension: handling,
  supervise: open,
  remind: ['submitted', ...handling, 'replied'],
  claim: ['submitted', ...handling],
  reply: ['in_progress', 'summoned'],
  callback: ['replied'],
  rate: ['replied', 'called_back'],
  reopen: ['rated'],
  close: ['replied', 'called_back', 'rated'],
  reclassify: ['submitted', ...handling],
};

const refuse = (reason: string): TransitionResult => ({ ok: false, reason });
const move = (snapshot: CaseSnapshot, changes: Partial<CaseSnapshot>): TransitionResult => ({ ok: true, next: { ...snapshot, ...changes } });

const nextLevel: Record<HolderLevel, HolderLevel | null> = { grid: 'community', community: 'street', street: null };

export function transition(snapshot: CaseSnapshot, command: CaseCommand): TransitionResult {
  if (!allowedFrom[command.action].includes(snapshot.status)) {
    return refuse(`Cannot ${command.action.replace('_', ' ')} a case that is ${snapshot.status.replace('_', ' ')}`);
  }
  switch (command.action) {
    case 'dispatch':
      return move(snapshot, { status: 'dispatched', holderLevel: 'grid' });
    case 'decline':
      return command.reason.trim() ? move(snapshot, { status: 'declined' }) : refuse('A reason is required to decline');
    case 'merge':
      return move(snapshot, { status: 'merged' });
    case 'record_contact':
      return move(snapshot, { status: 'in_progress' });
    case 'escalate': {
      const level = nextLevel[snapshot.holderLevel];
      if (!level) return refuse('The street is the top level: summon departments instead');
      return move(snapshot, { status: 'in_progress', holderLevel: level, extensionPending: false });
    }
    case 'summon': {
      if (snapshot.holderLevel !== 'street') return refuse('Only the street summons departments');
      const ids = [...new Set(command.departmentIds)];
      if (ids.length === 0) return refuse('Summon at least one department');
      return move(snapshot, { status: 'summoned', summonses: ids.map((departmentId) => ({ departmentId, reportedIn: false, replied: false })) });
    }
    case 'report_in': {
      const summons = snapshot.summonses.find((s) => s.departmentId === command.departmentId);
      if (!summons) return refuse('This department was not summoned');
      if (summons.reportedIn) return refuse('This department has already reported in');
      return move(snapshot, { summonses: snapshot.summonses.map((s) => (s === summons ? { ...s, reportedIn: true } : s)) });
    }
    case 'department_reply': {
      const summons = snapshot.summonses.find((s) => s.departmentId === command.departmentId);
      if (!summons) return refuse('This department was not summoned');
      if (!summons.reportedIn) return refuse('Report in before replying');
      if (summons.replied) return refuse('This department has already replied');
      return move(snapshot, { summonses: snapshot.summonses.map((s) => (s === summons ? { ...s, replied: true } : s)) });
    }
    case 'department_return': {
      const summons = snapshot.summonses.find((s) => s.departmentId === command.departmentId);
      if (!summons) return refuse('This department was not summoned');
      if (summons.replied) return refuse('A department that replied cannot return the case');
      if (!command.reason.trim()) return refuse('A reason is required to return a case');
      const remaining = snapshot.summonses.filter((s) => s !== summons);
      return move(snapshot, remaining.length ? { summonses: remaining } : { status: 'in_progress', summonses: [] });
    }
    case 'return':
      if (!command.reason.trim()) return refuse('A reason is required to return a case');
      return move(snapshot, { status: 'submitted', holderLevel: 'grid', extensionPending: false });
    case 'request_extension':
      return snapshot.extensionPending ? refuse('An extension is already waiting for approval') : move(snapshot, { extensionPending: true });
    case 'decide_extension':
      return snapshot.extensionPending ? move(snapshot, { extensionPending: false }) : refuse('No extension is waiting for approval');
    case 'supervise':
      return snapshot.supervised ? refuse('The case is already supervised') : move(snapshot, { supervised: true });
    case 'remind':
      return move(snapshot, { overdue: true });
    case 'claim':
      return snapshot.claimedByPartyOrganizationId === null
        ? move(snapshot, { claimedByPartyOrganizationId: command.partyOrganizationId })
        : refuse('The case is already claimed by a party organisation');
    case 'reply':
      if (snapshot.status === 'summoned' && snapshot.summonses.some((s) => !s.replied)) return refuse('Every summoned department must reply first');
      return move(snapshot, { status: 'replied', extensionPending: false });
    case 'callback':
      return move(snapshot, { status: 'called_back' });
    case 'rate':
      return snapshot.rating ? refuse('The case has already been rated') : move(snapshot, { status: 'rated', rating: { resolved: command.resolved, satisfaction: command.satisfaction } });
    case 'reopen': {
      if (snapshot.reopenCount >= 1) return refuse('A case can be reopened only once');
      const rating = snapshot.rating;
      if (!rating || (rating.resolved && rating.satisfaction !== 'dissatisfied')) return refuse('Only an unresolved or dissatisfied case can be reopened');
      return move(snapshot, { status: 'submitted', holderLevel: 'grid', reopenCount: snapshot.reopenCount + 1, rating: null, summonses: [], overdue: false });
    }
    case 'close':
      return move(snapshot, { status: 'closed' });
    case 'reclassify':
      // The dispatcher overrides the triage colour; the reason is kept on the event.
      return command.reason.trim() ? move(snapshot, {}) : refuse('A reason is required to change the colour');
  }
}

export const initialSnapshot = (): CaseSnapshot => ({
  status: 'submitted',
  holderLevel: 'grid',
  reopenCount: 0,
  rating: null,
  summonses: [],
  claimedByPartyOrganizationId: null,
  extensionPending: false,
  supervised: false,
  overdue: false,
});
