import { describe, expect, it } from 'vitest';
import { listItemStatuses } from '../../db/schema/index.ts';
import { AppError } from '../../shared/errors.ts';
import { actionsFrom, nextStatus } from '../community/lifecycle.ts';
import { listItemActions, listItemLifecycle, type ListItemAction, type ListItemStatus } from './community-lists-lifecycle.ts';

/** Every status × every action, written out by hand: a change to the table must change this too. */
const expected: Record<ListItemStatus, Partial<Record<ListItemAction, ListItemStatus>>> = {
  posted: { claim: 'claimed', withdraw: 'withdrawn' },
  claimed: { deliver: 'delivered', release: 'posted' },
  delivered: { close: 'closed' },
  closed: {},
  withdrawn: {},
};

describe('list item lifecycle (三张清单)', () => {
  for (const from of listItemStatuses) {
    for (const action of listItemActions) {
      const to = expected[from][action];
      it(`${from} × ${action} → ${to ?? 'invalid_transition'}`, () => {
        if (to) expect(nextStatus(listItemLifecycle, 'list_item', from, action)).toBe(to);
        else {
          let error: unknown;
          try {
            nextStatus(listItemLifecycle, 'list_item', from, action);
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('invalid_transition');
          expect((error as AppError).status).toBe(409);
        }
      });
    }
  }

  it('closed and withdrawn are final', () => {
    expect(actionsFrom(listItemLifecycle, 'closed')).toEqual([]);
    expect(actionsFrom(listItemLifecycle, 'withdrawn')).toEqual([]);
  });

  it('every status is reachable from posted', () => {
    const seen = new Set<ListItemStatus>(['posted']);
    const queue: ListItemStatus[] = ['posted'];
    while (queue.length) for (const to of Object.values(listItemLifecycle[queue.shift()!]) as ListItemStatus[]) if (!seen.has(to)) (seen.add(to), queue.push(to));
    expect([...seen].sort()).toEqual([...listItemStatuses].sort());
  });
});
