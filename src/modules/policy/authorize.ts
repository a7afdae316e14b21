import { AppError } from '../../shared/errors.ts';
import type { Actor, ScopedRecord } from './actor.ts';
import { policies, type Action, type Resource, type Rule } from './policies.ts';

const ruleOf = <R extends Resource>(resource: R, action: Action<R>): Rule => (policies[resource] as Record<string, Rule>)[action];

/** May this actor do `action` on `record`? The single decision point for every endpoint. */
export function can<R extends Resource>(actor: Actor, resource: R, action: Action<R>, record: ScopedRecord): boolean {
  if (record.cityId !== actor.cityId) return false;
  const rule = ruleOf(resource, action);
  return actor.grants.some((grant) => {
    if (rule.cityWide?.includes(grant.role)) return true;
    if (rule.assigned?.includes(grant.role) && record.assigneeUserIds?.includes(actor.userId)) return true;
    if (rule.ownUnit?.includes(grant.role)) return grant.unitId !== null && (record.unitId === grant.unitId || Boolean(record.unitIds?.includes(grant.unitId)));
    if (rule.within?.includes(grant.role)) {
      return grant.regionPath !== null && typeof record.regionPath === 'string' && record.regionPath.startsWith(grant.regionPath);
    }
    return false;
  });
}

export function authorize<R extends Resource>(actor: Actor, resource: R, action: Action<R>, record: ScopedRecord): void {
  if (!can(actor, resource, action, record)) {
    throw new AppError('forbidden', `Not allowed to ${action} this ${resource.replace('_', ' ')}`, { resource, action });
  }
}

/**
 * The part of the city a list query may show: region path prefixes and department ids.
 * `cityWide` means no region filter at all (within the actor's city).
 */
export interface ListScope {
  cityWide: boolean;
  regionPaths: string[];
  unitIds: number[];
}

export function scopeFor<R extends Resource>(actor: Actor, resource: R, action: Action<R>): ListScope {
  const rule = ruleOf(resource, action);
  const scope: ListScope = { cityWide: false, regionPaths: [], unitIds: [] };
  for (const grant of actor.grants) {
    if (rule.cityWide?.includes(grant.role)) scope.cityWide = true;
    if (rule.ownUnit?.includes(grant.role) && grant.unitId !== null) scope.unitIds.push(grant.unitId);
    if (rule.within?.includes(grant.role) && grant.regionPath) scope.regionPaths.push(grant.regionPath);
  }
  // A path inside another granted path adds nothing.
  scope.regionPaths = scope.regionPaths.filter((p, i, all) => !all.some((q, j) => j !== i && p.startsWith(q) && (p !== q || j < i)));
  return scope;
}

export const isEmptyScope = (scope: ListScope) => !scope.cityWide && scope.regionPaths.length === 0 && scope.unitIds.length === 0;

/** Does the actor hold any role for which this action is possible somewhere? (menu-level abilities) */
export function mayEver<R extends Resource>(actor: Actor, resource: R, action: Action<R>): boolean {
  return !isEmptyScope(scopeFor(actor, resource, action));
}

export function requireAbility<R extends Resource>(actor: Actor, resource: R, action: Action<R>): void {
  if (!mayEver(actor, resource, action)) throw new AppError('forbidden', `Your roles do not allow ${action} on ${resource.replace('_', ' ')}`);
}
