import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { clientOf } from '../../http/request-context.ts';
import { AppError } from '../../shared/errors.ts';
import type { Tx } from '../../db/client.ts';
import type { IntakeResult } from '../cases/intake.command.ts';
import { formatOfUrl, JSON_TYPE, render, renderErrors, splitFormat, type Open311Format } from './open311-format.ts';
import type { City } from './open311.repository.ts';
import { JurisdictionQuery, PostQuery, PostRequestBody, RequestsQuery, SegmentParams } from './open311.schemas.ts';
import { createRequest, discovery, postAnswer, getRequest, listRequests, listServices, requestIdFromToken, resolveJurisdiction, serviceDefinition, type PostFields } from './open311.service.ts';

const formats: Array<{ suffix: string; format: Open311Format }> = [
  { suffix: '', format: 'json' },
  { suffix: '.json', format: 'json' },
  { suffix: '.xml', format: 'xml' },
];

function send(reply: FastifyReply, format: Open311Format, root: string, value: unknown, status = 200) {
  const { body, contentType } = render(format, root, value);
  return reply.status(status).header('Cache-Control', 'no-store').type(contentType).send(body);
}

function sendError(reply: FastifyReply, format: Open311Format, status: number, description: string) {
  const { body, contentType } = renderErrors(format, [{ code: status, description }]);
  return reply.status(status).header('Cache-Control', 'no-store').type(contentType).send(body);
}

/** The Idempotency-Key layer answers with its own statuses (422 reused key, 409 still running): keep them. */
const keptCodes = new Set(['idempotency_key_reused', 'idempotency_in_progress']);
const specStatuses = new Set([400, 403, 404, 429]);

/**
 * Every failure on these routes in the spec's shape and with the spec's statuses: 400 (bad or missing
 * argument, unsupported body), 403 (api_key), 404 (jurisdiction, service, request or token), 429.
 * Only a genuine bug stays a 500 (and is logged), so the fuzz test can still find it.
 */
export function open311ErrorOf(error: FastifyError & { validation?: unknown[] }): { status: number; description: string; retryAfter?: number } {
  if (error instanceof AppError) {
    const retryAfter = (error.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
    if (keptCodes.has(error.code)) return { status: error.status, description: error.message };
    if (error.status === 401) return { status: 403, description: error.message };
    if (error.status >= 500) return { status: 500, description: 'Something went wrong on our side; the error was logged' };
    return { status: specStatuses.has(error.status) ? error.status : 400, description: error.message, retryAfter };
  }
  if (error.validation) return { status: 400, description: `Invalid request: ${error.message}` };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, description: 'The request body is not valid JSON' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 400, description: 'The request body is too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 400, description: 'Send the request as application/x-www-form-urlencoded (or application/json)' };
  }
  if (error instanceof SyntaxError) return { status: 400, description: 'The request body is not valid JSON' };
  // Driver errors for malformed values (invalid text, out of range, bad datetime, NUL byte, too complex).
  const pgCode = (((error as { cause?: unknown }).cause ?? error) as { code?: string }).code;
  if (pgCode && ['22P02', '22003', '22007', '22008', '22021', '54000', '23505'].includes(pgCode)) {
    return { status: 400, description: 'A value in the request is out of range or malformed' };
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: specStatuses.has(error.statusCode) ? error.statusCode : 400, description: error.message };
  }
  return { status: 500, description: 'Something went wrong on our side; the error was logged' };
}

/** application/x-www-form-urlencoded, as the spec posts: repeated keys become lists (refused by the schema for known fields). */
export function parseForm(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const existing = fields[key];
    fields[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}

/**
 * Errors the router raises before any route runs (a malformed percent-encoding in the path) go to the
 * app's `frameworkErrors`; for URLs under /open311/ it should answer through this, in the spec's format.
 */
export function sendOpen311FrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply) {
  return sendError(reply, formatOfUrl(request.url), 400, `The URL is malformed: ${error.message}`.slice(0, 300));
}

const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host || 'localhost'}/open311/v2`;

/** Open311 GeoReport v2 at /open311/v2/ (JSON and XML); see docs/open311.md. */
export function open311Routes(app: App, context: AppContext) {
  app.register(
    async (plugin: FastifyInstance) => {
      const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, parseForm(body as string)));
      scope.setErrorHandler((error: FastifyError & { validation?: unknown[] }, request, reply) => {
        const failure = open311ErrorOf(error);
        if (failure.status >= 500) request.log.error({ err: error }, 'unhandled error on an Open311 route');
        if (failure.retryAfter) reply.header('Retry-After', String(failure.retryAfter));
        return sendError(reply, formatOfUrl(request.url), failure.status, failure.description);
      });
      scope.setNotFoundHandler((request, reply) =>
        sendError(reply, formatOfUrl(request.url), 404, `No Open311 resource ${request.method} ${request.url.split('?')[0].slice(0, 200)}`),
      );

      // Hidden from /api/openapi.json: Open311 is documented by its own specification (docs/open311.md).
      const hidden = { hide: true, tags: ['open311'] };
      for (const { suffix, format } of formats) {
        scope.get(`/v2/discovery${suffix}`, { schema: hidden }, async (request, reply) => send(reply, format, 'discovery', discovery(context, baseUrlOf(request))));

        scope.get(`/v2/services${suffix}`, { schema: { ...hidden, querystring: JurisdictionQuery } }, async (request, reply) => {
          const city = await resolveJurisdiction(context, request.query.jurisdiction_id);
          return send(reply, format, 'services', await listServices(context, city));
        });

        scope.get(`/v2/requests${suffix}`, { schema: { ...hidden, querystring: RequestsQuery } }, async (request, reply) => {
          const city = await resolveJurisdiction(context, request.query.jurisdiction_id);
          return send(reply, format, 'service_requests', await listRequests(context, city, request.query));
        });

        scope.post(`/v2/requests${suffix}`, { schema: { ...hidden, querystring: PostQuery, body: PostRequestBody } }, async (request, reply) => {
          const fields = { ...request.body } as PostFields;
          if (fields.jurisdiction_id === undefined && request.query.jurisdiction_id !== undefined) fields.jurisdiction_id = request.query.jurisdiction_id;
          // With an Idempotency-Key the JSON answer is stored in the intake's own transaction, so a crash
          // between commit and reply replays it; an XML answer is stored as it is sent.
          const claim = request.idempotency;
          const hooks = claim && format === 'json' ? { beforeCommit: (tx: Tx, result: IntakeResult) => claim.finishInTx(tx, 201, postAnswer(result), { 'content-type': JSON_TYPE }) } : {};
          const created = await createRequest(context, fields, request.query.api_key, clientOf(request), hooks);
          return send(reply, format, 'service_requests', created, 201);
        });
      }

      // The rest of the path carries the resource id and its optional .json/.xml suffix. A wildcard
      // rather than a :param, so an over-long id is our 400/404 and not the router's own error body.
      const segmentRoute = (path: string, root: string, handler: (value: string, city: City) => Promise<unknown>) =>
        scope.get(path, { schema: { ...hidden, params: SegmentParams, querystring: JurisdictionQuery } }, async (request, reply) => {
          const split = splitFormat(request.params['*']);
          if (!split) throw new AppError('not_found', 'Unknown format: use .json or .xml');
          const city = await resolveJurisdiction(context, request.query.jurisdiction_id);
          return send(reply, split.format, root, await handler(split.value, city));
        });

      segmentRoute('/v2/services/*', 'service_definition', (code, city) => serviceDefinition(context, city, code));
      segmentRoute('/v2/requests/*', 'service_requests', (id, city) => getRequest(context, city, id));
      segmentRoute('/v2/tokens/*', 'service_requests', (token, city) => requestIdFromToken(context, city, token));
    },
    { prefix: '/open311' },
  );
}
