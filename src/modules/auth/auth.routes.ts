import { sql } from 'drizzle-orm';
import type { App } from '../../http/types.ts';
import type { AppContext } from '../../context.ts';
import { authenticate, clearSessionCookie, clientOf, setSessionCookie, SESSION_COOKIE } from '../../http/request-context.ts';
import { ChangePasswordBody, LoginBody, Me, TotpConfirmBody } from './auth.schemas.ts';
import { changePassword, confirmTotpEnrolment, login, logout, needsSecondFactor, startTotpEnrolment } from './auth.service.ts';
import { abilitiesOf } from './abilities.ts';
import { findUserById } from './auth.repository.ts';
import type { Actor } from '../policy/actor.ts';
import { Type } from 'typebox';

async function describeMe(context: AppContext, actor: Actor) {
  const user = await findUserById(context.database, actor.userId);
  const [city] = await context.database.rows<{ name: string }>(sql`SELECT name FROM cities WHERE id = ${actor.cityId}`);
  return {
    id: actor.userId,
    username: actor.username,
    displayName: actor.displayName,
    cityId: actor.cityId,
    cityName: city?.name ?? '',
    roles: actor.grants.map(({ regionPath: _path, ...grant }) => grant),
    partyMemberId: actor.partyMemberId,
    abilities: abilitiesOf(actor),
    mfa: { required: needsSecondFactor(context, actor.grants.map((g) => g.role)), enrolled: Boolean(user?.totp_enabled) },
  };
}

export function authRoutes(app: App, context: AppContext) {
  const tags = ['auth'];
  app.post('/api/v1/auth/login', { schema: { tags, body: LoginBody, response: { 200: Type.Object({ user: Me }) } } }, async (request, reply) => {
    const { token } = await login(context, request.body, clientOf(request));
    setSessionCookie(context, reply, token);
    request.cookies[SESSION_COOKIE] = token;
    const actor = await authenticate(context, request, { allowMfaPending: true });
    return { user: await describeMe(context, actor) };
  });

  app.post('/api/v1/auth/logout', { schema: { tags } }, async (request, reply) => {
    await logout(context, request.cookies[SESSION_COOKIE], clientOf(request));
    clearSessionCookie(reply);
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/me', { schema: { tags, response: { 200: Me } } }, async (request) => {
    const actor = await authenticate(context, request, { allowMfaPending: true });
    return describeMe(context, actor);
  });

  app.post('/api/v1/auth/password', { schema: { tags, body: ChangePasswordBody } }, async (request, reply) => {
    const actor = await authenticate(context, request, { allowMfaPending: true });
    await changePassword(context, actor, request.body.currentPassword, request.body.newPassword);
    return reply.status(204).send();
  });

  app.post('/api/v1/auth/totp/setup', { schema: { tags } }, async (request) => {
    const actor = await authenticate(context, request, { allowMfaPending: true });
    return startTotpEnrolment(context, actor);
  });

  app.post('/api/v1/auth/totp/confirm', { schema: { tags, body: TotpConfirmBody } }, async (request, reply) => {
    const actor = await authenticate(context, request, { allowMfaPending: true });
    await confirmTotpEnrolment(context, actor, request.body.code);
    return reply.status(204).send();
  });
}
