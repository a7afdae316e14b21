import { actionsFrom, nextStatus, type LifecycleTable } from '../community/lifecycle.ts';

export const disputeStatuses = ['found', 'mediating', 'resolved', 'escalated'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];
export const disputeActions = ['mediate', 'resolve', 'escalate'] as const;
export type DisputeAction = (typeof disputeActions)[number];

/**
 * 矛盾纠纷排查化解: a dispute found by a grid worker is mediated, then resolved (with a result) or, beyond
 * the grid's reach, escalated into a case (escalation is possible straight after finding it, e.g. a fight).
 * Resolved and escalated are final: the escalated dispute lives on as its case.
 */
export const disputeLifecycle: LifecycleTable<DisputeStatus, DisputeAction> = {
  found: { mediate: 'mediating', escalate: 'escalated' },
  mediating: { resolve: 'resolved', escalate: 'escalated' },
  resolved: {},
  escalated: {},
};

export const nextDisputeStatus = (from: DisputeStatus, action: DisputeAction) => nextStatus(disputeLifecycle, 'dispute', from, action);
export const disputeActionsFrom = (from: DisputeStatus) => actionsFrom(disputeLifecycle, from);
