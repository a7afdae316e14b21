import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api.ts';
import type { Lang, Translate } from '../i18n.ts';
import { errorText, useIdempotencyKey, type Navigate } from '../shared.ts';
import { wishWords } from './messages.ts';
import { wishApi, type WishView } from './wish-api.ts';
import './wishes.css';

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | { state: 'ready'; view: WishView };

/** /mt/:token — the wisher's page: the wish, who took it, and "received" with a thank-you once it is fulfilled. */
export function WishTrackPage({ token, t, lang }: { token: string; t: Translate; lang: Lang; navigate: Navigate }) {
  const w = useMemo(() => wishWords(lang), [lang]);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [thanks, setThanks] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const keyFor = useIdempotencyKey();

  const load = useCallback(async () => {
    try {
      setLoaded({ state: 'ready', view: await wishApi.view(token) });
    } catch (error) {
      setLoaded(error instanceof ApiError && (error.status === 404 || error.status === 400) ? { state: 'missing' } : { state: 'failed', message: errorText(error, t) });
    }
  }, [token]);
  useEffect(() => {
    void load();
  }, [load]);

  if (loaded.state === 'loading') return <p className="muted center">{t('loading')}</p>;
  if (loaded.state === 'missing') return <p className="notice error" data-testid="resident-not-found">{w('notFound')}</p>;
  if (loaded.state === 'failed') {
    return (
      <div className="notice error">
        <p>{loaded.message}</p>
        <button type="button" onClick={() => void load()}>{t('retry')}</button>
      </div>
    );
  }
  const { view } = loaded;
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });

  async function act(kind: 'confirm' | 'withdraw') {
    if (busy) return;
    if (kind === 'withdraw' && !window.confirm(w('withdrawAsk'))) return;
    setBusy(true);
    setProblem(null);
    try {
      const body = { kind, thanks: kind === 'confirm' ? thanks.trim() : '' };
      const next = kind === 'confirm' ? await wishApi.confirm(token, body.thanks, keyFor(body)) : await wishApi.withdraw(token, keyFor(body));
      setLoaded({ state: 'ready', view: next });
    } catch (error) {
      setProblem(errorText(error, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      {view.status === 'posted' && view.timeline.length <= 1 && (
        <div className="notice" data-testid="wish-save-link">
          <p>{w('saveLink')}</p>
          <p className="link-box">{window.location.href}</p>
          <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(window.location.href).then(() => setCopied(true))}>
            {copied ? w('copied') : w('copy')}
          </button>
        </div>
      )}
      <section className="card">
        <p className="muted small">
          {w('wishNumber')} <strong data-testid="wish-number">{view.number}</strong> · {view.communityName}
        </p>
        <h1 className="title">{view.title}</h1>
        {view.description && <p>{view.description}</p>}
        <p className="muted small">{view.wisherName} · {w(`kind.${view.wisherKind}`)}</p>
        <p className="row">
          <span>{w('status')}</span>
          <span className={`badge wish-status-${view.status}`} data-testid="wish-status" data-status={view.status}>{w(`status.${view.status}`)}</span>
        </p>
        {view.claimedBy && <p data-testid="wish-claimer">{w('claimedBy', { who: view.claimedBy.label })}</p>}
        {view.photoUrl && <img className="wish-photo" src={view.photoUrl} alt="" />}
      </section>

      {view.fulfilmentNote && (
        <section className="card">
          <h2>{w('fulfilment')}</h2>
          <p data-testid="wish-fulfilment">{view.fulfilmentNote}</p>
          {view.fulfilmentPhotoUrl && <img className="wish-photo" src={view.fulfilmentPhotoUrl} alt="" />}
        </section>
      )}

      {view.canConfirm && (
        <section className="card">
          <h2>{w('confirmTitle')}</h2>
          <label className="field">
            <span>{w('thanks')}</span>
            <textarea data-testid="wish-thanks" rows={2} maxLength={300} placeholder={w('thanksHint')} value={thanks} onChange={(e) => setThanks(e.target.value)} />
          </label>
          <button type="button" className="primary" data-testid="wish-confirm" disabled={busy} onClick={() => void act('confirm')}>{w('confirm')}</button>
        </section>
      )}
      {view.thanksNote && (
        <section className="card">
          <h2>{w('thanksShown')}</h2>
          <p data-testid="wish-thanks-note">{view.thanksNote}</p>
        </section>
      )}
      {problem && <p className="notice error" role="alert">{problem}</p>}

      <section className="card">
        <h2>{w('progress')}</h2>
        <ol className="timeline" data-testid="wish-timeline">
          {view.timeline.map((step, i) => (
            <li key={i} data-action={step.action}>
              <time dateTime={step.at}>{when(step.at)}</time>
              <span>{w(`action.${step.action}`)} · {step.actorLabel}</span>
              {step.note && <p className="timeline-note">{step.note}</p>}
            </li>
          ))}
        </ol>
      </section>
      {view.canWithdraw && (
        <button type="button" className="link" data-testid="wish-withdraw" disabled={busy} onClick={() => void act('withdraw')}>{w('withdraw')}</button>
      )}
    </div>
  );
}
