import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { roles } from '../../db/schema/index.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as service from './users.service.ts';

const UserQuery = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 64 })), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
  { additionalProperties: false },
);
const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 3, maxLength: 64 }),
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
    phone: Type.Optional(Type.String({ maxLength: 20 })),
    password: Type.String({ minLength: 1, maxLength: 200 }),
    partyMemberId: Type.Optional(Type.Integer({ minimum: 1, description: 'The party member this account belongs to (for the party_member role)' })),
  },
  { additionalProperties: false },
);
const StatusBody = Type.Object({ status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]) }, { additionalProperties: false });
const AssignBody = Type.Object(
  {
    role: Type.Union(roles.map((r) => Type.Literal(r))),
    regionNodeId: Type.Optional(Type.Integer({ minimum: 1 })),
    unitId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export function userRoutes(app: App, context: AppContext) {
  const tags = ['users'];
  app.get('/api/v1/roles', { schema: { tags } }, async (request) => {
    await authenticate(context, request);
    return service.listRoles();
  });
  app.get('/api/v1/users', { schema: { tags, querystring: UserQuery } }, async (request) =>
    service.listUsers(context, await authenticate(context, request), { q: request.query.q, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.post('/api/v1/users', { schema: { tags, body: CreateUserBody } }, async (request, reply) =>
    reply.status(201).send(await service.createUser(context, await authenticate(context, request), request.body)),
  );
  app.patch('/api/v1/users/:id', { schema: { tags, params: IdParams, body: StatusBody } }, async (request, reply) => {
    await service.updateUserStatus(context, await authenticate(context, request), request.params.id, request.body.status);
    return reply.status(204).send();
  });
  app.post('/api/v1/users/:id/unlock', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await service.unlockUser(context, await authenticate(context, request), request.params.id);
    return reply.status(204).send();
  });
  app.post('/api/v1/users/:id/roles', { schema: { tags, params: IdParams, body: AssignBody } }, async (request, reply) =>
    reply.status(201).send(await service.assignRole(context, await authenticate(context, request), request.params.id, request.body)),
  );
  app.delete('/api/v1/role-assignments/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await service.revokeRole(context, await authenticate(context, request), request.params.id);
    return reply.status(204).send();
  });
}
