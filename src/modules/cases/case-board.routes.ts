import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { caseBoard, caseClocks, caseMap, caseWatchList, MAP_LIMIT_DEFAULT, openCaseStatuses } from './case-board.service.ts';
import { caseSuggestions } from './case-suggestions.service.ts';

const OpenStatus = Type.Union(openCaseStatuses.map((s) => Type.Literal(s)));
const Color = Type.Union([Type.Literal('red'), Type.Literal('orange'), Type.Literal('yellow'), Type.Literal('green')]);
const page = { page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) };

const BoardQuery = Type.Object({ status: Type.Optional(OpenStatus), color: Type.Optional(Color), ...page }, { additionalProperties: false });
const WatchQuery = Type.Object({ list: Type.Union([Type.Literal('overdue'), Type.Literal('supervised')]), ...page }, { additionalProperties: false });
const MapQuery = Type.Object(
  { status: Type.Optional(OpenStatus), color: Type.Optional(Color), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
);

/** Dispatcher board: the live queue, suggestions (grid worker, duplicates), watch lists and the map of open cases. */
export function caseBoardRoutes(app: App, context: AppContext) {
  const tags = ['cases'];
  app.get('/api/v1/cases/board', { schema: { tags, querystring: BoardQuery, summary: 'Open cases of your area, new ones first, with clocks and counts per status' } }, async (request) =>
    caseBoard(context, await authenticate(context, request), { ...request.query, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 50 }),
  );
  app.get('/api/v1/cases/watch', { schema: { tags, querystring: WatchQuery, summary: 'Watch lists: overdue or supervised open cases' } }, async (request) =>
    caseWatchList(context, await authenticate(context, request), { list: request.query.list, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 50 }),
  );
  app.get('/api/v1/cases/map', { schema: { tags, querystring: MapQuery, summary: `Open cases as GeoJSON points (at most ${MAP_LIMIT_DEFAULT} unless limit says otherwise; see truncated)` } }, async (request) =>
    caseMap(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/cases/:id/suggestions', { schema: { tags, params: IdParams, summary: 'Suggested grid workers and possible duplicates for a case' } }, async (request) =>
    caseSuggestions(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/cases/:id/clocks', { schema: { tags, params: IdParams, summary: 'SLA clocks of a case: running, fired (overdue) and stopped' } }, async (request) =>
    caseClocks(context, await authenticate(context, request), request.params.id),
  );
}
