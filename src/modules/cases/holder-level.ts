import type { Actor } from '../policy/actor.ts';
import type { HolderLevel } from './case-lifecycle.ts';

/** How high each place in the tree sits: a case held at a level is handled there or above (处置 within the level's authority). */
const levelRank: Record<string, number> = { building: 0, grid: 0, compound: 1, community: 1, street: 2, district: 3, city: 4 };
const holderRank: Record<HolderLevel, number> = { grid: 0, community: 1, street: 2 };
const handleRoles = new Set(['grid_worker', 'grid_head', 'dispatcher', 'street_officer']);

/**
 * May this actor work a case held at `holderLevel`? With a handling role on a node at that level or
 * above, over the case — or, while the grid holds it, as the grid worker a dispatcher gave a task to.
 */
export function actsAtHolderLevel(actor: Actor, regionPath: string, holderLevel: HolderLevel, assigneeUserIds: readonly number[] = []): boolean {
  if (holderLevel === 'grid' && assigneeUserIds.includes(actor.userId)) return true;
  return actor.grants.some(
    (g) => handleRoles.has(g.role) && g.regionPath !== null && regionPath.startsWith(g.regionPath) && (levelRank[g.regionLevel ?? 'grid'] ?? 0) >= holderRank[holderLevel],
  );
}
