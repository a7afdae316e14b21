import { describe, expect, it } from 'vitest';
import { nextStatus } from '../community/lifecycle.ts';
import { AppError } from '../../shared/errors.ts';
import { isOverdue, itemActions, itemLifecycle, itemStatuses, meetingActions, meetingLifecycle, meetingStatuses } from './joint-meetings-lifecycle.ts';

const expectedMeeting: Record<string, string | null> = {
  'planned/hold': 'held', 'planned/cancel': 'cancelled',
  'held/hold': null, 'held/cancel': null,
  'cancelled/hold': null, 'cancelled/cancel': null,
};

const expectedItem: Record<string, string | null> = {
  'decided/start': 'in_progress', 'decided/report_progress': 'in_progress', 'decided/complete': null, 'decided/drop': 'dropped',
  'in_progress/start': null, 'in_progress/report_progress': 'in_progress', 'in_progress/complete': 'done', 'in_progress/drop': 'dropped',
  'done/start': null, 'done/report_progress': null, 'done/complete': null, 'done/drop': null,
  'dropped/start': null, 'dropped/report_progress': null, 'dropped/complete': null, 'dropped/drop': null,
};

function outcome<S extends string, A extends string>(table: Record<S, Partial<Record<A, S>>>, from: S, action: A): string | null {
  try {
    return nextStatus(table, 'record', from, action);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_transition');
    return null;
  }
}

describe('joint meeting lifecycle (every status × every action)', () => {
  for (const from of meetingStatuses) for (const action of meetingActions) {
    it(`${from} + ${action} → ${expectedMeeting[`${from}/${action}`] ?? 'refused'}`, () => expect(outcome(meetingLifecycle, from, action)).toBe(expectedMeeting[`${from}/${action}`]));
  }
});

describe('co-building item lifecycle (every status × every action)', () => {
  for (const from of itemStatuses) for (const action of itemActions) {
    it(`${from} + ${action} → ${expectedItem[`${from}/${action}`] ?? 'refused'}`, () => expect(outcome(itemLifecycle, from, action)).toBe(expectedItem[`${from}/${action}`]));
  }
  it('overdue: past due and not finished', () => {
    expect(isOverdue('in_progress', '2026-01-01', '2026-01-02')).toBe(true);
    expect(isOverdue('decided', '2026-01-02', '2026-01-02')).toBe(false);
    expect(isOverdue('done', '2026-01-01', '2026-01-02')).toBe(false);
    expect(isOverdue('dropped', '2026-01-01', '2026-01-02')).toBe(false);
    expect(isOverdue('decided', null, '2026-01-02')).toBe(false);
  });
});
