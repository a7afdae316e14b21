import { describe, expect, it } from 'vitest';
import { nextStatus } from '../community/lifecycle.ts';
import { AppError } from '../../shared/errors.ts';
import { codeActions, codeLifecycle, codeStatuses, PERIOD_PATTERN, returnsPoints } from './incentives-lifecycle.ts';

const expected: Record<string, string | null> = {
  'issued/redeem': 'redeemed', 'issued/expire': 'expired', 'issued/cancel': 'cancelled',
  'redeemed/redeem': null, 'redeemed/expire': null, 'redeemed/cancel': null,
  'expired/redeem': null, 'expired/expire': null, 'expired/cancel': null,
  'cancelled/redeem': null, 'cancelled/expire': null, 'cancelled/cancel': null,
};

describe('redemption code lifecycle (every status × every action)', () => {
  for (const from of codeStatuses) for (const action of codeActions) {
    it(`${from} + ${action} → ${expected[`${from}/${action}`] ?? 'refused'}`, () => {
      let to: string | null;
      try {
        to = nextStatus(codeLifecycle, 'redemption_code', from, action);
      } catch (error) {
        expect((error as AppError).code).toBe('invalid_transition');
        to = null;
      }
      expect(to).toBe(expected[`${from}/${action}`]);
    });
  }
  it('points come back on expiry and cancellation, not on redemption', () => {
    expect(codeStatuses.filter(returnsPoints)).toEqual(['expired', 'cancelled']);
  });
  it('periods are months or quarters', () => {
    const re = new RegExp(PERIOD_PATTERN);
    expect(['2026-11', '2026-01', '2026Q4', '2026Q1'].every((p) => re.test(p))).toBe(true);
    expect(['2026-13', '2026-1', '2026Q5', '2026q4', '2026-11-01', ''].some((p) => re.test(p))).toBe(false);
  });
});
