import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { ChildrenQuery, DateQuery, IdParams, LocateBody, MapGridsQuery, RedrawGridBody } from './regions.schemas.ts';
import { locateForActor } from '../geography/geography.service.ts';
import { redrawGrid } from './redraw-grid.command.ts';
import * as service from './regions.service.ts';

export function regionRoutes(app: App, context: AppContext) {
  const tags = ['regions'];
  app.get('/api/v1/regions/roots', { schema: { tags, summary: 'Top nodes of the region tree the user may see' } }, async (request) =>
    service.scopeRoots(context, await authenticate(context, request)),
  );
  app.get('/api/v1/regions/:id', { schema: { tags, params: IdParams } }, async (request) =>
    service.nodeDetail(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/regions/:id/children', { schema: { tags, params: IdParams, querystring: ChildrenQuery } }, async (request) =>
    service.children(context, await authenticate(context, request), request.params.id, request.query.page ?? 1, request.query.pageSize ?? 100),
  );
  app.get('/api/v1/map/grids', { schema: { tags, querystring: MapGridsQuery, summary: 'Grid polygons as GeoJSON (WGS-84)' } }, async (request) =>
    service.gridFeatures(context, await authenticate(context, request), request.query.regionId),
  );
  app.get('/api/v1/grids/:id/summary', { schema: { tags, params: IdParams } }, async (request) =>
    service.gridSummary(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/buildings/:id/grid-history', { schema: { tags, params: IdParams, querystring: DateQuery, summary: 'Which grid a building belonged to, over time or on a date' } }, async (request) =>
    service.buildingGridHistory(context, await authenticate(context, request), request.params.id, request.query.date),
  );
}

export function geographyRoutes(app: App, context: AppContext) {
  app.post('/api/v1/geo/locate', { schema: { tags: ['geography'], body: LocateBody, summary: 'Point → grid and nearest building (WGS-84 or GCJ-02 input)' } }, async (request) =>
    locateForActor(context, await authenticate(context, request), request.body),
  );
  app.put('/api/v1/regions/:id/geometry', { schema: { tags: ['regions'], params: IdParams, body: RedrawGridBody, summary: 'Re-draw a grid; buildings are re-assigned with history' } }, async (request) =>
    redrawGrid(context, await authenticate(context, request), request.params.id, request.body as never),
  );
}
