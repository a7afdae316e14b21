import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../shared/errors.ts';
import type { Actor } from '../modules/policy/actor.ts';
import { resolveSession, type ClientInfo } from '../modules/auth/auth.service.ts';

export const SESSION_COOKIE = 'cg_session';

export const clientOf = (request: FastifyRequest): ClientInfo => ({
  ip: request.ip ?? null,
  userAgent: (request.headers['user-agent'] ?? '').slice(0, 300) || null,
});

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
    mfaPending?: boolean;
  }
}

/**
 * The authentication step of every protected route: resolves the session cookie to an actor.
 * Routes then authorise against a policy and delegate to a service.
 */
export async function authenticate(context: AppContext, request: FastifyRequest, options: { allowMfaPending?: boolean } = {}): Promise<Actor> {
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token) throw new AppError('unauthenticated', 'Please log in');
  // Already resolved for this request (the Idempotency-Key layer scopes keys by user).
  if (request.actor && (!request.mfaPending || options.allowMfaPending)) return request.actor;
  const resolved = await resolveSession(context, token, clientOf(request));
  if (resolved.mfaPending && !options.allowMfaPending) {
    throw new AppError('mfa_enrolment_required', 'Administrators must set up an authenticator app (TOTP) before continuing');
  }
  request.actor = resolved.actor;
  request.mfaPending = resolved.mfaPending;
  return resolved.actor;
}

export function setSessionCookie(context: AppContext, reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: context.config.secureCookies,
  });
}

export const clearSessionCookie = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, { path: '/' });
