import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { unitKinds } from '../../db/schema/index.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as service from './units.service.ts';

const UnitQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 50 })),
    kind: Type.Optional(Type.Union(unitKinds.map((k) => Type.Literal(k)))),
    regionId: Type.Optional(Type.Integer({ minimum: 1 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

export function unitRoutes(app: App, context: AppContext) {
  const tags = ['units'];
  app.get('/api/v1/units', { schema: { tags, querystring: UnitQuery } }, async (request) =>
    service.listUnits(context, await authenticate(context, request), { ...request.query, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.get('/api/v1/units/:id', { schema: { tags, params: IdParams } }, async (request) =>
    service.unitDetail(context, await authenticate(context, request), request.params.id),
  );
}
