import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { bookingActions, bookingActionsFrom, bookingStatuses, initialBookingStatus, liveBookingStatuses, nextBookingStatus, type BookingAction, type BookingStatus } from './shared-resources-lifecycle.ts';

/** Written out by hand: every status × every action, so a change to the table must change this too. */
const expected: Record<BookingStatus, Record<BookingAction, BookingStatus | null>> = {
  pending: { approve: 'approved', reject: 'rejected', cancel: 'cancelled' },
  approved: { approve: null, reject: null, cancel: 'cancelled' },
  rejected: { approve: null, reject: null, cancel: null },
  cancelled: { approve: null, reject: null, cancel: null },
};

describe('booking lifecycle', () => {
  for (const from of bookingStatuses) {
    for (const action of bookingActions) {
      const to = expected[from][action];
      it(`${from} × ${action} → ${to ?? 'invalid_transition'}`, () => {
        if (to) {
          expect(nextBookingStatus(from, action)).toBe(to);
        } else {
          let thrown: unknown;
          try {
            nextBookingStatus(from, action);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(AppError);
          expect((thrown as AppError).code).toBe('invalid_transition');
          expect((thrown as AppError).status).toBe(409);
          expect((thrown as AppError).details).toMatchObject({ status: from, action });
        }
      });
    }
  }

  it('lists the allowed actions per status (the buttons)', () => {
    for (const from of bookingStatuses) {
      expect(bookingActionsFrom(from).sort()).toEqual(bookingActions.filter((a) => expected[from][a]).sort());
    }
  });

  it('starts pending only where the owner must approve', () => {
    expect(initialBookingStatus(true)).toBe('pending');
    expect(initialBookingStatus(false)).toBe('approved');
  });

  it('live statuses are exactly those the exclusion constraint covers, and final statuses allow nothing', () => {
    expect([...liveBookingStatuses].sort()).toEqual(['approved', 'pending']);
    for (const from of bookingStatuses.filter((s) => !liveBookingStatuses.includes(s))) expect(bookingActionsFrom(from)).toEqual([]);
    for (const from of liveBookingStatuses) expect(bookingActionsFrom(from)).toContain('cancel');
  });
});
