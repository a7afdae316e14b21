import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { disputeActions, disputeActionsFrom, disputeStatuses, nextDisputeStatus, type DisputeAction, type DisputeStatus } from './grid-work-lifecycle.ts';

/** Every status × every action, written out by hand: a change to the table must change this test. */
const expected: Record<DisputeStatus, Record<DisputeAction, DisputeStatus | null>> = {
  found: { mediate: 'mediating', resolve: null, escalate: 'escalated' },
  mediating: { mediate: null, resolve: 'resolved', escalate: 'escalated' },
  resolved: { mediate: null, resolve: null, escalate: null },
  escalated: { mediate: null, resolve: null, escalate: null },
};

describe('dispute lifecycle', () => {
  for (const from of disputeStatuses) {
    for (const action of disputeActions) {
      const to = expected[from][action];
      it(`${from} × ${action} → ${to ?? 'invalid_transition'}`, () => {
        if (to) {
          expect(nextDisputeStatus(from, action)).toBe(to);
        } else {
          let error: unknown;
          try {
            nextDisputeStatus(from, action);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('invalid_transition');
          expect((error as AppError).status).toBe(409);
          expect((error as AppError).details).toMatchObject({ status: from, action, allowed: disputeActionsFrom(from) });
        }
      });
    }
  }

  it('the final statuses allow nothing and every status is reachable from found', () => {
    expect(disputeActionsFrom('resolved')).toEqual([]);
    expect(disputeActionsFrom('escalated')).toEqual([]);
    const reached = new Set<DisputeStatus>(['found']);
    for (let round = 0; round < 3; round++) for (const s of [...reached]) for (const a of disputeActionsFrom(s)) reached.add(nextDisputeStatus(s, a));
    expect([...reached].sort()).toEqual([...disputeStatuses].sort());
  });
});
