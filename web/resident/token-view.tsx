import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api.ts';
import type { Lang, Translate } from './i18n.ts';
import { errorText } from './shared.ts';

/** What a tracking-token page has loaded: a case, an order or a wish. */
export type Loaded<V> = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | { state: 'ready'; view: V };

/** A 400 or 404 on a token means there is no such record (a mistyped or old link), not a failure to retry. */
export const loadFailure = (error: unknown, t: Translate): Loaded<never> =>
  error instanceof ApiError && (error.status === 404 || error.status === 400) ? { state: 'missing' } : { state: 'failed', message: errorText(error, t) };

/** Loads the record behind a token; reloads when the token changes (not when the language does). */
export function useTokenView<V>(token: string, fetchView: (token: string) => Promise<V>, t: Translate) {
  const [loaded, setLoaded] = useState<Loaded<V>>({ state: 'loading' });
  const load = useCallback(async () => {
    try {
      setLoaded({ state: 'ready', view: await fetchView(token) });
    } catch (error) {
      setLoaded(loadFailure(error, t));
    }
    // Only the token decides what to load: switching the language must not reload.
  }, [token]);
  useEffect(() => {
    void load();
  }, [load]);
  return { loaded, setLoaded, load };
}

/** Loading, not found, or failed with a retry button; null once the view is ready. */
export function TokenViewGate<V>({ loaded, notFound, retry, t }: { loaded: Loaded<V>; notFound: string; retry: () => void; t: Translate }) {
  if (loaded.state === 'loading') return <p className="muted center">{t('loading')}</p>;
  if (loaded.state === 'missing') return <p className="notice error" data-testid="resident-not-found">{notFound}</p>;
  if (loaded.state === 'failed') {
    return (
      <div className="notice error">
        <p>{loaded.message}</p>
        <button type="button" onClick={retry}>{t('retry')}</button>
      </div>
    );
  }
  return null;
}

/** A time on a timeline, short: month/day hour:minute. */
export const shortTime = (iso: string, lang: Lang) =>
  new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
