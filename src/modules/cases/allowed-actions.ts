import type { Actor } from '../policy/actor.ts';
import { transition, type CaseAction, type CaseCommand, type CaseSnapshot } from './case-lifecycle.ts';

/** Which ability (policy action of the `case` resource) each lifecycle action needs; `system` ones no user takes. */
export const policyActionOf: Record<CaseAction, 'dispatch' | 'handle' | 'supervise' | 'answer_summons' | 'system'> = {
  dispatch: 'dispatch',
  decline: 'dispatch',
  merge: 'dispatch',
  reopen: 'dispatch',
  close: 'dispatch',
  callback: 'dispatch',
  reclassify: 'dispatch',
  record_contact: 'handle',
  escalate: 'handle',
  return: 'handle',
  request_extension: 'handle',
  claim: 'handle',
  reply: 'handle',
  summon: 'supervise',
  decide_extension: 'supervise',
  supervise: 'supervise',
  report_in: 'answer_summons',
  department_reply: 'answer_summons',
  department_return: 'answer_summons',
  rate: 'system',
  remind: 'system',
};

export interface CaseAbilities {
  dispatch: boolean;
  handle: boolean;
  supervise: boolean;
  answerSummons: boolean;
}

const abilityKey = { dispatch: 'dispatch', handle: 'handle', supervise: 'supervise', answer_summons: 'answerSummons' } as const;

/** A command with placeholder arguments: enough for the transition table to say whether the action applies now. */
function probe(action: CaseAction, departmentId: number | null): CaseCommand | null {
  switch (action) {
    case 'decline':
    case 'return':
      return { action, reason: '-' };
    case 'department_return':
      return departmentId === null ? null : { action, departmentId, reason: '-' };
    case 'report_in':
    case 'department_reply':
      return departmentId === null ? null : { action, departmentId };
    case 'merge':
      return { action, intoCaseId: 0 };
    case 'summon':
      return { action, departmentIds: [0] };
    case 'claim':
      return { action, partyOrganizationId: 0 };
    case 'decide_extension':
      return { action, approved: true };
    case 'reclassify':
      return { action, color: 'red', reason: '-' };
    case 'rate':
      return { action, resolved: true, satisfaction: 'satisfied' };
    default:
      return { action } as CaseCommand;
  }
}

/**
 * The actions this user can take on the case right now: allowed by the policy (abilities, which include
 * the holder level) AND by the transition table. Screens render exactly these buttons.
 */
export function allowedActions(actor: Actor, snapshot: CaseSnapshot, abilities: CaseAbilities): CaseAction[] {
  const myDepartments = actor.grants.filter((g) => g.role === 'department_staff' && g.unitId !== null).map((g) => g.unitId as number);
  const departmentId = snapshot.summonses.find((s) => myDepartments.includes(s.departmentId))?.departmentId ?? null;
  return (Object.keys(policyActionOf) as CaseAction[]).filter((action) => {
    const needed = policyActionOf[action];
    if (needed === 'system' || !abilities[abilityKey[needed]]) return false;
    const command = probe(action, departmentId);
    return command !== null && transition(snapshot, command).ok;
  });
}
