import { actionsFrom, nextStatus, type LifecycleTable } from '../community/lifecycle.ts';
import type { serviceOrderStatuses } from '../../db/schema/index.ts';

export type ServiceOrderStatus = (typeof serviceOrderStatuses)[number];
export type ServiceOrderAction = 'dispatch' | 'redispatch' | 'accept' | 'decline' | 'complete' | 'confirm' | 'cancel';

/**
 * 群众点单、社区派单、党员接单: the whole lifecycle of a service order as one table.
 * A decline sends the order back to the community (ordered) rather than to a 'declined' dead end, so the
 * dispatcher can give it to someone else; the schema's 'declined' status is never reached.
 * Cancelling is possible until the work is done; a completed order only waits for the resident's confirmation.
 */
export const serviceOrderLifecycle: LifecycleTable<ServiceOrderStatus, ServiceOrderAction> = {
  ordered: { dispatch: 'dispatched', cancel: 'cancelled' },
  dispatched: { accept: 'accepted', decline: 'ordered', redispatch: 'dispatched', cancel: 'cancelled' },
  accepted: { complete: 'completed', decline: 'ordered', redispatch: 'dispatched', cancel: 'cancelled' },
  completed: { confirm: 'confirmed' },
  confirmed: {},
  cancelled: {},
  declined: {},
};

export const serviceOrderActions: readonly ServiceOrderAction[] = ['dispatch', 'redispatch', 'accept', 'decline', 'complete', 'confirm', 'cancel'];

export const nextOrderStatus = (from: ServiceOrderStatus, action: ServiceOrderAction) => nextStatus(serviceOrderLifecycle, 'service_order', from, action);
export const orderActionsFrom = (from: ServiceOrderStatus) => actionsFrom(serviceOrderLifecycle, from);

/** Orders still on someone's plate (the dispatch picker shows how many each candidate holds). */
export const openOrderStatuses: readonly ServiceOrderStatus[] = ['dispatched', 'accepted'];
