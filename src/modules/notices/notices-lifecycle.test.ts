import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { nextStatus, type LifecycleTable } from '../community/lifecycle.ts';
import { meetingActions, meetingLifecycle, meetingStatuses, noticeActions, noticeLifecycle, noticeStatuses } from './notices-lifecycle.ts';

/** Every status × every action, written out by hand. */
const expectedNotice: Record<string, Record<string, string | undefined>> = {
  draft: { publish: 'published', withdraw: undefined },
  published: { publish: undefined, withdraw: 'withdrawn' },
  withdrawn: { publish: undefined, withdraw: undefined },
};
const expectedMeeting: Record<string, Record<string, string | undefined>> = {
  planned: { hold: 'held', publish: undefined },
  held: { hold: undefined, publish: 'published' },
  published: { hold: undefined, publish: undefined },
};

function exhaust(name: string, table: LifecycleTable<string, string>, statuses: readonly string[], actions: readonly string[], expected: Record<string, Record<string, string | undefined>>) {
  describe(name, () => {
    for (const from of statuses) {
      for (const action of actions) {
        const to = expected[from][action];
        it(`${from} × ${action} → ${to ?? 'invalid_transition'}`, () => {
          if (to) return expect(nextStatus(table, name, from, action)).toBe(to);
          try {
            nextStatus(table, name, from, action);
            expect.fail('no error');
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            expect((error as AppError).code).toBe('invalid_transition');
          }
        });
      }
    }
  });
}

exhaust('notice', noticeLifecycle, noticeStatuses, noticeActions, expectedNotice);
exhaust('deliberation_meeting', meetingLifecycle, meetingStatuses, meetingActions, expectedMeeting);
