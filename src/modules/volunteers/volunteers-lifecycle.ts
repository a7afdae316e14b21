import type { LifecycleTable } from '../community/lifecycle.ts';

/**
 * A volunteer activity: open for sign-up, closed (full or sign-up over; may reopen), then finished (hours were
 * credited at check-in) or cancelled. Finished and cancelled are final.
 */
export type ActivityStatus = 'open' | 'closed' | 'finished' | 'cancelled';
export type ActivityAction = 'close' | 'reopen' | 'finish' | 'cancel';
export const activityLifecycle: LifecycleTable<ActivityStatus, ActivityAction> = {
  open: { close: 'closed', finish: 'finished', cancel: 'cancelled' },
  closed: { reopen: 'open', finish: 'finished', cancel: 'cancelled' },
  finished: {},
  cancelled: {},
};

/** A sign-up: checked in once on the day (credits the hours), or cancelled before. */
export type SignupStatus = 'signed_up' | 'checked_in' | 'cancelled';
export type SignupAction = 'check_in' | 'cancel';
export const signupLifecycle: LifecycleTable<SignupStatus, SignupAction> = {
  signed_up: { check_in: 'checked_in', cancel: 'cancelled' },
  checked_in: {},
  cancelled: {},
};
