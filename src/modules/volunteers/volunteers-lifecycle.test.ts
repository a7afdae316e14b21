import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { actionsFrom, nextStatus } from '../community/lifecycle.ts';
import { activityLifecycle, signupLifecycle, type ActivityAction, type ActivityStatus, type SignupAction, type SignupStatus } from './volunteers-lifecycle.ts';

const activityExpected: Record<ActivityStatus, Partial<Record<ActivityAction, ActivityStatus>>> = {
  open: { close: 'closed', finish: 'finished', cancel: 'cancelled' },
  closed: { reopen: 'open', finish: 'finished', cancel: 'cancelled' },
  finished: {},
  cancelled: {},
};
const signupExpected: Record<SignupStatus, Partial<Record<SignupAction, SignupStatus>>> = {
  signed_up: { check_in: 'checked_in', cancel: 'cancelled' },
  checked_in: {},
  cancelled: {},
};

function check<S extends string, A extends string>(table: Record<S, Partial<Record<A, S>>>, name: string, from: S, action: A, to: S | undefined) {
  if (to) return expect(nextStatus(table, name, from, action)).toBe(to);
  try {
    nextStatus(table, name, from, action);
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_transition');
    expect((error as AppError).details).toMatchObject({ status: from, action });
  }
}

describe('volunteer activity lifecycle (every status × every action)', () => {
  for (const from of Object.keys(activityExpected) as ActivityStatus[]) {
    for (const action of ['close', 'reopen', 'finish', 'cancel'] as ActivityAction[]) {
      it(`${from} × ${action} → ${activityExpected[from][action] ?? 'invalid_transition'}`, () => check(activityLifecycle, 'volunteer_activity', from, action, activityExpected[from][action]));
    }
    it(`${from} offers its actions only`, () => expect(actionsFrom(activityLifecycle, from).sort()).toEqual(Object.keys(activityExpected[from]).sort()));
  }
});

describe('activity sign-up lifecycle (every status × every action)', () => {
  for (const from of Object.keys(signupExpected) as SignupStatus[]) {
    for (const action of ['check_in', 'cancel'] as SignupAction[]) {
      it(`${from} × ${action} → ${signupExpected[from][action] ?? 'invalid_transition'}`, () => check(signupLifecycle, 'activity_signup', from, action, signupExpected[from][action]));
    }
    it(`${from} offers its actions only`, () => expect(actionsFrom(signupLifecycle, from).sort()).toEqual(Object.keys(signupExpected[from]).sort()));
  }
});
