import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { partyOrganizationKinds } from '../../db/schema/index.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as service from './party.service.ts';

const paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
};
const OrganizationQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 50 })), kind: Type.Optional(Type.Union(partyOrganizationKinds.map((k) => Type.Literal(k)))), regionId: Type.Optional(Type.Integer({ minimum: 1 })), ...paging },
  { additionalProperties: false },
);
const MemberQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 50 })), regionId: Type.Optional(Type.Integer({ minimum: 1 })), isServing: Type.Optional(Type.Boolean()), ...paging },
  { additionalProperties: false },
);
const RevealBody = Type.Object(
  { fields: Type.Array(Type.Union([Type.Literal('name'), Type.Literal('phone'), Type.Literal('idNumber')]), { minItems: 1, maxItems: 3 }) },
  { additionalProperties: false },
);

export function partyRoutes(app: App, context: AppContext) {
  const tags = ['party'];
  app.get('/api/v1/party-organizations', { schema: { tags, querystring: OrganizationQuery } }, async (request) =>
    service.listPartyOrganizations(context, await authenticate(context, request), { ...request.query, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.get('/api/v1/party-organizations/:id', { schema: { tags, params: IdParams } }, async (request) =>
    service.partyOrganizationDetail(context, await authenticate(context, request), request.params.id),
  );
  app.get('/api/v1/party-members', { schema: { tags, querystring: MemberQuery } }, async (request) =>
    service.listPartyMembers(context, await authenticate(context, request), { ...request.query, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.post('/api/v1/party-members/:id/reveal', { schema: { tags, params: IdParams, body: RevealBody } }, async (request) =>
    service.revealPartyMember(context, await authenticate(context, request), request.params.id, request.body.fields),
  );
}
