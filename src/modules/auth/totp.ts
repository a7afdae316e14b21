import { TOTP, Secret } from 'otpauth';

const make = (secret: string, label: string) =>
  new TOTP({ issuer: 'CivicGrid', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });

export const newTotpSecret = () => new Secret({ size: 20 }).base32;

export const totpUrl = (secret: string, label: string) => make(secret, label).toString();

/** Returns the accepted time step, or null. One step of clock drift either way is tolerated. */
export function checkTotp(secret: string, code: string, label = 'user', now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = make(secret, label).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  return Math.floor(now / 30000) + delta;
}

export const currentTotp = (secret: string, now = Date.now()) => make(secret, 'user').generate({ timestamp: now });
