import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as schemas from './dual-reporting.schemas.ts';
import * as service from './dual-reporting.service.ts';

/** 双报到: registrations, posts (岗位), claims, service hours, the ledger (台账) and reminders. */
export function dualReportingRoutes(app: App, context: AppContext) {
  const tags = ['dual-reporting'];
  const base = '/api/v1/dual-reporting';
  const actor = (request: Parameters<typeof authenticate>[1]) => authenticate(context, request);

  app.get(`${base}/registrations`, { schema: { tags, querystring: schemas.RegistrationQuery } }, async (request) => service.listRegistrations(context, await actor(request), request.query));
  app.get(`${base}/registrations/export.xlsx`, { schema: { tags, querystring: schemas.RegistrationExportQuery } }, async (request, reply) =>
    service.exportRegistrations(context, await actor(request), request.query, request, reply),
  );
  app.post(`${base}/registrations`, { schema: { tags, body: schemas.RegistrationBody } }, async (request, reply) =>
    reply.status(201).send(await service.register(context, await actor(request), request.body)),
  );
  app.post(`${base}/registrations/:id/end`, { schema: { tags, params: IdParams, body: schemas.EndRegistrationBody } }, async (request) =>
    service.endRegistration(context, await actor(request), request.params.id, request.body),
  );
  app.get(`${base}/registrations/:id/entries`, { schema: { tags, params: IdParams, querystring: schemas.EntriesQuery } }, async (request) =>
    service.registrationEntries(context, await actor(request), request.params.id, request.query),
  );

  app.get(`${base}/posts`, { schema: { tags, querystring: schemas.PostQuery } }, async (request) => service.listPosts(context, await actor(request), request.query));
  app.get(`${base}/posts/export.xlsx`, { schema: { tags, querystring: schemas.PostExportQuery } }, async (request, reply) => service.exportPosts(context, await actor(request), request.query, request, reply));
  app.post(`${base}/posts`, { schema: { tags, body: schemas.PostBody } }, async (request, reply) => reply.status(201).send(await service.createPost(context, await actor(request), request.body)));
  app.get(`${base}/posts/:id`, { schema: { tags, params: IdParams } }, async (request) => service.postDetail(context, await actor(request), request.params.id));
  app.post(`${base}/posts/:id/close`, { schema: { tags, params: IdParams } }, async (request) => service.postAction(context, await actor(request), request.params.id, 'close'));
  app.post(`${base}/posts/:id/reopen`, { schema: { tags, params: IdParams } }, async (request) => service.postAction(context, await actor(request), request.params.id, 'reopen'));
  app.post(`${base}/posts/:id/claims`, { schema: { tags, params: IdParams, body: schemas.ClaimBody } }, async (request, reply) =>
    reply.status(201).send(await service.claimPost(context, await actor(request), request.params.id, request.body)),
  );

  app.get(`${base}/claims`, { schema: { tags, querystring: schemas.ClaimQuery } }, async (request) => service.listClaims(context, await actor(request), request.query));
  app.get(`${base}/claims/export.xlsx`, { schema: { tags, querystring: schemas.ClaimExportQuery } }, async (request, reply) => service.exportClaims(context, await actor(request), request.query, request, reply));
  app.post(`${base}/claims/:id/withdraw`, { schema: { tags, params: IdParams } }, async (request) => service.withdrawClaim(context, await actor(request), request.params.id));
  app.post(`${base}/claims/:id/hours`, { schema: { tags, params: IdParams, body: schemas.HoursBody } }, async (request, reply) =>
    reply.status(201).send(await service.logHours(context, await actor(request), request.params.id, request.body)),
  );

  app.get(`${base}/hours`, { schema: { tags, querystring: schemas.HoursQuery } }, async (request) => service.listHours(context, await actor(request), request.query));
  app.get(`${base}/hours/export.xlsx`, { schema: { tags, querystring: schemas.HoursExportQuery } }, async (request, reply) => service.exportHours(context, await actor(request), request.query, request, reply));
  app.patch(`${base}/hours/:id`, { schema: { tags, params: IdParams, body: schemas.CorrectHoursBody } }, async (request) =>
    service.correctHours(context, await actor(request), request.params.id, request.body),
  );

  app.get(`${base}/ledger`, { schema: { tags, querystring: schemas.LedgerQuery } }, async (request) => service.ledger(context, await actor(request), request.query));
  app.get(`${base}/ledger.xlsx`, { schema: { tags, querystring: schemas.LedgerExportQuery } }, async (request, reply) => service.exportLedger(context, await actor(request), request.query, request, reply));

  app.get(`${base}/reminders`, { schema: { tags, querystring: schemas.ReminderQuery } }, async (request) => service.listReminders(context, await actor(request), request.query));
  app.post(`${base}/reminders`, { schema: { tags, body: schemas.ReminderBody } }, async (request) => service.sendReminders(context, await actor(request), request.body));
}
