import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { sendLedger } from '../community/list-export.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import * as schemas from './incentives.schemas.ts';
import * as service from './incentives.service.ts';
import * as ledgers from './incentives.export.ts';

/** Routes of this module (registered in src/http/routes.ts): building heads' points, partner shops, codes, 最美楼栋. */
export function incentiveRoutes(app: App, context: AppContext) {
  const tags = ['incentives'];
  const actor = (request: Parameters<typeof authenticate>[1]) => authenticate(context, request);
  const base = '/api/v1/incentives';

  app.get(`${base}/heads`, { schema: { tags, querystring: schemas.HeadQuery } }, async (request) => service.listHeads(context, await actor(request), request.query));
  app.get(`${base}/heads/export.xlsx`, { schema: { tags, querystring: schemas.HeadExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await ledgers.headLedger(context, await actor(request), request.query)),
  );
  app.get(`${base}/entries`, { schema: { tags, querystring: schemas.EntryQuery } }, async (request) => service.listEntries(context, await actor(request), request.query));
  app.get(`${base}/entries/export.xlsx`, { schema: { tags, querystring: schemas.EntryExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await ledgers.entryLedger(context, await actor(request), request.query)),
  );
  app.post(`${base}/entries`, { schema: { tags, body: schemas.CreateEntryBody } }, async (request, reply) =>
    reply.status(201).send(await service.recordEntry(context, await actor(request), request.body)),
  );

  app.get(`${base}/offers`, { schema: { tags, querystring: schemas.OfferQuery } }, async (request) => service.listOffers(context, await actor(request), request.query));
  app.get(`${base}/offers/export.xlsx`, { schema: { tags, querystring: schemas.OfferExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await ledgers.offerLedger(context, await actor(request), request.query)),
  );
  app.post(`${base}/offers`, { schema: { tags, body: schemas.CreateOfferBody } }, async (request, reply) =>
    reply.status(201).send(await service.createOffer(context, await actor(request), request.body)),
  );
  app.patch(`${base}/offers/:id`, { schema: { tags, params: IdParams, body: schemas.UpdateOfferBody } }, async (request) =>
    service.updateOffer(context, await actor(request), request.params.id, request.body),
  );
  // The one-time code is in the answer: a stored replay of it is kept encrypted.
  app.post(`${base}/offers/:id/codes`, { schema: { tags, params: IdParams }, config: { secretResponse: true } }, async (request, reply) =>
    reply.status(201).send(await service.issueCode(context, await actor(request), request.params.id)),
  );

  app.get(`${base}/codes`, { schema: { tags, querystring: schemas.CodeQuery } }, async (request) => service.listCodes(context, await actor(request), request.query));
  app.get(`${base}/codes/export.xlsx`, { schema: { tags, querystring: schemas.CodeExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await ledgers.codeLedger(context, await actor(request), request.query)),
  );
  app.post(`${base}/codes/redeem`, { schema: { tags, body: schemas.RedeemCodeBody } }, async (request) => service.redeemCode(context, await actor(request), request.body));
  app.post(`${base}/codes/:id/cancel`, { schema: { tags, params: IdParams } }, async (request) => service.cancelCode(context, await actor(request), request.params.id));

  app.get(`${base}/evaluations`, { schema: { tags, querystring: schemas.EvaluationQuery } }, async (request) => service.listEvaluations(context, await actor(request), request.query));
  app.get(`${base}/evaluations/export.xlsx`, { schema: { tags, querystring: schemas.EvaluationExportQuery } }, async (request, reply) =>
    sendLedger(request, reply, await ledgers.evaluationLedger(context, await actor(request), request.query)),
  );
  app.post(`${base}/evaluations`, { schema: { tags, body: schemas.SaveEvaluationBody } }, async (request, reply) =>
    reply.status(201).send(await service.saveEvaluation(context, await actor(request), request.body)),
  );
  app.post(`${base}/evaluations/:id/red-flag`, { schema: { tags, params: IdParams } }, async (request) => service.giveRedFlag(context, await actor(request), request.params.id));
}
