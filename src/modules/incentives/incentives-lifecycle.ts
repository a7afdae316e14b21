import type { LifecycleTable } from '../community/lifecycle.ts';

/** A one-time partner-shop code: issued, then redeemed at the counter, expired after 24 h, or cancelled by its head. */
export const codeStatuses = ['issued', 'redeemed', 'expired', 'cancelled'] as const;
export type CodeStatus = (typeof codeStatuses)[number];
export const codeActions = ['redeem', 'expire', 'cancel'] as const;
export type CodeAction = (typeof codeActions)[number];

export const codeLifecycle: LifecycleTable<CodeStatus, CodeAction> = {
  issued: { redeem: 'redeemed', expire: 'expired', cancel: 'cancelled' },
  redeemed: {},
  expired: {},
  cancelled: {},
};

/** Leaving 'issued' other than by redemption gives the points back. */
export const returnsPoints = (to: CodeStatus) => to === 'expired' || to === 'cancelled';

/** '2026-11' (a month) or '2026Q4' (a quarter). */
export const PERIOD_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$|^[0-9]{4}Q[1-4]$';

/** Points of seed 004's incentives (a community may later keep its own). */
export const INCENTIVE_POINTS = { caseSatisfied: 2, redFlag: 10 } as const;
