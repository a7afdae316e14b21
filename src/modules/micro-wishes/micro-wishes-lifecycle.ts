import type { microWishStatuses } from '../../db/schema/index.ts';
import { actionsFrom, nextStatus, type LifecycleTable } from '../community/lifecycle.ts';

export type MicroWishStatus = (typeof microWishStatuses)[number];
export type MicroWishAction = 'claim' | 'release' | 'fulfil' | 'confirm' | 'withdraw';

export const microWishActions: readonly MicroWishAction[] = ['claim', 'release', 'fulfil', 'confirm', 'withdraw'];

/**
 * 微心愿: posted on the wall → claimed by one party member or unit → fulfilled by the claimer → confirmed by
 * the wisher (or staff for them). A posted wish can be withdrawn; a claimer who cannot deliver releases it.
 */
export const microWishLifecycle: LifecycleTable<MicroWishStatus, MicroWishAction> = {
  posted: { claim: 'claimed', withdraw: 'withdrawn' },
  claimed: { fulfil: 'fulfilled', release: 'posted' },
  fulfilled: { confirm: 'confirmed' },
  confirmed: {},
  withdrawn: {},
};

export const nextWishStatus = (from: MicroWishStatus, action: MicroWishAction) => nextStatus(microWishLifecycle, 'micro_wish', from, action);
export const wishActionsFrom = (from: MicroWishStatus) => actionsFrom(microWishLifecycle, from);

/** Statuses the public wall shows (a withdrawn wish disappears from it). */
export const wallStatuses: readonly MicroWishStatus[] = ['posted', 'claimed', 'fulfilled', 'confirmed'];
