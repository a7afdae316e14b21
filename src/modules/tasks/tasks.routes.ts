import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { MyTasksQuery } from './tasks.schemas.ts';
import { listMyTasks, revealReporterPhone } from './tasks.service.ts';

/** The grid worker's own tasks (the /w/ app); every action goes through POST /api/v1/cases/:id/actions. */
export function taskRoutes(app: App, context: AppContext) {
  const tags = ['tasks'];
  app.get('/api/v1/my/tasks', { schema: { tags, querystring: MyTasksQuery, summary: 'Cases I must act on, earliest running deadline first' } }, async (request) =>
    listMyTasks(context, await authenticate(context, request), { page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.post('/api/v1/my/tasks/:id/call', { schema: { tags, params: IdParams, summary: "The reporter's full phone for the call button (authorised and audited)" } }, async (request) =>
    revealReporterPhone(context, await authenticate(context, request), request.params.id),
  );
}
