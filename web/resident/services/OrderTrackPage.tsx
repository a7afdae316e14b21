import { useMemo, useState } from 'react';
import { shortTime, TokenViewGate, useTokenView } from '../token-view.tsx';
import type { Lang, Translate } from '../i18n.ts';
import { errorText, useIdempotencyKey, type Navigate } from '../shared.ts';
import { serviceWords } from './messages.ts';
import { orderApi, type OrderView } from './order-api.ts';
import './services.css';

/** /o/:token — the resident's order: status and progress (roles, not names), then confirm with stars, or cancel. */
export function OrderTrackPage({ token, t, lang }: { token: string; t: Translate; lang: Lang; navigate: Navigate }) {
  const s = useMemo(() => serviceWords(lang), [lang]);
  const { loaded, setLoaded, load } = useTokenView(token, orderApi.view, t);
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmKey = useIdempotencyKey();
  const cancelKey = useIdempotencyKey();


  if (loaded.state !== 'ready') return <TokenViewGate loaded={loaded} notFound={s('orderNotFound')} retry={() => void load()} t={t} />;
  const { view } = loaded;
  const when = (iso: string) => shortTime(iso, lang);

  async function confirm() {
    if (rating < 1) return setProblem(s('chooseStars'));
    const body = { rating, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    setBusy(true);
    setProblem(null);
    try {
      setLoaded({ state: 'ready', view: await orderApi.confirm(token, body, confirmKey({ token, ...body })) });
    } catch (error) {
      setProblem(errorText(error, t));
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    if (!window.confirm(s('cancelAsk'))) return;
    setBusy(true);
    setProblem(null);
    try {
      setLoaded({ state: 'ready', view: await orderApi.cancel(token, cancelKey({ token, cancel: true })) });
    } catch (error) {
      setProblem(errorText(error, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack" data-testid="service-order-track">
      <section className="card">
        <p className="muted small">
          {s('orderNumber')} <strong data-testid="service-order-number">{view.number}</strong>
        </p>
        <h1 className="title">{view.offeringName}</h1>
        <p className="muted">{`${view.categoryName} · ${view.communityName}`}</p>
        <p className="row">
          <span>{s('status')}</span>
          <span className={`badge status-${view.status}`} data-testid="service-order-status" data-status={view.status}>{s(`status.${view.status}`)}</span>
        </p>
        {view.progress.length <= 1 && view.status === 'ordered' && (
          <p className="link-box small">
            {s('saveLink')} <span data-testid="service-order-link">{window.location.href}</span>
          </p>
        )}
      </section>

      <section className="card">
        <h2>{s('progress')}</h2>
        <ol className="timeline" data-testid="service-order-timeline">
          {view.progress.map((step, i) => (
            <li key={i} data-action={step.action}>
              <time dateTime={step.at}>{when(step.at)}</time>
              <span>{`${s(`action.${step.action}`)} · ${s(`by.${step.by}`)}`}</span>
              {step.note && <p className="timeline-note">{step.note}</p>}
            </li>
          ))}
        </ol>
      </section>

      {view.rating !== null && (
        <section className="card" data-testid="service-order-rated">
          <h2>{s('yourRating')}</h2>
          <p className="stars" aria-label={s('stars', { n: view.rating })}>
            {[1, 2, 3, 4, 5].map((n) => <span key={n} className={`star${n <= view.rating! ? ' on' : ''}`}>★</span>)}
          </p>
          {view.ratingComment && <p>{view.ratingComment}</p>}
          <p className="muted">{s('thanks')}</p>
        </section>
      )}

      {view.canConfirm && (
        <section className="card" data-testid="service-order-confirm-form">
          <h2>{s('confirmTitle')}</h2>
          <div className="stars" role="radiogroup">
            {[1, 2, 3, 4, 5].map((n) => (
              <button key={n} type="button" role="radio" aria-checked={rating === n} aria-label={s('stars', { n })} className={`star${n <= rating ? ' on' : ''}`} data-testid={`service-star-${n}`} onClick={() => setRating(n)}>
                ★
              </button>
            ))}
          </div>
          <label className="field">
            <span>{s('comment')}</span>
            <textarea rows={2} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="service-comment" />
          </label>
          <button type="button" className="primary" disabled={busy} onClick={() => void confirm()} data-testid="service-confirm">{s('confirm')}</button>
        </section>
      )}

      {problem && <p className="notice error" role="alert" data-testid="service-error">{problem}</p>}

      {view.canCancel && (
        <p className="center">
          <button type="button" className="link" disabled={busy} onClick={() => void cancel()} data-testid="service-cancel">{s('cancelOrder')}</button>
        </p>
      )}
    </div>
  );
}
