import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { ResidentListQuery, RevealBody } from './people.schemas.ts';
import * as service from './people.service.ts';

export function peopleRoutes(app: App, context: AppContext) {
  const tags = ['people'];
  app.get('/api/v1/buildings/:id', { schema: { tags, params: IdParams, summary: 'A building with its households (masked)' } }, async (request) =>
    service.buildingDetail(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/households/:id', { schema: { tags, params: IdParams, summary: 'A household with its residents (masked)' } }, async (request) =>
    service.householdDetail(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/residents', { schema: { tags, querystring: ResidentListQuery } }, async (request) =>
    service.listResidents(context, await authenticate(context, request), { ...request.query, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.get('/api/v1/residents/:id', { schema: { tags, params: IdParams } }, async (request) =>
    service.residentDetail(context, await authenticate(context, request), request.params.id),
  );
  app.post('/api/v1/residents/:id/reveal', { schema: { tags, params: IdParams, body: RevealBody, summary: 'Show full personal data (authorised and audited)' } }, async (request) =>
    service.revealResident(context, await authenticate(context, request), request.params.id, request.body.fields),
  );
}
