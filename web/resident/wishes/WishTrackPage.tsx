import { useMemo, useState } from 'react';
import { shortTime, TokenViewGate, useTokenView } from '../token-view.tsx';
import type { Lang, Translate } from '../i18n.ts';
import { errorText, useIdempotencyKey, type Navigate } from '../shared.ts';
import { wishWords } from './messages.ts';
import { wishApi, type WishView } from './wish-api.ts';
import './wishes.css';

/** /mt/:token — the wisher's page: the wish, who took it, and "received" with a thank-you once it is fulfilled. */
export function WishTrackPage({ token, t, lang }: { token: string; t: Translate; lang: Lang; navigate: Navigate }) {
  const w = useMemo(() => wishWords(lang), [lang]);
  const { loaded, setLoaded, load } = useTokenView(token, wishApi.view, t);
  const [thanks, setThanks] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const keyFor = useIdempotencyKey();


  if (loaded.state !== 'ready') return <TokenViewGate loaded={loaded} notFound={w('notFound')} retry={() => void load()} t={t} />;
  const { view } = loaded;
  const when = (iso: string) => shortTime(iso, lang);

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
