// The command centre's state lives in the address (?node=region:5&from=2026-05&to=2026-05), so every
// view, drill-down and report can be linked, bookmarked and reopened on the wall screen.
import { useMemo } from 'react';
import { qs } from '../../api.ts';
import { navigate, useLocation } from '../../router.tsx';
import { currentMonth, isMonth, monthsBetween } from './period.ts';

export interface Scope {
  /** 'region:<id>' | 'department:<id>'; undefined: the user's own place. */
  node?: string;
  from: string;
  to: string;
}

const NODE = /^(region|department):[1-9][0-9]{0,17}$/;

export function parseScope(search: string): Scope & { params: URLSearchParams } {
  const params = new URLSearchParams(search);
  const node = params.get('node');
  const month = currentMonth();
  let from = isMonth(params.get('from')) ? params.get('from')! : month;
  let to = isMonth(params.get('to')) ? params.get('to')! : from;
  if (to < from) [from, to] = [to, from];
  if (monthsBetween(from, to) > 60) from = to;
  return { node: node && NODE.test(node) ? node : undefined, from, to, params };
}

export function useScope() {
  const { pathname, search } = useLocation();
  return useMemo(() => ({ pathname, ...parseScope(search) }), [pathname, search]);
}

/** The address of a view of the command centre with these query values (empty ones dropped). */
export function scopeUrl(path: string, values: Record<string, string | number | undefined | null>): string {
  return path + qs(values);
}

/** The drill-down page of a figure: exactly the cases it counts (several measures: their sum, one tab each). */
export function figureUrl(scope: Scope, measure: string | string[], categoryId?: number): string {
  return scopeUrl('/command/cases', {
    node: scope.node,
    from: scope.from,
    to: scope.to !== scope.from ? scope.to : undefined,
    measure: Array.isArray(measure) ? measure.join(',') : measure,
    categoryId,
  });
}

export function goToFigure(scope: Scope, measure: string | string[], categoryId?: number): void {
  navigate(figureUrl(scope, measure, categoryId));
}
