import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { sendLedger } from '../community/list-export.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as schemas from './joint-meetings.schemas.ts';
import * as service from './joint-meetings.service.ts';
import { allianceLedger, itemLedger, meetingLedger } from './joint-meetings.export.ts';

/** Routes of this module (registered in src/http/routes.ts): alliances, joint meetings and co-building items. */
export function jointMeetingRoutes(app: App, context: AppContext) {
  const tags = ['joint-meetings'];
  const actor = (request: Parameters<typeof authenticate>[1]) => authenticate(context, request);

  app.get('/api/v1/alliances', { schema: { tags, querystring: schemas.AllianceQuery } }, async (request) => service.listAlliances(context, await actor(request), request.query));
  app.get('/api/v1/alliances/export.xlsx', { schema: { tags, querystring: schemas.AllianceExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await allianceLedger(context, await actor(request), request.query)),
  );
  app.post('/api/v1/alliances', { schema: { tags, body: schemas.CreateAllianceBody } }, async (request, reply) =>
    reply.status(201).send(await service.createAlliance(context, await actor(request), request.body)),
  );
  app.get('/api/v1/alliances/:id', { schema: { tags, params: IdParams } }, async (request) => service.allianceDetail(context, await actor(request), request.params.id));
  app.post('/api/v1/alliances/:id/members', { schema: { tags, params: IdParams, body: schemas.AddMemberBody } }, async (request, reply) =>
    reply.status(201).send(await service.addMember(context, await actor(request), request.params.id, request.body)),
  );

  app.get('/api/v1/joint-meetings', { schema: { tags, querystring: schemas.MeetingQuery } }, async (request) => service.listMeetings(context, await actor(request), request.query));
  app.get('/api/v1/joint-meetings/export.xlsx', { schema: { tags, querystring: schemas.MeetingExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await meetingLedger(context, await actor(request), request.query)),
  );
  app.post('/api/v1/joint-meetings', { schema: { tags, body: schemas.CreateMeetingBody } }, async (request, reply) =>
    reply.status(201).send(await service.createMeeting(context, await actor(request), request.body)),
  );
  app.get('/api/v1/joint-meetings/:id', { schema: { tags, params: IdParams } }, async (request) => service.meetingDetail(context, await actor(request), request.params.id));
  app.patch('/api/v1/joint-meetings/:id', { schema: { tags, params: IdParams, body: schemas.UpdateMeetingBody } }, async (request) =>
    service.updateMeeting(context, await actor(request), request.params.id, request.body),
  );
  app.post('/api/v1/joint-meetings/:id/hold', { schema: { tags, params: IdParams, body: schemas.HoldMeetingBody } }, async (request) =>
    service.holdMeeting(context, await actor(request), request.params.id, request.body),
  );
  app.post('/api/v1/joint-meetings/:id/cancel', { schema: { tags, params: IdParams, body: schemas.CancelMeetingBody } }, async (request) =>
    service.cancelMeeting(context, await actor(request), request.params.id, request.body),
  );
  app.post('/api/v1/joint-meetings/:id/items', { schema: { tags, params: IdParams, body: schemas.CreateItemBody } }, async (request, reply) =>
    reply.status(201).send(await service.createItem(context, await actor(request), request.params.id, request.body)),
  );

  app.get('/api/v1/co-building-items', { schema: { tags, querystring: schemas.ItemQuery } }, async (request) => service.listItems(context, await actor(request), request.query));
  app.get('/api/v1/co-building-items/export.xlsx', { schema: { tags, querystring: schemas.ItemExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await itemLedger(context, await actor(request), request.query)),
  );
  app.get('/api/v1/co-building-items/summary', { schema: { tags, querystring: schemas.SummaryQuery } }, async (request) => service.itemSummary(context, await actor(request), request.query));
  app.get('/api/v1/co-building-items/:id', { schema: { tags, params: IdParams } }, async (request) => service.itemDetail(context, await actor(request), request.params.id));
  app.post('/api/v1/co-building-items/:id/actions', { schema: { tags, params: IdParams, body: schemas.ItemActionBody } }, async (request) =>
    service.itemAction(context, await actor(request), request.params.id, request.body),
  );
}
