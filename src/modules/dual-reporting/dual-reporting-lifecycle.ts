import type { LifecycleTable } from '../community/lifecycle.ts';

/** 双报到 registration: ended registrations stay in the ledger; a new one is a new row. */
export type RegistrationStatus = 'active' | 'ended';
export type RegistrationAction = 'end';
export const registrationLifecycle: LifecycleTable<RegistrationStatus, RegistrationAction> = {
  active: { end: 'ended' },
  ended: {},
};

/** 岗位: a community closes a post when it is filled or over, and may open it again. */
export type PostStatus = 'open' | 'closed';
export type PostAction = 'close' | 'reopen';
export const postLifecycle: LifecycleTable<PostStatus, PostAction> = {
  open: { close: 'closed' },
  closed: { reopen: 'open' },
};

/** A claim of a post: withdrawing frees the slot; claiming again is a new claim. */
export type ClaimStatus = 'claimed' | 'withdrawn';
export type ClaimAction = 'withdraw';
export const claimLifecycle: LifecycleTable<ClaimStatus, ClaimAction> = {
  claimed: { withdraw: 'withdrawn' },
  withdrawn: {},
};
