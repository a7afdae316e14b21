import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { sendLedger } from '../community/list-export.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import {
  BookingBody,
  BookingExportQuery,
  BookingQuery,
  CalendarQuery,
  DecisionBody,
  RejectBody,
  ResourceBody,
  ResourceExportQuery,
  ResourcePatchBody,
  ResourceQuery,
} from './shared-resources.schemas.ts';
import * as service from './shared-resources.service.ts';

/** 区域资源清单: what the community and its units share, bookings (no double booking: a database rule) and approvals. */
export function sharedResourceRoutes(app: App, context: AppContext) {
  const tags = ['shared-resources'];
  app.get('/api/v1/shared-resources', { schema: { tags, querystring: ResourceQuery, summary: 'Shared resources in your area (search, kind, terms, owner, in use)' } }, async (request) =>
    service.listResources(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/shared-resources/export.xlsx', { schema: { tags, querystring: ResourceExportQuery, summary: 'The resource list as Excel (same filters)' } }, async (request, reply) =>
    sendLedger(request, reply, await service.resourceLedger(context, await authenticate(context, request), request.query)),
  );
  app.post('/api/v1/shared-resources', { schema: { tags, body: ResourceBody, summary: "Add a resource of the community or of one of its units (community staff)" } }, async (request) =>
    service.createResource(context, await authenticate(context, request), request.body),
  );
  app.get('/api/v1/shared-resources/:id', { schema: { tags, params: IdParams, summary: 'A resource with what you may do and the units you may book for' } }, async (request) =>
    service.resourceDetail(context, await authenticate(context, request), request.params.id),
  );
  app.patch('/api/v1/shared-resources/:id', { schema: { tags, params: IdParams, body: ResourcePatchBody, summary: 'Change a resource or take it out of use (community staff or the owner unit)' } }, async (request) =>
    service.updateResource(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.get('/api/v1/shared-resources/:id/bookings', { schema: { tags, params: IdParams, querystring: CalendarQuery, summary: "A resource's bookings in a period (default: this week, Asia/Shanghai)" } }, async (request) =>
    service.resourceCalendar(context, await authenticate(context, request), request.params.id, request.query),
  );
  app.post('/api/v1/shared-resources/:id/bookings', { schema: { tags, params: IdParams, body: BookingBody, summary: 'Book a resource for a unit (409 on an overlapping live booking; 403 below the points minimum)' } }, async (request) =>
    service.book(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.get('/api/v1/resource-bookings', { schema: { tags, querystring: BookingQuery, summary: 'Bookings in your area; toDecide=true: the ones waiting for your approval' } }, async (request) =>
    service.listBookings(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/resource-bookings/export.xlsx', { schema: { tags, querystring: BookingExportQuery, summary: 'Bookings as Excel (same filters)' } }, async (request, reply) =>
    sendLedger(request, reply, await service.bookingLedger(context, await authenticate(context, request), request.query)),
  );
  app.get('/api/v1/resource-bookings/:id', { schema: { tags, params: IdParams, summary: 'A booking with its timeline and the actions you may take' } }, async (request) =>
    service.bookingDetail(context, await authenticate(context, request), request.params.id),
  );
  app.post('/api/v1/resource-bookings/:id/approve', { schema: { tags, params: IdParams, body: DecisionBody, summary: 'Approve a pending booking (owner unit liaison or community)' } }, async (request) =>
    service.actOnBooking(context, await authenticate(context, request), request.params.id, 'approve', request.body.note ?? null),
  );
  app.post('/api/v1/resource-bookings/:id/reject', { schema: { tags, params: IdParams, body: RejectBody, summary: 'Reject a pending booking with a reason' } }, async (request) =>
    service.actOnBooking(context, await authenticate(context, request), request.params.id, 'reject', request.body.note),
  );
  app.post('/api/v1/resource-bookings/:id/cancel', { schema: { tags, params: IdParams, body: DecisionBody, summary: 'Cancel a live booking (the booker or the community)' } }, async (request) =>
    service.actOnBooking(context, await authenticate(context, request), request.params.id, 'cancel', request.body.note ?? null),
  );
}
