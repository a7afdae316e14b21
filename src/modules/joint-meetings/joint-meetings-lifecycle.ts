import type { LifecycleTable } from '../community/lifecycle.ts';

/** 联席会议: planned → held (with minutes) or cancelled. */
export const meetingStatuses = ['planned', 'held', 'cancelled'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const meetingActions = ['hold', 'cancel'] as const;
export type MeetingAction = (typeof meetingActions)[number];

export const meetingLifecycle: LifecycleTable<MeetingStatus, MeetingAction> = {
  planned: { hold: 'held', cancel: 'cancelled' },
  held: {},
  cancelled: {},
};

/** 共驻共建事项: decided → in_progress → done, or dropped before it is done. */
export const itemStatuses = ['decided', 'in_progress', 'done', 'dropped'] as const;
export type ItemStatus = (typeof itemStatuses)[number];
export const itemActions = ['start', 'report_progress', 'complete', 'drop'] as const;
export type ItemAction = (typeof itemActions)[number];

export const itemLifecycle: LifecycleTable<ItemStatus, ItemAction> = {
  decided: { start: 'in_progress', report_progress: 'in_progress', drop: 'dropped' },
  in_progress: { report_progress: 'in_progress', complete: 'done', drop: 'dropped' },
  done: {},
  dropped: {},
};

/** The policy action each item action needs: the lead unit's liaison works the item; only managers drop it. */
export const itemPolicyAction: Record<ItemAction, 'report_progress' | 'manage'> = {
  start: 'report_progress',
  report_progress: 'report_progress',
  complete: 'report_progress',
  drop: 'manage',
};

/** Overdue: a due date that has passed (Asia/Shanghai day) on an item that is neither done nor dropped. */
export const isOverdue = (status: ItemStatus, dueOn: string | null, today: string) => dueOn !== null && dueOn < today && status !== 'done' && status !== 'dropped';
