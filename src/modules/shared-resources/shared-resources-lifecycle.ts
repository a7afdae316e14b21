import { actionsFrom, nextStatus, type LifecycleTable } from '../community/lifecycle.ts';

export const bookingStatuses = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type BookingStatus = (typeof bookingStatuses)[number];
export const bookingActions = ['approve', 'reject', 'cancel'] as const;
export type BookingAction = (typeof bookingActions)[number];

/** Live bookings hold their period (the exclusion constraint covers exactly these). */
export const liveBookingStatuses: readonly BookingStatus[] = ['pending', 'approved'];

/**
 * A booking of a shared resource. It starts 'approved' when the resource needs no approval, else 'pending'
 * until the owner (the owner unit's liaison, or the community) approves or rejects it. The booker or the
 * community may cancel a live booking; rejected and cancelled bookings are final.
 */
export const bookingLifecycle: LifecycleTable<BookingStatus, BookingAction> = {
  pending: { approve: 'approved', reject: 'rejected', cancel: 'cancelled' },
  approved: { cancel: 'cancelled' },
  rejected: {},
  cancelled: {},
};

export const initialBookingStatus = (requiresApproval: boolean): BookingStatus => (requiresApproval ? 'pending' : 'approved');
export const nextBookingStatus = (from: BookingStatus, action: BookingAction) => nextStatus(bookingLifecycle, 'booking', from, action);
export const bookingActionsFrom = (from: BookingStatus) => actionsFrom(bookingLifecycle, from);
