import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { appendAudit, appendAuditAlone } from '../audit/audit.service.ts';
import type { Actor } from '../policy/actor.ts';
import { administratorRoles } from '../policy/policies.ts';
import { findSession, findUserById, findUserByUsername, loadGrants, type UserRow } from './auth.repository.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';
import { checkPasswordPolicy } from './password-policy.ts';
import { checkTotp, newTotpSecret, totpUrl } from './totp.ts';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export const needsSecondFactor = (context: AppContext, roles: readonly string[]) =>
  context.config.requireAdminTotp && roles.some((role) => administratorRoles.includes(role as never));

/**
 * Password (and, for administrators, TOTP) login. Failures count towards the lock; a success always
 * issues a brand-new session token (no fixation) and resets the counter.
 */
export async function login(context: AppContext, input: { username: string; password: string; totpCode?: string }, client: ClientInfo): Promise<{ token: string; userId: number }> {
  const { database, config } = context;
  const user = await findUserByUsername(database, input.username);
  if (!user) {
    await verifyPassword(await dummyHash, input.password);
    throw new AppError('invalid_credentials', 'Wrong username or password');
  }
  const auditBase = { cityId: user.city_id, actorUserId: user.id, actorName: user.username, resourceType: 'session', resourceId: null, ...client };
  const now = new Date();
  if (user.locked_until && user.locked_until > now) {
    await appendAuditAlone(database, { ...auditBase, action: 'auth.login', outcome: 'failure', details: { reason: 'locked' } });
    throw new AppError('account_locked', `Account locked after repeated failed logins; try again after ${user.locked_until.toISOString()}`, { lockedUntil: user.locked_until.toISOString() });
  }
  const passwordOk = await verifyPassword(user.password_hash, input.password);
  if (!passwordOk) {
    await recordFailure(context, user, client, 'wrong_password');
    throw new AppError('invalid_credentials', 'Wrong username or password');
  }
  if (user.status !== 'active') {
    await appendAuditAlone(database, { ...auditBase, action: 'auth.login', outcome: 'failure', details: { reason: 'disabled' } });
    throw new AppError('account_disabled', 'This account is disabled');
  }
  const grants = await loadGrants(database, user.id);
  let acceptedStep: number | null = null;
  if (needsSecondFactor(context, grants.map((g) => g.role)) && user.totp_enabled && user.totp_secret_encrypted) {
    if (!input.totpCode) throw new AppError('totp_required', 'Enter the 6-digit code from your authenticator app');
    acceptedStep = checkTotp(context.cipher.decrypt(user.totp_secret_encrypted), input.totpCode, user.username);
    if (acceptedStep === null || (user.totp_last_step !== null && acceptedStep <= user.totp_last_step)) {
      await recordFailure(context, user, client, 'wrong_totp');
      throw new AppError('totp_invalid', 'The authenticator code is wrong or was already used');
    }
  }
  const token = crypto.randomBytes(32).toString('base64url');
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE users SET failed_logins = 0, locked_until = NULL, totp_last_step = coalesce(${acceptedStep}, totp_last_step) WHERE id = ${user.id}`);
    await tx.execute(sql`INSERT INTO sessions (city_id, token_hash, user_id, ip, user_agent) VALUES (${user.city_id}, ${hashToken(token)}, ${user.id}, ${client.ip}, ${client.userAgent})`);
    await appendAudit(database, tx, { ...auditBase, action: 'auth.login', outcome: 'success' });
  });
  return { token, userId: user.id };
}

async function recordFailure(context: AppContext, user: UserRow, client: ClientInfo, reason: string) {
  const { database, config } = context;
  await database.db.transaction(async (tx) => {
    const [row] = await database.rows<{ failed_logins: number }>(
      sql`UPDATE users SET failed_logins = failed_logins + 1,
            locked_until = CASE WHEN failed_logins + 1 >= ${config.maxFailedLogins} THEN now() + make_interval(mins => ${config.lockMinutes}) ELSE locked_until END
          WHERE id = ${user.id} RETURNING failed_logins`,
      tx,
    );
    const locked = Number(row.failed_logins) >= config.maxFailedLogins;
    if (locked) await tx.execute(sql`UPDATE users SET failed_logins = 0 WHERE id = ${user.id}`);
    await appendAudit(database, tx, {
      cityId: user.city_id, actorUserId: user.id, actorName: user.username, resourceType: 'session', resourceId: null, ...client,
      action: 'auth.login', outcome: 'failure', details: { reason, locked },
    });
  });
}

export async function logout(context: AppContext, token: string | undefined, client: ClientInfo): Promise<void> {
  if (!token) return;
  const session = await findSession(context.database, hashToken(token));
  if (!session || session.revoked_at) return;
  await context.database.db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE sessions SET revoked_at = now() WHERE id = ${session.id}`);
    await appendAudit(context.database, tx, {
      cityId: session.city_id, actorUserId: session.user_id, actorName: null, action: 'auth.logout', resourceType: 'session', resourceId: session.id, outcome: 'success', ...client,
    });
  });
}

export interface ResolvedSession {
  actor: Actor;
  sessionId: number;
  user: UserRow;
  /** An administrator who has not yet enrolled a second factor may only enrol. */
  mfaPending: boolean;
}

/** Resolves the cookie token to an actor, enforcing revocation and the idle timeout. */
export async function resolveSession(context: AppContext, token: string, client: ClientInfo): Promise<ResolvedSession> {
  const { database, config } = context;
  const session = await findSession(database, hashToken(token));
  if (!session || session.revoked_at) throw new AppError('unauthenticated', 'Please log in');
  const idleMs = Date.now() - session.last_seen_at.getTime();
  if (idleMs > config.sessionIdleMinutes * 60_000) {
    await database.db.execute(sql`UPDATE sessions SET revoked_at = now() WHERE id = ${session.id}`);
    throw new AppError('session_expired', `Session expired after ${config.sessionIdleMinutes} minutes without activity; please log in again`);
  }
  const user = await findUserById(database, session.user_id);
  if (!user || user.status !== 'active') throw new AppError('unauthenticated', 'Please log in');
  // Touch at most every 15 s: the idle clock stays accurate without a write per request.
  if (idleMs > 15_000) await database.db.execute(sql`UPDATE sessions SET last_seen_at = now() WHERE id = ${session.id}`);
  const grants = await loadGrants(database, user.id);
  const actor: Actor = { userId: user.id, cityId: user.city_id, username: user.username, displayName: user.display_name, grants, partyMemberId: user.party_member_id, ...client };
  const mfaPending = needsSecondFactor(context, grants.map((g) => g.role)) && !user.totp_enabled;
  return { actor, sessionId: session.id, user, mfaPending };
}

export async function changePassword(context: AppContext, actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
  const user = await findUserById(context.database, actor.userId);
  if (!user || !(await verifyPassword(user.password_hash, currentPassword))) throw new AppError('invalid_credentials', 'The current password is wrong');
  checkPasswordPolicy(context.config, newPassword, user.username);
  const passwordHash = await hashPassword(newPassword);
  await context.database.db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE users SET password_hash = ${passwordHash}, password_changed_at = now(), updated_at = now() WHERE id = ${user.id}`);
    await appendAudit(context.database, tx, auditOf(actor, 'user.change_password', 'user', user.id));
  });
}

export async function startTotpEnrolment(context: AppContext, actor: Actor): Promise<{ secret: string; otpauthUrl: string }> {
  const secret = newTotpSecret();
  await context.database.db.transaction(async (tx) => {
    // The active second factor stays in force until a code from the new secret is confirmed.
    await tx.execute(sql`UPDATE users SET totp_pending_secret_encrypted = ${context.cipher.encrypt(secret)}, updated_at = now() WHERE id = ${actor.userId}`);
    await appendAudit(context.database, tx, auditOf(actor, 'user.totp_setup', 'user', actor.userId));
  });
  return { secret, otpauthUrl: totpUrl(secret, actor.username) };
}

export async function confirmTotpEnrolment(context: AppContext, actor: Actor, code: string): Promise<void> {
  const user = await findUserById(context.database, actor.userId);
  if (!user?.totp_pending_secret_encrypted) throw new AppError('conflict', 'Start the authenticator setup first');
  const step = checkTotp(context.cipher.decrypt(user.totp_pending_secret_encrypted), code, user.username);
  if (step === null) throw new AppError('totp_invalid', 'The authenticator code is wrong');
  await context.database.db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE users SET totp_secret_encrypted = totp_pending_secret_encrypted, totp_pending_secret_encrypted = NULL,
      totp_enabled = true, totp_last_step = ${step}, updated_at = now() WHERE id = ${actor.userId}`);
    await appendAudit(context.database, tx, auditOf(actor, 'user.totp_enabled', 'user', actor.userId));
  });
}

export const auditOf = (actor: Actor, action: string, resourceType: string, resourceId: string | number | null, details?: Record<string, unknown>) => ({
  cityId: actor.cityId,
  actorUserId: actor.userId,
  actorName: actor.username,
  action,
  resourceType,
  resourceId,
  outcome: 'success' as const,
  ip: actor.ip,
  userAgent: actor.userAgent,
  details: details ?? null,
});
