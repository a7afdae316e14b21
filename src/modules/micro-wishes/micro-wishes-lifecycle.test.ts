import { describe, expect, it } from 'vitest';
import { microWishStatuses } from '../../db/schema/index.ts';
import { AppError } from '../../shared/errors.ts';
import { microWishActions, nextWishStatus, wishActionsFrom, type MicroWishAction, type MicroWishStatus } from './micro-wishes-lifecycle.ts';

/** Written out by hand: every allowed (status, action) pair and where it leads. Everything else is refused. */
const allowed: Record<string, MicroWishStatus> = {
  'posted claim': 'claimed',
  'posted withdraw': 'withdrawn',
  'claimed fulfil': 'fulfilled',
  'claimed release': 'posted',
  'fulfilled confirm': 'confirmed',
};

describe('micro-wish lifecycle', () => {
  for (const status of microWishStatuses) {
    for (const action of microWishActions) {
      const key = `${status} ${action}`;
      it(`${key} → ${allowed[key] ?? 'invalid_transition'}`, () => {
        if (allowed[key]) {
          expect(nextWishStatus(status, action)).toBe(allowed[key]);
        } else {
          let thrown: unknown;
          try {
            nextWishStatus(status, action);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(AppError);
          expect((thrown as AppError).code).toBe('invalid_transition');
          expect((thrown as AppError).status).toBe(409);
        }
      });
    }
  }

  it('lists the actions of each status exactly as the table allows them', () => {
    for (const status of microWishStatuses) {
      const expected = microWishActions.filter((a) => allowed[`${status} ${a}`]).sort();
      expect([...wishActionsFrom(status)].sort()).toEqual(expected);
    }
  });

  it('ends in confirmed or withdrawn, and only there', () => {
    const terminal = microWishStatuses.filter((s) => wishActionsFrom(s).length === 0);
    expect(terminal.sort()).toEqual(['confirmed', 'withdrawn']);
  });

  it('reaches every status from posted', () => {
    const seen = new Set<MicroWishStatus>(['posted']);
    const queue: MicroWishStatus[] = ['posted'];
    while (queue.length) {
      const from = queue.shift()!;
      for (const action of wishActionsFrom(from) as MicroWishAction[]) {
        const to = nextWishStatus(from, action);
        if (!seen.has(to)) seen.add(to), queue.push(to);
      }
    }
    expect([...seen].sort()).toEqual([...microWishStatuses].sort());
  });
});
