import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { actionsFrom, nextStatus, type LifecycleTable } from '../community/lifecycle.ts';
import { claimLifecycle, postLifecycle, registrationLifecycle } from './dual-reporting-lifecycle.ts';

/** Every (status, action) pair: the expected next status, or null for a refused transition (409). */
function exhaustive<S extends string, A extends string>(name: string, table: LifecycleTable<S, A>, statuses: S[], actions: A[], expected: Record<S, Partial<Record<A, S>>>) {
  describe(name, () => {
    for (const from of statuses) {
      for (const action of actions) {
        const to = expected[from][action];
        it(`${from} × ${action} → ${to ?? 'invalid_transition'}`, () => {
          if (to) expect(nextStatus(table, name, from, action)).toBe(to);
          else {
            try {
              nextStatus(table, name, from, action);
              expect.unreachable();
            } catch (error) {
              expect(error).toBeInstanceOf(AppError);
              expect((error as AppError).code).toBe('invalid_transition');
              expect((error as AppError).status).toBe(409);
            }
          }
        });
      }
      it(`${from} offers exactly ${Object.keys(expected[from]).join(', ') || 'nothing'}`, () => expect(actionsFrom(table, from).sort()).toEqual(Object.keys(expected[from]).sort()));
    }
  });
}

exhaustive('dual_registration', registrationLifecycle, ['active', 'ended'], ['end'], { active: { end: 'ended' }, ended: {} });
exhaustive('community_post', postLifecycle, ['open', 'closed'], ['close', 'reopen'], { open: { close: 'closed' }, closed: { reopen: 'open' } });
exhaustive('post_claim', claimLifecycle, ['claimed', 'withdrawn'], ['withdraw'], { claimed: { withdraw: 'withdrawn' }, withdrawn: {} });
