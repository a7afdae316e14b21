import { useRef } from 'react';
import { ApiError, newKey } from './api.ts';
import type { Translate } from './i18n.ts';

/** A readable message for a failed request: the server's own message, or what went wrong on the way. */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('networkError');
    return t('failed', { message: error.message || error.code });
  }
  return t('failed', { message: (error as Error)?.message ?? String(error) });
}

/**
 * One Idempotency-Key per distinct request body: retrying the same submit (after a timeout, say) reuses
 * its key, so the server answers once; changing the form makes it a new request with a new key.
 */
export function useIdempotencyKey() {
  const last = useRef<{ body: string; key: string } | null>(null);
  return (body: unknown): string => {
    const json = JSON.stringify(body ?? null);
    if (last.current?.body !== json) last.current = { body: json, key: newKey() };
    return last.current.key;
  };
}

export type Navigate = (to: string, state?: Record<string, unknown>) => void;
