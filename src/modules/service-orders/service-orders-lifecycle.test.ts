import { describe, expect, it } from 'vitest';
import { serviceOrderStatuses } from '../../db/schema/index.ts';
import { AppError } from '../../shared/errors.ts';
import { nextOrderStatus, orderActionsFrom, serviceOrderActions, type ServiceOrderAction, type ServiceOrderStatus } from './service-orders-lifecycle.ts';

/** Every (status, action) pair written out by hand: a change to the table must change this too. */
const expected: Record<ServiceOrderStatus, Partial<Record<ServiceOrderAction, ServiceOrderStatus>>> = {
  ordered: { dispatch: 'dispatched', cancel: 'cancelled' },
  dispatched: { accept: 'accepted', decline: 'ordered', redispatch: 'dispatched', cancel: 'cancelled' },
  accepted: { complete: 'completed', decline: 'ordered', redispatch: 'dispatched', cancel: 'cancelled' },
  completed: { confirm: 'confirmed' },
  confirmed: {},
  cancelled: {},
  declined: {},
};

describe('service order lifecycle', () => {
  for (const from of serviceOrderStatuses) {
    for (const action of serviceOrderActions) {
      const to = expected[from][action];
      it(`${from} × ${action} → ${to ?? 'invalid_transition'}`, () => {
        if (to) {
          expect(nextOrderStatus(from, action)).toBe(to);
        } else {
          let error: unknown;
          try {
            nextOrderStatus(from, action);
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('invalid_transition');
          expect((error as AppError).status).toBe(409);
          expect(((error as AppError).details as { allowed: string[] }).allowed.sort()).toEqual(Object.keys(expected[from]).sort());
        }
      });
    }
  }

  it('the actions offered from a status are exactly the table row', () => {
    for (const from of serviceOrderStatuses) expect(orderActionsFrom(from).sort()).toEqual(Object.keys(expected[from]).sort());
  });

  it('nothing leaves a finished order, and cancelling is impossible once the work is done', () => {
    for (const end of ['confirmed', 'cancelled'] as const) expect(orderActionsFrom(end)).toEqual([]);
    expect(orderActionsFrom('completed')).not.toContain('cancel');
  });
});
