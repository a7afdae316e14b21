import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate, clientOf } from '../../http/request-context.ts';
import { sendLedger } from '../community/list-export.ts';
import type { MicroWishAction } from './micro-wishes-lifecycle.ts';
import { ClaimBody, ConfirmBody, FulfilBody, IdParams, NoteBody, PlaceParams, PostQuery, PublicPostBody, StaffPostBody, TokenParams, WallQuery, WishExportQuery, WishListQuery } from './micro-wishes.schemas.ts';
import { actOnWish, actOnWishByToken, listWishes, postPublicWish, postStaffWish, publicWall, publicWishView, revealWisher, wallPhoto, wishDetail, wishLedger } from './micro-wishes.service.ts';

/** 微心愿: the public wall and the wisher's token page, and the console's wall with its steps. */
export function microWishRoutes(app: App, context: AppContext) {
  const tags = ['micro-wishes'];

  // Residents, no login: the QR code carries the place; the tracking token is the wisher's key.
  app.get('/api/v1/public/places/:code/wishes', { schema: { tags, params: PlaceParams, querystring: WallQuery, summary: 'The community wall of micro-wishes (names masked, no phones)' } }, async (request) =>
    publicWall(context, request.params.code, request.query),
  );
  app.post('/api/v1/public/places/:code/wishes', { schema: { tags, params: PlaceParams, querystring: PostQuery, body: PublicPostBody, summary: 'Post a micro-wish (no login, rate-limited)' } }, async (request, reply) => {
    const { consent, ...input } = request.body;
    return reply.status(201).send(await postPublicWish(context, request.params.code, request.query.cityCode, { ...input, consent }, clientOf(request)));
  });
  app.get('/api/v1/public/wishes/:token', { schema: { tags, params: TokenParams, summary: 'The wisher’s page of one wish' } }, async (request) => publicWishView(context, request.params.token));
  app.post('/api/v1/public/wishes/:token/confirm', { schema: { tags, params: TokenParams, body: ConfirmBody, summary: 'The wisher confirms the wish came true' } }, async (request) =>
    actOnWishByToken(context, request.params.token, 'confirm', request.body, clientOf(request)),
  );
  app.post('/api/v1/public/wishes/:token/withdraw', { schema: { tags, params: TokenParams, summary: 'The wisher withdraws a wish nobody has claimed' } }, async (request) =>
    actOnWishByToken(context, request.params.token, 'withdraw', {}, clientOf(request)),
  );
  app.get('/api/v1/public/wish-photos/:token', { schema: { tags, params: TokenParams, summary: 'A photo shown on the wall (a wish’s or its fulfilment’s)' } }, async (request, reply) =>
    reply
      .type('image/jpeg')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', 'inline; filename="wish.jpg"')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Cache-Control', 'public, max-age=3600')
      .send(await wallPhoto(context, request.params.token)),
  );

  // Console.
  app.get('/api/v1/micro-wishes', { schema: { tags, querystring: WishListQuery, summary: '微心愿墙: wishes of my area' } }, async (request) => listWishes(context, await authenticate(context, request), request.query));
  app.get('/api/v1/micro-wishes/export.xlsx', { schema: { tags, querystring: WishExportQuery, summary: '微心愿台账 (Excel, same filters)' } }, async (request, reply) =>
    sendLedger(request, reply, await wishLedger(context, await authenticate(context, request), request.query)),
  );
  app.post('/api/v1/micro-wishes', { schema: { tags, body: StaffPostBody, summary: 'Post a wish on a resident’s behalf' } }, async (request, reply) =>
    reply.status(201).send(await postStaffWish(context, await authenticate(context, request), request.body, clientOf(request))),
  );
  app.get('/api/v1/micro-wishes/:id', { schema: { tags, params: IdParams } }, async (request) => wishDetail(context, await authenticate(context, request), request.params.id));
  const step = (action: MicroWishAction, body: typeof ClaimBody | typeof NoteBody | typeof FulfilBody | typeof ConfirmBody, summary: string) =>
    app.post(`/api/v1/micro-wishes/:id/${action}`, { schema: { tags, params: IdParams, body, summary } }, async (request) =>
      actOnWish(context, await authenticate(context, request), request.params.id, action, request.body as Record<string, never>, clientOf(request)),
    );
  step('claim', ClaimBody, 'Claim a posted wish (party member or unit liaison placed in its community); a second claim is 409');
  step('release', NoteBody, 'Give a claimed wish back to the wall (the claimer or staff)');
  step('fulfil', FulfilBody, 'Mark a claimed wish fulfilled (the claimer), with a note and an optional photo');
  step('confirm', ConfirmBody, 'Confirm on the wisher’s behalf (staff; audited)');
  step('withdraw', NoteBody, 'Withdraw a posted wish (staff, or whoever posted it)');
  app.post('/api/v1/micro-wishes/:id/reveal', { schema: { tags, params: IdParams, summary: 'The wisher’s full name and phone (claimer or staff; audited)' } }, async (request) =>
    revealWisher(context, await authenticate(context, request), request.params.id),
  );
}
