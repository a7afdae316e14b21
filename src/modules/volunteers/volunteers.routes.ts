import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as schemas from './volunteers.schemas.ts';
import * as service from './volunteers.service.ts';

/** 志愿服务: teams, volunteers and their record, activities with sign-up and check-in. */
export function volunteerRoutes(app: App, context: AppContext) {
  const tags = ['volunteers'];
  const actor = (request: Parameters<typeof authenticate>[1]) => authenticate(context, request);

  app.get('/api/v1/volunteer-teams', { schema: { tags, querystring: schemas.TeamQuery } }, async (request) => service.listTeams(context, await actor(request), request.query));
  app.get('/api/v1/volunteer-teams/export.xlsx', { schema: { tags, querystring: schemas.TeamExportQuery } }, async (request, reply) => service.exportTeams(context, await actor(request), request.query, request, reply));
  app.post('/api/v1/volunteer-teams', { schema: { tags, body: schemas.TeamBody } }, async (request, reply) => reply.status(201).send(await service.createTeam(context, await actor(request), request.body)));
  app.get('/api/v1/volunteer-teams/:id', { schema: { tags, params: IdParams } }, async (request) => service.teamDetail(context, await actor(request), request.params.id));
  app.post('/api/v1/volunteer-teams/:id/members', { schema: { tags, params: IdParams, body: schemas.TeamMemberBody } }, async (request, reply) =>
    reply.status(201).send(await service.addTeamMember(context, await actor(request), request.params.id, request.body.volunteerId)),
  );
  app.post('/api/v1/volunteer-teams/:id/members/remove', { schema: { tags, params: IdParams, body: schemas.TeamMemberBody } }, async (request) =>
    service.removeTeamMember(context, await actor(request), request.params.id, request.body.volunteerId),
  );

  app.get('/api/v1/volunteers', { schema: { tags, querystring: schemas.VolunteerQuery } }, async (request) => service.listVolunteers(context, await actor(request), request.query));
  app.get('/api/v1/volunteers/export.xlsx', { schema: { tags, querystring: schemas.VolunteerExportQuery } }, async (request, reply) => service.exportVolunteers(context, await actor(request), request.query, request, reply));
  app.post('/api/v1/volunteers', { schema: { tags, body: schemas.VolunteerBody } }, async (request, reply) => reply.status(201).send(await service.createVolunteer(context, await actor(request), request.body)));
  app.get('/api/v1/volunteers/:id', { schema: { tags, params: IdParams } }, async (request) => service.volunteerDetail(context, await actor(request), request.params.id));
  app.get('/api/v1/volunteers/:id/record', { schema: { tags, params: IdParams, querystring: schemas.RecordQuery } }, async (request) =>
    service.serviceRecord(context, await actor(request), request.params.id, request.query),
  );
  app.get('/api/v1/volunteers/:id/record.xlsx', { schema: { tags, params: IdParams, querystring: schemas.RecordQuery } }, async (request, reply) =>
    service.exportServiceRecord(context, await actor(request), request.params.id, request.query, request, reply),
  );

  app.get('/api/v1/volunteer-activities', { schema: { tags, querystring: schemas.ActivityQuery } }, async (request) => service.listActivities(context, await actor(request), request.query));
  app.get('/api/v1/volunteer-activities/export.xlsx', { schema: { tags, querystring: schemas.ActivityExportQuery } }, async (request, reply) =>
    service.exportActivities(context, await actor(request), request.query, request, reply),
  );
  app.post('/api/v1/volunteer-activities', { schema: { tags, body: schemas.ActivityBody } }, async (request, reply) =>
    reply.status(201).send(await service.createActivity(context, await actor(request), request.body)),
  );
  app.get('/api/v1/volunteer-activities/:id', { schema: { tags, params: IdParams } }, async (request) => service.activityDetail(context, await actor(request), request.params.id));
  for (const action of ['close', 'reopen', 'finish', 'cancel'] as const) {
    app.post(`/api/v1/volunteer-activities/:id/${action}`, { schema: { tags, params: IdParams } }, async (request) => service.activityAction(context, await actor(request), request.params.id, action));
  }
  app.post('/api/v1/volunteer-activities/:id/signups', { schema: { tags, params: IdParams, body: schemas.SignupBody } }, async (request, reply) =>
    reply.status(201).send(await service.signUp(context, await actor(request), request.params.id, request.body)),
  );
  app.post('/api/v1/activity-signups/:id/cancel', { schema: { tags, params: IdParams } }, async (request) => service.cancelSignup(context, await actor(request), request.params.id));
  app.post('/api/v1/activity-signups/:id/check-in', { schema: { tags, params: IdParams } }, async (request) => service.checkIn(context, await actor(request), request.params.id));
}
