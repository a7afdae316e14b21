import { describe, expect, it } from 'vitest';
import {
  allowedFrom,
  caseActions,
  caseStatuses,
  initialSnapshot,
  transition,
  type CaseAction,
  type CaseCommand,
  type CaseSnapshot,
  type CaseStatus,
} from './case-lifecycle.ts';

/** Written out by hand, independently of `allowedFrom`: which actions each state accepts. */
const expected: Record<CaseStatus, CaseAction[]> = {
  submitted: ['dispatch', 'decline', 'merge', 'supervise', 'remind', 'claim', 'reclassify'],
  dispatched: ['merge', 'record_contact', 'escalate', 'return', 'request_extension', 'decide_extension', 'supervise', 'remind', 'claim', 'reclassify'],
  in_progress: ['escalate', 'summon', 'return', 'request_extension', 'decide_extension', 'supervise', 'remind', 'claim', 'reply', 'reclassify'],
  summoned: ['report_in', 'department_reply', 'department_return', 'request_extension', 'decide_extension', 'supervise', 'remind', 'claim', 'reply', 'reclassify'],
  replied: ['supervise', 'remind', 'callback', 'rate', 'close'],
  called_back: ['supervise', 'rate', 'close'],
  rated: ['supervise', 'reopen', 'close'],
  closed: [],
  declined: [],
  merged: [],
};

/** A command for each action, with the facts of a case on which its guards pass. */
function ready(status: CaseStatus, action: CaseAction): { snapshot: CaseSnapshot; command: CaseCommand } {
  const snapshot: CaseSnapshot = { ...initialSnapshot(), status };
  const summoned = [{ departmentId: 7, reportedIn: true, replied: true }];
  switch (action) {
    case 'dispatch': return { snapshot, command: { action } };
    case 'decline': return { snapshot, command: { action, reason: 'spam' } };
    case 'merge': return { snapshot, command: { action, intoCaseId: 1 } };
    case 'record_contact': return { snapshot, command: { action } };
    case 'escalate': return { snapshot: { ...snapshot, holderLevel: 'grid' }, command: { action } };
    case 'summon': return { snapshot: { ...snapshot, holderLevel: 'street' }, command: { action, departmentIds: [7] } };
    case 'report_in': return { snapshot: { ...snapshot, summonses: [{ departmentId: 7, reportedIn: false, replied: false }] }, command: { action, departmentId: 7 } };
    case 'department_reply': return { snapshot: { ...snapshot, summonses: [{ departmentId: 7, reportedIn: true, replied: false }] }, command: { action, departmentId: 7 } };
    case 'department_return': return { snapshot: { ...snapshot, summonses: [{ departmentId: 7, reportedIn: true, replied: false }] }, command: { action, departmentId: 7, reason: 'not ours' } };
    case 'return': return { snapshot, command: { action, reason: 'wrong grid' } };
    case 'request_extension': return { snapshot, command: { action } };
    case 'decide_extension': return { snapshot: { ...snapshot, extensionPending: true }, command: { action, approved: true } };
    case 'supervise': return { snapshot, command: { action } };
    case 'remind': return { snapshot, command: { action } };
    case 'claim': return { snapshot, command: { action, partyOrganizationId: 3 } };
    case 'reply': return { snapshot: { ...snapshot, summonses: status === 'summoned' ? summoned : [] }, command: { action } };
    case 'callback': return { snapshot, command: { action } };
    case 'rate': return { snapshot, command: { action, resolved: true, satisfaction: 'satisfied' } };
    case 'reopen': return { snapshot: { ...snapshot, rating: { resolved: false, satisfaction: 'dissatisfied' } }, command: { action } };
    case 'close': return { snapshot, command: { action } };
    case 'reclassify': return { snapshot, command: { action, color: 'red', reason: '燃气味' } };
  }
}

describe('case lifecycle: every state × every action', () => {
  it('the table agrees with the hand-written expectation', () => {
    for (const status of caseStatuses) {
      expect(caseActions.filter((action) => allowedFrom[action].includes(status)).sort(), status).toEqual([...expected[status]].sort());
    }
  });

  for (const status of caseStatuses) {
    for (const action of caseActions) {
      const allowed = expected[status].includes(action);
      it(`${status} × ${action}: ${allowed ? 'allowed' : 'refused'}`, () => {
        const { snapshot, command } = ready(status, action);
        const result = transition(snapshot, command);
        expect(result.ok).toBe(allowed);
        if (!result.ok && !allowed) expect(result.reason).toMatch(/^Cannot /);
      });
    }
  }
});

describe('case lifecycle: where each action leads and what its guards refuse', () => {
  const run = (snapshot: CaseSnapshot, ...commands: CaseCommand[]) =>
    commands.reduce((current, command) => {
      const result = transition(current, command);
      if (!result.ok) throw new Error(result.reason);
      return result.next;
    }, snapshot);

  it('walks the whole loop: dispatch → contact → escalate twice → summon → report in → reply → callback → rate → reopen → close', () => {
    let c = run(initialSnapshot(), { action: 'dispatch' }, { action: 'record_contact' });
    expect(c).toMatchObject({ status: 'in_progress', holderLevel: 'grid' });
    c = run(c, { action: 'escalate' });
    expect(c.holderLevel).toBe('community');
    c = run(c, { action: 'escalate' }, { action: 'summon', departmentIds: [7, 8, 7] });
    expect(c.summonses.map((s) => s.departmentId)).toEqual([7, 8]);
    expect(transition(c, { action: 'reply' })).toEqual({ ok: false, reason: 'Every summoned department must reply first' });
    expect(transition(c, { action: 'department_reply', departmentId: 7 })).toEqual({ ok: false, reason: 'Report in before replying' });
    c = run(c, { action: 'report_in', departmentId: 7 }, { action: 'report_in', departmentId: 8 }, { action: 'department_reply', departmentId: 7 }, { action: 'department_reply', departmentId: 8 }, { action: 'reply' });
    c = run(c, { action: 'callback' }, { action: 'rate', resolved: false, satisfaction: 'dissatisfied' });
    expect(transition(c, { action: 'rate', resolved: true, satisfaction: 'satisfied' }).ok).toBe(false);
    c = run(c, { action: 'reopen' });
    expect(c).toMatchObject({ status: 'submitted', reopenCount: 1, rating: null, summonses: [], holderLevel: 'grid' });
    c = run(c, { action: 'dispatch' }, { action: 'record_contact' }, { action: 'reply' }, { action: 'rate', resolved: false, satisfaction: 'dissatisfied' });
    expect(transition(c, { action: 'reopen' })).toEqual({ ok: false, reason: 'A case can be reopened only once' });
    expect(run(c, { action: 'close' }).status).toBe('closed');
  });

  it('the street is the top of escalation, and only the street summons', () => {
    const atStreet = { ...initialSnapshot(), status: 'in_progress' as const, holderLevel: 'street' as const };
    expect(transition(atStreet, { action: 'escalate' }).ok).toBe(false);
    expect(transition({ ...atStreet, holderLevel: 'community' }, { action: 'summon', departmentIds: [1] })).toEqual({ ok: false, reason: 'Only the street summons departments' });
    expect(transition(atStreet, { action: 'summon', departmentIds: [] }).ok).toBe(false);
  });

  it('a satisfied, resolved case cannot be reopened', () => {
    const rated = { ...initialSnapshot(), status: 'rated' as const, rating: { resolved: true, satisfaction: 'basically_satisfied' as const } };
    expect(transition(rated, { action: 'reopen' }).ok).toBe(false);
    expect(transition({ ...rated, rating: { resolved: true, satisfaction: 'dissatisfied' } }, { action: 'reopen' }).ok).toBe(true);
    expect(transition({ ...rated, rating: { resolved: false, satisfaction: 'satisfied' } }, { action: 'reopen' }).ok).toBe(true);
  });

  it('a department returning the case hands it back to the street when no summons is left', () => {
    const summoned = { ...initialSnapshot(), status: 'summoned' as const, holderLevel: 'street' as const, summonses: [{ departmentId: 7, reportedIn: true, replied: false }, { departmentId: 8, reportedIn: false, replied: false }] };
    const once = transition(summoned, { action: 'department_return', departmentId: 7, reason: '不属本部门' });
    expect(once.ok && once.next).toMatchObject({ status: 'summoned', summonses: [{ departmentId: 8 }] });
    const twice = transition((once as { next: typeof summoned }).next, { action: 'department_return', departmentId: 8, reason: '不属本部门' });
    expect(twice.ok && twice.next).toMatchObject({ status: 'in_progress', holderLevel: 'street', summonses: [] });
    expect(transition(summoned, { action: 'department_return', departmentId: 7, reason: '  ' }).ok).toBe(false);
  });

  it('claims, supervision and extensions happen once at a time', () => {
    const c = { ...initialSnapshot(), status: 'in_progress' as const };
    const claimed = transition(c, { action: 'claim', partyOrganizationId: 3 });
    expect(claimed.ok && claimed.next.claimedByPartyOrganizationId).toBe(3);
    expect(transition((claimed as { next: CaseSnapshot }).next, { action: 'claim', partyOrganizationId: 4 }).ok).toBe(false);
    expect(transition({ ...c, supervised: true }, { action: 'supervise' }).ok).toBe(false);
    expect(transition({ ...c, extensionPending: true }, { action: 'request_extension' }).ok).toBe(false);
    expect(transition(c, { action: 'decide_extension', approved: true }).ok).toBe(false);
    expect(transition(c, { action: 'decline', reason: 'x' }).ok).toBe(false);
    expect(transition({ ...c, status: 'submitted' }, { action: 'decline', reason: ' ' }).ok).toBe(false);
    expect(transition(c, { action: 'reclassify', color: 'red', reason: ' ' }).ok).toBe(false);
  });

  it('never mutates the snapshot it was given', () => {
    const snapshot = Object.freeze({ ...initialSnapshot(), summonses: Object.freeze([]) as never });
    expect(() => transition(snapshot, { action: 'dispatch' })).not.toThrow();
    expect(snapshot.status).toBe('submitted');
  });
});
