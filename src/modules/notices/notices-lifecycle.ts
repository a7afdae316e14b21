import type { LifecycleTable } from '../community/lifecycle.ts';

export const noticeStatuses = ['draft', 'published', 'withdrawn'] as const;
export type NoticeStatus = (typeof noticeStatuses)[number];
export const noticeActions = ['publish', 'withdraw'] as const;
export type NoticeAction = (typeof noticeActions)[number];

/** A notice is drafted, published (public kinds become readable without login), and may be withdrawn. */
export const noticeLifecycle: LifecycleTable<NoticeStatus, NoticeAction> = {
  draft: { publish: 'published' },
  published: { withdraw: 'withdrawn' },
  withdrawn: {},
};

export const meetingStatuses = ['planned', 'held', 'published'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const meetingActions = ['hold', 'publish'] as const;
export type MeetingAction = (typeof meetingActions)[number];

/** 议事会 / 楼栋共治会: planned, held (participants and summary recorded), results published to residents. */
export const meetingLifecycle: LifecycleTable<MeetingStatus, MeetingAction> = {
  planned: { hold: 'held' },
  held: { publish: 'published' },
  published: {},
};
