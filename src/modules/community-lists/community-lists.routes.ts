import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { CompileBody, CreateListItemBody, ListItemActionBody, ListItemExportQuery, ListItemQuery } from './community-lists.schemas.ts';
import * as service from './community-lists.service.ts';

/** Routes of this module (registered in src/http/routes.ts): the three lists (三张清单). */
export function communityListRoutes(app: App, context: AppContext) {
  const tags = ['community-lists'];
  app.get('/api/v1/community-lists', { schema: { tags, querystring: ListItemQuery, summary: 'Needs, problem and service lists (tabs by listKind)' } }, async (request) =>
    service.listListItems(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/community-lists/export.xlsx', { schema: { tags, querystring: ListItemExportQuery, summary: 'The lists as an Excel ledger (same filters)' } }, async (request, reply) =>
    service.exportListItems(context, await authenticate(context, request), request.query, request, reply),
  );
  app.get('/api/v1/community-lists/:id', { schema: { tags, params: IdParams, summary: 'One item with its timeline and the actions the caller may take' } }, async (request) =>
    service.listItemDetail(context, await authenticate(context, request), request.params.id),
  );
  app.post('/api/v1/community-lists', { schema: { tags, body: CreateListItemBody, summary: 'Post a need, a service item or a problem' } }, async (request, reply) =>
    reply.status(201).send(await service.createListItem(context, await authenticate(context, request), request.body)),
  );
  app.post('/api/v1/community-lists/:id/actions', { schema: { tags, params: IdParams, body: ListItemActionBody, summary: 'claim, deliver, close, withdraw or release an item' } }, async (request) =>
    service.actOnListItem(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.post('/api/v1/community-lists/problems/compile', { schema: { tags, body: CompileBody, summary: "Compile a node's quarterly problem list from cases and open needs" } }, async (request) =>
    service.compileProblemList(context, await authenticate(context, request), request.body),
  );
}
