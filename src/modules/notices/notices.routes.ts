import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { PlaceParams, PlaceQuery } from '../resident/resident.schemas.ts';
import * as deliberations from './deliberations.service.ts';
import {
  CreateMeetingBody, CreateNoticeBody, CreateProposalBody, DecideProposalBody, MeetingActionBody, MeetingExportQuery, MeetingQuery, NoticeActionBody, NoticeExportQuery, NoticeQuery,
} from './notices.schemas.ts';
import * as notices from './notices.service.ts';

/** Routes of this module (registered in src/http/routes.ts): notices and openness (公告与公开), deliberation (议事协商). */
export function noticeRoutes(app: App, context: AppContext) {
  const tags = ['notices'];
  app.get('/api/v1/notices', { schema: { tags, querystring: NoticeQuery, summary: 'Organisation-life notices, policies and disclosures the caller may read' } }, async (request) =>
    notices.listNotices(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/notices/export.xlsx', { schema: { tags, querystring: NoticeExportQuery, summary: 'The notices as an Excel ledger (same filters)' } }, async (request, reply) =>
    notices.exportNotices(context, await authenticate(context, request), request.query, request, reply),
  );
  app.get('/api/v1/notices/:id', { schema: { tags, params: IdParams, summary: 'One notice; the publisher sees who has and has not read it' } }, async (request) =>
    notices.noticeDetail(context, await authenticate(context, request), request.params.id),
  );
  app.post('/api/v1/notices', { schema: { tags, body: CreateNoticeBody, summary: 'Draft (or publish at once) a notice' } }, async (request, reply) =>
    reply.status(201).send(await notices.createNotice(context, await authenticate(context, request), request.body)),
  );
  app.post('/api/v1/notices/:id/actions', { schema: { tags, params: IdParams, body: NoticeActionBody, summary: 'publish or withdraw a notice' } }, async (request) =>
    notices.actOnNotice(context, await authenticate(context, request), request.params.id, request.body.action),
  );
  app.post('/api/v1/notices/:id/acknowledge', { schema: { tags, params: IdParams, summary: 'A party member acknowledges an organisation-life notice' } }, async (request) =>
    notices.acknowledgeNotice(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/public/places/:code/notices', { schema: { tags, params: PlaceParams, querystring: PlaceQuery, summary: "Published policies and disclosures of a QR place's community and above (no login)" } }, async (request) =>
    notices.publicNotices(context, request.params.code, request.query.cityCode),
  );

  const deliberationTags = ['deliberations'];
  app.get('/api/v1/deliberations', { schema: { tags: deliberationTags, querystring: MeetingQuery, summary: 'Community and building councils' } }, async (request) =>
    deliberations.listMeetings(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/deliberations/export.xlsx', { schema: { tags: deliberationTags, querystring: MeetingExportQuery, summary: 'The meetings as an Excel ledger (same filters)' } }, async (request, reply) =>
    deliberations.exportMeetings(context, await authenticate(context, request), request.query, request, reply),
  );
  app.get('/api/v1/deliberations/:id', { schema: { tags: deliberationTags, params: IdParams, summary: 'One meeting with its proposals and timeline' } }, async (request) =>
    deliberations.meetingDetail(context, await authenticate(context, request), request.params.id),
  );
  app.post('/api/v1/deliberations', { schema: { tags: deliberationTags, body: CreateMeetingBody, summary: 'Plan a community or building council' } }, async (request, reply) =>
    reply.status(201).send(await deliberations.createMeeting(context, await authenticate(context, request), request.body)),
  );
  app.post('/api/v1/deliberations/:id/actions', { schema: { tags: deliberationTags, params: IdParams, body: MeetingActionBody, summary: 'hold (participants, summary) or publish the results' } }, async (request) =>
    deliberations.actOnMeeting(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.post('/api/v1/deliberations/:id/proposals', { schema: { tags: deliberationTags, params: IdParams, body: CreateProposalBody, summary: 'Add a proposal to a meeting' } }, async (request, reply) =>
    reply.status(201).send(await deliberations.addProposal(context, await authenticate(context, request), request.params.id, request.body)),
  );
  app.patch('/api/v1/deliberation-proposals/:id', { schema: { tags: deliberationTags, params: IdParams, body: DecideProposalBody, summary: "Record a proposal's decision and votes" } }, async (request) =>
    deliberations.decideProposal(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.get('/api/v1/public/places/:code/deliberations', { schema: { tags: deliberationTags, params: PlaceParams, querystring: PlaceQuery, summary: "Published deliberation results of a QR place's building and community (no login)" } }, async (request) =>
    deliberations.publicDeliberations(context, request.params.code, request.query.cityCode),
  );
}
