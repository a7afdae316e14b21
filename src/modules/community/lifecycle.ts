import { AppError } from '../../shared/errors.ts';

/**
 * A small lifecycle as one pure table: status → action → next status. Each community-service record
 * (list item, order, wish, booking, dispute …) declares its own and tests it exhaustively, like the
 * case lifecycle.
 */
export type LifecycleTable<S extends string, A extends string> = Record<S, Partial<Record<A, S>>>;

export function nextStatus<S extends string, A extends string>(table: LifecycleTable<S, A>, subject: string, from: S, action: A): S {
  const to = table[from]?.[action];
  if (!to) {
    throw new AppError('invalid_transition', `Cannot ${action.replace(/_/g, ' ')} a ${subject.replace(/_/g, ' ')} that is ${from.replace(/_/g, ' ')}`, {
      status: from,
      action,
      allowed: Object.keys(table[from] ?? {}),
    });
  }
  return to;
}

/** The actions the table allows from a status (the UI's buttons are these, filtered by the policy). */
export const actionsFrom = <S extends string, A extends string>(table: LifecycleTable<S, A>, from: S): A[] => Object.keys(table[from] ?? {}) as A[];
