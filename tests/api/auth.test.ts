import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { buildScopedCity, TEST_PASSWORD } from '../support/factories.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Authentication: session cookies, session lifecycle, lockout, idle timeout, password policy,
 * TOTP for administrators and the abilities the console receives.
 */
type City = Awaited<ReturnType<typeof buildScopedCity>>;

const loginRequest = (t: TestApp, username: string, password = TEST_PASSWORD, totpCode?: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password, ...(totpCode ? { totpCode } : {}) } });

const sessionCookie = (response: { cookies: Array<{ name: string; value: string }> }) => response.cookies.find((c) => c.name === 'cg_session');

const me = (t: TestApp, cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });

describe('sessions and credentials', () => {
  let t: TestApp;
  let city: City;
  beforeAll(async () => {
    t = await createTestApp({ sessionIdleMinutes: 30 });
    city = await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  it('login sets an httpOnly, SameSite=Strict session cookie on path /', async () => {
    const response = await loginRequest(t, 'gridworker');
    expect(response.statusCode).toBe(200);
    const cookie = sessionCookie(response);
    expect(cookie).toBeDefined();
    expect(cookie!.value.length).toBeGreaterThanOrEqual(32);
    expect((cookie as { httpOnly?: boolean }).httpOnly).toBe(true);
    expect((cookie as { sameSite?: string }).sameSite).toBe('Strict');
    expect((cookie as { path?: string }).path).toBe('/');
    expect(response.json().user.username).toBe('gridworker');
    // The token itself is never stored: only its hash.
    const [{ count }] = await t.context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM sessions WHERE token_hash = ${cookie!.value}`);
    expect(count).toBe(0);
  });

  it('every login issues a new session id; the older one keeps working until it is logged out', async () => {
    const first = await t.login('gridhead');
    const second = await t.login('gridhead');
    expect(first).not.toBe(second);
    expect((await me(t, first)).statusCode).toBe(200);
    expect((await me(t, second)).statusCode).toBe(200);

    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: first } });
    expect(logout.statusCode).toBe(204);
    // The logout response clears the cookie in the browser…
    const cleared = sessionCookie(logout);
    expect(cleared).toBeDefined();
    expect(cleared!.value).toBe('');
    // …and the server refuses the same token afterwards, even if a client replays it.
    const after = await me(t, first);
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
    // Logging out one session leaves the other one alone.
    expect((await me(t, second)).statusCode).toBe(200);
  });

  it('a forged or unknown session token is refused', async () => {
    const response = await me(t, 'cg_session=not-a-real-token');
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthenticated');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
  });

  it('a wrong password is 401 invalid_credentials, the same as an unknown user', async () => {
    const wrong = await loginRequest(t, 'street', 'Wrong-Password-1');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String), details: null } });
    expect(sessionCookie(wrong)).toBeUndefined();
    const unknown = await loginRequest(t, 'nobody-at-all', 'Wrong-Password-1');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('invalid_credentials');
    expect(unknown.json().error.message).toBe(wrong.json().error.message);
    // one failure does not lock
    expect((await loginRequest(t, 'street')).statusCode).toBe(200);
  });

  it('five failed logins lock the account (even the right password is refused); the security admin unlocks it', async () => {
    const user = await city.factory.user(city.cityId, 'lockme', 'grid_worker', { regionNodeId: city.a.grid.id });
    for (let i = 1; i <= 4; i++) {
      const response = await loginRequest(t, 'lockme', `Wrong-Password-${i}`);
      expect(response.statusCode, `attempt ${i}`).toBe(401);
      expect(response.json().error.code).toBe('invalid_credentials');
    }
    const fifth = await loginRequest(t, 'lockme', 'Wrong-Password-5');
    expect(fifth.statusCode).toBe(401);
    const sixth = await loginRequest(t, 'lockme', TEST_PASSWORD);
    expect(sixth.statusCode).toBe(423);
    expect(sixth.json().error.code).toBe('account_locked');
    expect(sixth.json().error.details.lockedUntil).toEqual(expect.any(String));
    expect(new Date(sixth.json().error.details.lockedUntil).getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
    expect(sessionCookie(sixth)).toBeUndefined();

    // Only the security administrator may unlock.
    const sysadmin = await t.login('sysadmin');
    const refused = await t.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/unlock`, headers: { cookie: sysadmin } });
    expect(refused.statusCode).toBe(403);
    expect((await loginRequest(t, 'lockme', TEST_PASSWORD)).statusCode).toBe(423);

    const secadmin = await t.login('secadmin');
    const unlock = await t.app.inject({ method: 'POST', url: `/api/v1/users/${user.id}/unlock`, headers: { cookie: secadmin } });
    expect(unlock.statusCode).toBe(204);
    expect((await loginRequest(t, 'lockme', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('four failures then a success reset the counter (no lock on the next failure)', async () => {
    await city.factory.user(city.cityId, 'resetme', 'grid_worker', { regionNodeId: city.a.grid.id });
    for (let i = 0; i < 4; i++) expect((await loginRequest(t, 'resetme', 'Wrong-Password-1')).statusCode).toBe(401);
    expect((await loginRequest(t, 'resetme')).statusCode).toBe(200);
    expect((await loginRequest(t, 'resetme', 'Wrong-Password-1')).statusCode).toBe(401);
    expect((await loginRequest(t, 'resetme')).statusCode).toBe(200);
  });

  it('a session idle for longer than the configured minutes expires (and stays expired)', async () => {
    const cookie = await t.login('buildinghead');
    const token = cookie.slice('cg_session='.length);
    const crypto = await import('node:crypto');
    const tokenHash = crypto.createHash('sha256').update(token).digest('hex');

    // 29 minutes idle: still fine (and the request counts as activity).
    await t.context.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() - interval '29 minutes' WHERE token_hash = ${tokenHash}`);
    expect((await me(t, cookie)).statusCode).toBe(200);

    await t.context.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = ${tokenHash}`);
    const expired = await me(t, cookie);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('session_expired');
    // Expiry revokes the session: refreshing last_seen_at does not bring it back.
    await t.context.database.db.execute(sql`UPDATE sessions SET last_seen_at = now() WHERE token_hash = ${tokenHash}`);
    expect((await me(t, cookie)).statusCode).toBe(401);
  });

  describe('password policy for new users', () => {
    const create = async (password: string, username: string) => {
      const cookie = await t.login('sysadmin');
      return t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: { username, displayName: '新用户', password } });
    };

    it('refuses short passwords with 422 weak_password', async () => {
      const response = await create('short', 'pw_short');
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('weak_password');
      expect(response.json().error.details.requirements).toEqual(expect.arrayContaining([expect.stringMatching(/10 characters/)]));
    });

    it('refuses 10 characters of only two classes', async () => {
      const response = await create('abcdefgh12', 'pw_twoclasses');
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('weak_password');
    });

    it('refuses a password containing the username', async () => {
      const response = await create('Xpw_alice-2024', 'pw_alice');
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('weak_password');
    });

    it('accepts 12 characters of three classes (201) and the new user can log in', async () => {
      const response = await create('Abcdefgh-123', 'pw_good');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ id: expect.any(Number), username: 'pw_good' });
      expect((await loginRequest(t, 'pw_good', 'Abcdefgh-123')).statusCode).toBe(200);
      const [{ count }] = await t.context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM users WHERE username IN ('pw_short', 'pw_twoclasses', 'pw_alice')`);
      expect(count).toBe(0);
    });
  });
});

describe('password policy is configurable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ passwordMinLength: 14 });
    await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  it('passwordMinLength 14 refuses 12 characters and accepts 14', async () => {
    const cookie = await t.login('sysadmin');
    const short = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: { username: 'cfg_one', displayName: 'x', password: 'Abcdefgh-123' } });
    expect(short.statusCode).toBe(422);
    expect(short.json().error.code).toBe('weak_password');
    expect(short.json().error.message).toMatch(/14/);
    const long = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: { username: 'cfg_two', displayName: 'x', password: 'Abcdefgh-12345' } });
    expect(long.statusCode).toBe(201);
  });
});

describe('TOTP second factor for administrators', () => {
  let t: TestApp;
  let city: City;
  beforeAll(async () => {
    t = await createTestApp({ requireAdminTotp: true });
    city = await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  const totpOf = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });

  it('an administrator without TOTP may log in but only to enrol; enrolment, login with code, replay refused', async () => {
    const login = await loginRequest(t, 'sysadmin');
    expect(login.statusCode).toBe(200);
    expect(login.json().user.mfa).toEqual({ required: true, enrolled: false });
    const cookie = `cg_session=${sessionCookie(login)!.value}`;

    const blocked = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('mfa_enrolment_required');

    const setup = await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers: { cookie } });
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUrl } = setup.json() as { secret: string; otpauthUrl: string };
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(otpauthUrl).toContain(secret);
    // The new secret is stored encrypted (as pending until confirmed), never in clear.
    const [row] = await t.context.database.rows<{ totp_pending_secret_encrypted: string; totp_enabled: boolean }>(
      sql`SELECT totp_pending_secret_encrypted, totp_enabled FROM users WHERE id = ${city.users.system_admin.id}`,
    );
    expect(row.totp_pending_secret_encrypted).toMatch(/^v1:/);
    expect(row.totp_pending_secret_encrypted).not.toContain(secret);
    expect(row.totp_enabled).toBe(false);
    // Set up but not confirmed: still blocked.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(403);

    const totp = totpOf(secret);
    const current = totp.generate();
    const wrongCode = String((Number(current) + 500_000) % 1_000_000).padStart(6, '0');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers: { cookie }, payload: { code: wrongCode } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('totp_invalid');

    const confirm = await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers: { cookie }, payload: { code: current } });
    expect(confirm.statusCode).toBe(204);
    // The enrolling session is now a full session.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(200);

    const withoutCode = await loginRequest(t, 'sysadmin');
    expect(withoutCode.statusCode).toBe(401);
    expect(withoutCode.json().error.code).toBe('totp_required');
    expect(sessionCookie(withoutCode)).toBeUndefined();

    const badCode = await loginRequest(t, 'sysadmin', TEST_PASSWORD, wrongCode);
    expect(badCode.statusCode).toBe(401);
    expect(badCode.json().error.code).toBe('totp_invalid');

    // The code used for confirming was consumed; the next time step's code (within the one-step drift) is accepted once.
    const next = totp.generate({ timestamp: Date.now() + 30_000 });
    const ok = await loginRequest(t, 'sysadmin', TEST_PASSWORD, next);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.mfa).toEqual({ required: true, enrolled: true });
    const fullCookie = `cg_session=${sessionCookie(ok)!.value}`;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: fullCookie } })).statusCode).toBe(200);

    const replay = await loginRequest(t, 'sysadmin', TEST_PASSWORD, next);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('totp_invalid');
    expect(sessionCookie(replay)).toBeUndefined();
  });

  it('the code used to confirm enrolment cannot be replayed to log in', async () => {
    const cookie = await t.login('secadmin');
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers: { cookie } })).json() as { secret: string };
    const code = totpOf(secret).generate();
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers: { cookie }, payload: { code } })).statusCode).toBe(204);
    const replay = await loginRequest(t, 'secadmin', TEST_PASSWORD, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('totp_invalid');
  });

  it('starting a new authenticator setup does not switch off the second factor until the new code is confirmed', async () => {
    const pending = await t.login('auditadmin');
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers: { cookie: pending } })).json() as { secret: string };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers: { cookie: pending }, payload: { code: totpOf(secret).generate() } })).statusCode).toBe(204);
    // Enrolled. Now a (possibly stolen, possibly abandoned) session starts a re-enrolment and never confirms it.
    const restart = await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/setup', headers: { cookie: pending } });
    expect(restart.statusCode).toBe(200);
    // The password alone must still not be enough to log in.
    const passwordOnly = await loginRequest(t, 'auditadmin');
    expect(passwordOnly.statusCode).toBe(401);
    expect(passwordOnly.json().error.code).toBe('totp_required');
  });

  it('other administrator roles (city admin) are held to TOTP as well', async () => {
    const cookie = await t.login('cityadmin');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/residents', headers: { cookie } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('mfa_enrolment_required');
  });

  it('a grid worker never needs TOTP', async () => {
    const login = await loginRequest(t, 'gridworker');
    expect(login.statusCode).toBe(200);
    expect(login.json().user.mfa).toEqual({ required: false, enrolled: false });
    const cookie = `cg_session=${sessionCookie(login)!.value}`;
    const residents = await t.app.inject({ method: 'GET', url: '/api/v1/residents', headers: { cookie } });
    expect(residents.statusCode).toBe(200);
    expect(residents.json().items.map((r: { id: number }) => r.id)).toEqual([city.a.resident.id]);
  });
});

describe('GET /api/v1/auth/me abilities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await buildScopedCity(t.context.database, t.context.cipher);
  });
  afterAll(async () => t?.close());

  const abilities = async (username: string) => {
    const response = await me(t, await t.login(username));
    expect(response.statusCode).toBe(200);
    return response.json().abilities as Record<string, boolean>;
  };

  it('grid worker: map and residents, no user management', async () => {
    const a = await abilities('gridworker');
    expect(a.viewMap).toBe(true);
    expect(a.viewResidents).toBe(true);
    expect(a.manageUsers).toBe(false);
    expect(a.readAudit).toBe(false);
    expect(a.assignRoles).toBe(false);
  });

  it('system admin: manages users, sees no residents', async () => {
    const a = await abilities('sysadmin');
    expect(a.manageUsers).toBe(true);
    expect(a.readUsers).toBe(true);
    expect(a.viewResidents).toBe(false);
    expect(a.viewMap).toBe(false);
    expect(a.readAudit).toBe(false);
    expect(a.assignRoles).toBe(false);
  });

  it('audit admin: reads the audit log and nothing else', async () => {
    const a = await abilities('auditadmin');
    expect(a.readAudit).toBe(true);
    const others = Object.entries(a).filter(([key, value]) => key !== 'readAudit' && value);
    expect(others).toEqual([]);
    expect(Object.keys(a).length).toBeGreaterThan(5);
  });

  it('me describes the user and their roles without region paths', async () => {
    const response = await me(t, await t.login('gridworker'));
    const body = response.json();
    expect(body).toMatchObject({ username: 'gridworker', cityName: '遵义市', roles: [{ role: 'grid_worker', regionLevel: 'grid' }] });
    expect(body.roles[0]).not.toHaveProperty('regionPath');
  });
});
