import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate, clientOf } from '../../http/request-context.ts';
import { AppError } from '../../shared/errors.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import type { CaseCommand } from './case-lifecycle.ts';
import type { Tx } from '../../db/client.ts';
import { performCaseAction, type ActionResult } from './case-action.command.ts';
import { CaseActionBody, CaseListQuery, CityParams, PublicReportBody, RatingBody, StaffReportBody, TokenParams } from './cases.schemas.ts';
import { caseDetail, caseIdByToken, listCases, listCategories, publicCaseView } from './cases.service.ts';
import { intakeCase, type IntakeResult } from './intake.command.ts';

/** If-Match carries the case version the client read: `3`, `"3"` or `W/"3"`. */
function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
  if (!match) throw new AppError('validation_failed', 'If-Match must be the case version you read, e.g. "3"');
  return Number(match[1]);
}

/**
 * With an Idempotency-Key, the answer is stored in the command's own transaction, so a crash between
 * commit and reply replays it instead of running the command twice.
 */
function inTransaction<T>(request: FastifyRequest, status: number, body: (result: T) => unknown, headers?: (result: T) => Record<string, string>) {
  const claim = request.idempotency;
  return claim ? { beforeCommit: (tx: Tx, result: T) => claim.finishInTx(tx, status, body(result), headers?.(result)) } : {};
}

export function caseRoutes(app: App, context: AppContext) {
  const tags = ['cases'];
  // Resident side: no login. The QR code carries the place; the tracking token is the resident's key.
  app.get('/api/v1/public/cities/:cityCode/case-categories', { schema: { tags, params: CityParams } }, async (request) => ({
    items: await listCategories(context, request.params.cityCode),
  }));
  app.post('/api/v1/public/cases', { schema: { tags, body: PublicReportBody, summary: 'Report a problem (QR / H5), no login' } }, async (request, reply) => {
    const respond = (created: IntakeResult) => ({ number: created.number, trackingToken: created.trackingToken, triageColor: created.triageColor });
    const created = await intakeCase(context, null, { ...request.body, channel: 'qr' }, clientOf(request), inTransaction(request, 201, respond));
    return reply.status(201).send(respond(created));
  });
  app.get('/api/v1/public/cases/:token', { schema: { tags, params: TokenParams } }, async (request) => publicCaseView(context, request.params.token));
  app.post('/api/v1/public/cases/:token/rating', { schema: { tags, params: TokenParams, body: RatingBody } }, async (request) => {
    const caseId = await caseIdByToken(context, request.params.token);
    const { resolved, satisfaction, comment } = request.body;
    // The comment stays on the rate event too: a reopen clears the case's rating, not its history.
    await performCaseAction(context, { kind: 'resident', client: clientOf(request) }, caseId, { command: { action: 'rate', resolved, satisfaction }, comment, note: comment });
    return publicCaseView(context, request.params.token);
  });
  app.post('/api/v1/public/cases/:token/reopen', { schema: { tags, params: TokenParams } }, async (request) => {
    const caseId = await caseIdByToken(context, request.params.token);
    await performCaseAction(context, { kind: 'resident', client: clientOf(request) }, caseId, { command: { action: 'reopen' } });
    return publicCaseView(context, request.params.token);
  });

  // Staff side.
  app.post('/api/v1/cases', { schema: { tags, body: StaffReportBody, summary: 'Enter a case for a resident (grid worker visit, hotline)' } }, async (request, reply) => {
    const actor = await authenticate(context, request);
    const created = await intakeCase(context, actor, request.body, clientOf(request), inTransaction(request, 201, (c: IntakeResult) => ({ id: c.id, number: c.number, trackingToken: c.trackingToken })));
    return reply.status(201).send(await caseDetail(context, actor, created.id));
  });
  app.get('/api/v1/cases', { schema: { tags, querystring: CaseListQuery } }, async (request) =>
    listCases(context, await authenticate(context, request), { ...request.query, page: request.query.page ?? 1, pageSize: request.query.pageSize ?? 20 }),
  );
  app.get('/api/v1/cases/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    const detail = await caseDetail(context, await authenticate(context, request), request.params.id);
    reply.header('ETag', `"${detail.version}"`);
    return detail;
  });
  app.post('/api/v1/cases/:id/actions', { schema: { tags, params: IdParams, body: CaseActionBody, summary: 'Apply a lifecycle action (If-Match: the version you read)' } }, async (request, reply) => {
    const actor = await authenticate(context, request);
    const { note, attachments, ...command } = request.body as { note?: string; attachments?: string[] } & CaseCommand;
    const result = await performCaseAction(context, { kind: 'staff', actor }, request.params.id, { command: command as CaseCommand, note, attachments, expectedVersion: expectedVersion(request) },
      inTransaction(request, 200, (r: ActionResult) => r, (r: ActionResult) => ({ etag: `"${r.version}"` })));
    reply.header('ETag', `"${result.version}"`);
    return result;
  });
}
