import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';
import { can } from '../policy/authorize.ts';
import { monthIndex, monthOfIndex, parseMonthRange, readableMetricNode, type NodeRef } from '../metrics/metrics.service.ts';
import type { MetricNode } from '../metrics/metrics.repository.ts';
import { areaWords, figureDefinitions, figureKeys, type NodeFigures } from './community-metrics.figures.ts';
import { figuresOf, type PeriodBounds } from './community-metrics.repository.ts';

export interface FigureQuery {
  node: NodeRef | null;
  from: string;
  to?: string;
}

/** The period as month bounds plus the quarter of its last month. */
export function periodBounds(from: string, to?: string): PeriodBounds {
  const range = parseMonthRange(from, to);
  const last = monthIndex(range.to) - 1;
  const quarterStart = last - (last % 12) % 3;
  return { range, quarterFrom: `${monthOfIndex(quarterStart)}-01` };
}

/** The node, authorised by the command centre's read policy; community services are counted by region only. */
async function regionNode(context: AppContext, actor: Actor, ref: NodeRef | null): Promise<MetricNode & { path: string }> {
  if (ref?.kind === 'department') throw new AppError('validation_failed', 'Community-service figures are counted by region: give node=region:<id>', { node: `department:${ref.id}` });
  const node = await readableMetricNode(context, actor, ref);
  if (node.kind !== 'region' || !node.path) throw new AppError('validation_failed', 'Community-service figures are counted by region: give node=region:<id>');
  return node as MetricNode & { path: string };
}

const describe = (node: { id: number; name: string; level: string }) => ({ ref: `region:${node.id}`, id: node.id, name: node.name, level: node.level });
export const definitions = () => ({ areas: areaWords, figures: figureDefinitions });

/** Every community-service figure of a node and period. */
export async function communityFigures(context: AppContext, actor: Actor, query: FigureQuery) {
  const period = periodBounds(query.from, query.to);
  const node = await regionNode(context, actor, query.node);
  const figures = (await figuresOf(context.database, actor.cityId, [{ id: node.id, path: node.path }], period)).get(node.id)!;
  return { node: describe(node), period: { from: query.from, to: query.to ?? query.from, quarterFrom: period.quarterFrom }, figures, definitions: definitions() };
}

export const figureValue = (figures: NodeFigures, key: string) => {
  const [area, name] = key.split('.');
  return figures[area]?.[name] ?? null;
};

/** The communities (or streets) under a node ranked by one figure, highest first (nulls last). */
export async function communityRankings(context: AppContext, actor: Actor, query: FigureQuery & { level: 'community' | 'street'; sort?: string }) {
  const sort = query.sort ?? 'lists.deliveryRate';
  if (!figureKeys.includes(sort)) throw new AppError('validation_failed', `Unknown figure '${sort}'`, { sort, known: figureKeys });
  const period = periodBounds(query.from, query.to);
  const parent = await regionNode(context, actor, query.node);
  const rows = await context.database.rows<{ id: number; name: string; path: string; level: string }>(
    sql`SELECT id, name, path, level FROM region_nodes WHERE city_id = ${actor.cityId} AND level = ${query.level} AND path LIKE ${parent.path + '%'} AND valid_to IS NULL ORDER BY id LIMIT 5000`,
  );
  const nodes = rows
    .map((r) => ({ id: Number(r.id), name: r.name, path: r.path, level: r.level }))
    .filter((n) => can(actor, 'metrics', 'read', { cityId: actor.cityId, regionPath: n.path }));
  const byNode = await figuresOf(context.database, actor.cityId, nodes, period);
  const items = nodes.map((n) => ({ node: describe(n), figures: byNode.get(n.id)!, value: figureValue(byNode.get(n.id)!, sort) }));
  items.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.node.id - b.node.id);
  return {
    parent: describe(parent),
    level: query.level,
    sort,
    period: { from: query.from, to: query.to ?? query.from },
    items: items.map((item, i) => ({ rank: i + 1, ...item })),
    definitions: definitions(),
  };
}

/** The ledger rows: the node's figures, then each community (or street) under it, one row per figure. */
export async function ledgerRows(context: AppContext, actor: Actor, query: FigureQuery) {
  const period = periodBounds(query.from, query.to);
  const node = await regionNode(context, actor, query.node);
  const childLevel = node.level === 'city' || node.level === 'district' ? 'street' : node.level === 'street' ? 'community' : null;
  const children = childLevel
    ? (
        await context.database.rows<{ id: number; name: string; path: string; level: string }>(
          sql`SELECT id, name, path, level FROM region_nodes WHERE city_id = ${actor.cityId} AND level = ${childLevel} AND path LIKE ${node.path + '%'} AND valid_to IS NULL ORDER BY id LIMIT 5000`,
        )
      ).map((r) => ({ id: Number(r.id), name: r.name, path: r.path, level: r.level }))
    : [];
  const all = [{ id: node.id, name: node.name, path: node.path, level: node.level }, ...children];
  const byNode = await figuresOf(context.database, actor.cityId, all, period);
  let id = 0;
  const rows = all.flatMap((n) =>
    figureDefinitions.map((d) => ({ id: ++id, region: n.name, level: n.level, area: areaWords[d.area].zh, figure: d.zh, kind: d.kind, value: byNode.get(n.id)![d.area][d.key] })),
  );
  return { node: describe(node), period: { from: query.from, to: query.to ?? query.from }, rows };
}
