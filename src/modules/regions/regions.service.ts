import type { AppContext } from '../../context.ts';
import { notFound } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize, can, requireAbility, scopeFor } from '../policy/authorize.ts';
import { regionPathFilter } from '../policy/scope-sql.ts';
import { idsOfPath } from './region-path.ts';
import * as repository from './regions.repository.ts';
import type { RegionNodeRow } from './regions.repository.ts';
import { sql } from 'drizzle-orm';

export const presentNode = (node: RegionNodeRow) => ({
  id: node.id,
  code: node.code,
  name: node.name,
  level: node.level,
  parentId: node.parentId,
  hasChildren: node.hasChildren,
  centroid: node.centroid,
});

export async function readableNode(context: AppContext, actor: Actor, id: number): Promise<RegionNodeRow> {
  const node = await repository.findNode(context.database, id);
  if (!node) throw notFound('Region');
  authorize(actor, 'region', 'read', { cityId: node.cityId, regionPath: node.path });
  return node;
}

/** The top nodes of the actor's reach: where the region tree starts for them. */
export async function scopeRoots(context: AppContext, actor: Actor) {
  const scope = scopeFor(actor, 'region', 'read');
  const ids = scope.regionPaths.map((path) => idsOfPath(path).at(-1)!);
  const nodes = await repository.findNodesByIds(context.database, ids);
  return { items: nodes.map(presentNode) };
}

export async function nodeDetail(context: AppContext, actor: Actor, id: number) {
  const node = await readableNode(context, actor, id);
  // Ancestor names are shown for orientation (breadcrumbs); they carry no personal data.
  const ancestors = await repository.findNodesByIds(context.database, idsOfPath(node.path).slice(0, -1));
  return {
    ...presentNode(node),
    address: node.address,
    geometry: await repository.findGeometry(context.database, id),
    ancestors: ancestors.map((a) => ({ id: a.id, code: a.code, name: a.name, level: a.level })),
    abilities: { update: can(actor, 'region', 'update', { cityId: node.cityId, regionPath: node.path }) },
  };
}

export async function children(context: AppContext, actor: Actor, id: number, page: number, pageSize: number) {
  await readableNode(context, actor, id);
  const { items, total } = await repository.listChildren(context.database, id, pageSize, (page - 1) * pageSize);
  return { items: items.map(presentNode), page, pageSize, total };
}

/** Grid polygons the actor may see, optionally inside one node, as a GeoJSON FeatureCollection. */
export async function gridFeatures(context: AppContext, actor: Actor, regionId?: number) {
  requireAbility(actor, 'region', 'read');
  const scope = scopeFor(actor, 'region', 'read');
  let filter = regionPathFilter(sql.raw('g.path'), scope);
  if (regionId !== undefined) {
    const node = await readableNode(context, actor, regionId);
    filter = sql`${filter} AND g.path LIKE ${node.path + '%'}`;
  }
  const grids = await repository.listGridGeometries(context.database, actor.cityId, filter);
  return {
    type: 'FeatureCollection' as const,
    features: grids.map((grid) => ({
      type: 'Feature' as const,
      id: grid.id,
      properties: { id: grid.id, code: grid.code, name: grid.name, communityName: grid.communityName },
      geometry: grid.geometry,
    })),
  };
}

export async function gridSummary(context: AppContext, actor: Actor, id: number) {
  const grid = await readableNode(context, actor, id);
  if (grid.level !== 'grid') throw notFound('Grid');
  const [community] = grid.parentId ? await repository.findNodesByIds(context.database, [grid.parentId]) : [];
  const [buildings, gridWorkers, partyOrganization, counts] = await Promise.all([
    repository.findBuildingsOfGrid(context.database, id),
    repository.findGridWorkers(context.database, id),
    repository.findPartyOrganizationOfNode(context.database, id),
    repository.countPeopleUnder(context.database, grid.path),
  ]);
  return {
    grid: presentNode(grid),
    community: community ? presentNode(community) : null,
    gridWorkers,
    partyOrganization,
    householdCount: counts.households,
    residentCount: counts.residents,
    buildings,
  };
}

export async function buildingGridHistory(context: AppContext, actor: Actor, id: number, date?: string) {
  const building = await readableNode(context, actor, id);
  if (building.level !== 'building') throw notFound('Building');
  const history = await repository.listBuildingGridHistory(context.database, id);
  const on = date ? await repository.findBuildingGridOn(context.database, id, date) : null;
  return { buildingId: id, date: date ?? null, gridOnDate: on, history };
}
