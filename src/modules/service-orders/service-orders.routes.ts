import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate, clientOf } from '../../http/request-context.ts';
import { AppError } from '../../shared/errors.ts';
import { sendLedger } from '../community/list-export.ts';
import {
  ConfirmBody, IdParams, MyOrdersQuery, OfferingCreateBody, OfferingExportQuery, OfferingListQuery, OfferingUpdateBody, OrderActionBody, OrderExportQuery,
  OrderListQuery, PlaceCodeParams, PublicOrderBody, ResidentCancelBody, RevealBody, TokenParams,
} from './service-orders.schemas.ts';
import {
  confirmOrder, createOffering, listOfferings, listOrders, listServiceCategories, myOrders, offeringLedger, orderCandidates, orderDetail, orderLedger,
  performOrderAction, placeOrder, placeServices, publicOrderView, residentCancel, revealOrder, updateOffering, type OrderActionInput,
} from './service-orders.service.ts';

/** If-Match carries the order version the client read: `3`, `"3"` or `W/"3"`. */
function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
  if (!match) throw new AppError('validation_failed', 'If-Match must be the order version you read, e.g. "3"');
  return Number(match[1]);
}

/** 群众点单、社区派单、党员接单 (docs/community/service-orders.md). */
export function serviceOrderRoutes(app: App, context: AppContext) {
  const tags = ['service-orders'];

  // Residents: no login. The building's QR code carries the place; the tracking token is the resident's key.
  app.get('/api/v1/public/places/:code/services', { schema: { tags, params: PlaceCodeParams, summary: 'The services a resident can order at this place' } }, async (request) =>
    placeServices(context, request.params.code),
  );
  app.post('/api/v1/public/service-orders', { schema: { tags, body: PublicOrderBody, summary: 'Order a service (QR / H5), no login' } }, async (request, reply) =>
    reply.status(201).send(await placeOrder(context, clientOf(request), request.body)),
  );
  app.get('/api/v1/public/service-orders/:token', { schema: { tags, params: TokenParams } }, async (request) => publicOrderView(context, request.params.token));
  app.post('/api/v1/public/service-orders/:token/confirm', { schema: { tags, params: TokenParams, body: ConfirmBody, summary: 'Confirm the service with a rating (once)' } }, async (request) =>
    confirmOrder(context, request.params.token, clientOf(request), request.body),
  );
  app.post('/api/v1/public/service-orders/:token/cancel', { schema: { tags, params: TokenParams, body: ResidentCancelBody } }, async (request) =>
    residentCancel(context, request.params.token, clientOf(request), request.body),
  );

  // The catalogue.
  app.get('/api/v1/service-categories', { schema: { tags } }, async (request) => listServiceCategories(context, await authenticate(context, request)));
  app.get('/api/v1/service-offerings', { schema: { tags, querystring: OfferingListQuery } }, async (request) =>
    listOfferings(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/service-offerings/export.xlsx', { schema: { tags, querystring: OfferingExportQuery, summary: '服务事项清单 as Excel' } }, async (request, reply) =>
    sendLedger(request, reply, await offeringLedger(context, await authenticate(context, request), request.query)),
  );
  app.post('/api/v1/service-offerings', { schema: { tags, body: OfferingCreateBody } }, async (request, reply) =>
    reply.status(201).send(await createOffering(context, await authenticate(context, request), request.body)),
  );
  app.patch('/api/v1/service-offerings/:id', { schema: { tags, params: IdParams, body: OfferingUpdateBody, summary: 'Change or deactivate (active: false) an offering' } }, async (request) =>
    updateOffering(context, await authenticate(context, request), request.params.id, request.body),
  );

  // Orders: the community and the people who serve.
  app.get('/api/v1/service-orders', { schema: { tags, querystring: OrderListQuery } }, async (request) => listOrders(context, await authenticate(context, request), request.query));
  app.get('/api/v1/service-orders/export.xlsx', { schema: { tags, querystring: OrderExportQuery, summary: '服务订单台账 as Excel' } }, async (request, reply) =>
    sendLedger(request, reply, await orderLedger(context, await authenticate(context, request), request.query)),
  );
  app.get('/api/v1/my/service-orders', { schema: { tags, querystring: MyOrdersQuery, summary: 'Orders dispatched to me (party member or volunteer)' } }, async (request) =>
    myOrders(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/service-orders/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    const detail = await orderDetail(context, await authenticate(context, request), request.params.id);
    reply.header('ETag', `"${detail.version}"`);
    return detail;
  });
  app.get('/api/v1/service-orders/:id/candidates', { schema: { tags, params: IdParams, summary: 'Reported party members and volunteers to dispatch to' } }, async (request) =>
    orderCandidates(context, await authenticate(context, request), request.params.id),
  );
  app.post('/api/v1/service-orders/:id/actions', { schema: { tags, params: IdParams, body: OrderActionBody, summary: 'dispatch, redispatch, accept, decline, complete or cancel (If-Match: the version you read)' } }, async (request, reply) => {
    const actor = await authenticate(context, request);
    const detail = await performOrderAction(context, actor, request.params.id, request.body as OrderActionInput, expectedVersion(request));
    reply.header('ETag', `"${detail.version}"`);
    return detail;
  });
  app.post('/api/v1/service-orders/:id/reveal', { schema: { tags, params: IdParams, body: RevealBody, summary: "The resident's full name, phone and address (audited)" } }, async (request) =>
    revealOrder(context, await authenticate(context, request), request.params.id, request.body.reason),
  );
}
