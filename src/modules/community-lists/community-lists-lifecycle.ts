import type { LifecycleTable } from '../community/lifecycle.ts';
import type { listItemStatuses } from '../../db/schema/index.ts';

export type ListItemStatus = (typeof listItemStatuses)[number];
export const listItemActions = ['claim', 'deliver', 'close', 'withdraw', 'release'] as const;
export type ListItemAction = (typeof listItemActions)[number];

/**
 * One lifecycle for the three lists (需求清单, 问题清单, 服务清单): an item is posted, claimed once by a
 * department, a resident unit or a reported party member, delivered with a note and closed by the community.
 * A claimer who cannot deliver releases the item back to the list; a poster withdraws an unclaimed item.
 */
export const listItemLifecycle: LifecycleTable<ListItemStatus, ListItemAction> = {
  posted: { claim: 'claimed', withdraw: 'withdrawn' },
  claimed: { deliver: 'delivered', release: 'posted' },
  delivered: { close: 'closed' },
  closed: {},
  withdrawn: {},
};
