import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { listNotifications, markAllRead, markRead } from './notifications.service.ts';

const ListQuery = Type.Object(
  { unreadOnly: Type.Optional(Type.Boolean()), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
  { additionalProperties: false },
);

/** The in-app inbox: what the in-app delivery adapter wrote for the signed-in user. */
export function notificationRoutes(app: App, context: AppContext) {
  const tags = ['notifications'];
  app.get('/api/v1/notifications', { schema: { tags, querystring: ListQuery } }, async (request) =>
    listNotifications(context, await authenticate(context, request), { unreadOnly: request.query.unreadOnly ?? false, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.post('/api/v1/notifications/:id/read', { schema: { tags, params: IdParams } }, async (request) => markRead(context, await authenticate(context, request), request.params.id));
  app.post('/api/v1/notifications/read-all', { schema: { tags } }, async (request) => markAllRead(context, await authenticate(context, request)));
}
