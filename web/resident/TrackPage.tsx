import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type CaseView, type Satisfaction } from './api.ts';
import type { Lang, Translate } from './i18n.ts';
import { errorText, useIdempotencyKey } from './shared.ts';
import { shortTime, TokenViewGate } from './token-view.tsx';

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | { state: 'ready'; view: CaseView };

const satisfactionKey: Record<Satisfaction, string> = { satisfied: 'satisfied', basically_satisfied: 'basicallySatisfied', dissatisfied: 'dissatisfied' };

/** /t/:token — the resident's tracking page: public progress, then the rating form, then reopen. */
export function TrackPage({ token, t, lang, justSubmitted }: { token: string; t: Translate; lang: Lang; justSubmitted: boolean }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [refreshing, setRefreshing] = useState(false);

  const load = useCallback(async () => {
    setRefreshing(true);
    try {
      setLoaded({ state: 'ready', view: await api.track(token) });
    } catch (error) {
      setLoaded(error instanceof ApiError && (error.status === 404 || error.status === 400) ? { state: 'missing' } : { state: 'failed', message: errorText(error, t) });
    } finally {
      setRefreshing(false);
    }
    // Not on `t`: switching the language must not reload the case.
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);

  if (loaded.state !== 'ready') return <TokenViewGate loaded={loaded} notFound={t('caseNotFound')} retry={() => void load()} t={t} />;
  const { view } = loaded;
  const when = (iso: string) => shortTime(iso, lang);

  return (
    <div className="stack">
      {justSubmitted && view.progress.length <= 1 && <SavedLink t={t} />}
      <section className="card">
        <p className="muted small">
          {t('caseNumber')} <strong data-testid="resident-case-number">{view.number}</strong>
        </p>
        <h1 className="title">{view.title}</h1>
        {view.categoryName && <p className="muted">{view.categoryName}</p>}
        <p className="row">
          <span>{t('status')}</span>
          <span className={`badge status-${view.status}`} data-testid="resident-status" data-status={view.status}>
            {t(`status.${view.status}`)}
          </span>
        </p>
      </section>

      <section className="card">
        <h2>{t('progress')}</h2>
        <ol className="timeline" data-testid="resident-timeline">
          {view.progress.map((step, i) => (
            <li key={i} data-action={step.action}>
              <time dateTime={step.at}>{when(step.at)}</time>
              <span>{t(`action.${step.action}`)}</span>
              {step.note && <p className="timeline-note" data-testid="resident-reply-note">{step.note}</p>}
              {step.photos && step.photos.length > 0 && (
                <span className="timeline-photos">
                  {step.photos.map((photo) => (
                    <a key={photo.url} href={photo.url} target="_blank" rel="noreferrer">
                      <img src={photo.url} alt="" width={64} height={64} loading="lazy" data-testid="resident-timeline-photo" />
                    </a>
                  ))}
                </span>
              )}
            </li>
          ))}
        </ol>
        <button type="button" className="link" onClick={() => void load()} disabled={refreshing}>{t('refresh')}</button>
      </section>

      {view.rating && (
        <p className="card" data-testid="resident-rating">
          {t('yourRating', { resolved: view.rating.resolved ? t('yes') : t('no'), satisfaction: t(satisfactionKey[view.rating.satisfaction]) })}
        </p>
      )}
      {view.canRate && <RatingForm token={token} t={t} onDone={(next) => setLoaded({ state: 'ready', view: next })} />}
      {view.canReopen && <Reopen token={token} t={t} onDone={(next) => setLoaded({ state: 'ready', view: next })} />}
    </div>
  );
}

function SavedLink({ t }: { t: Translate }) {
  const [copied, setCopied] = useState(false);
  const link = window.location.href;
  return (
    <section className="notice ok" data-testid="resident-submitted">
      <p>{t('submitted')}</p>
      <p className="link-box">{link}</p>
      <button
        type="button"
        className="secondary"
        onClick={() => navigator.clipboard?.writeText(link).then(() => setCopied(true), () => setCopied(false))}
      >
        {copied ? t('copied') : t('copyLink')}
      </button>
    </section>
  );
}

function RatingForm({ token, t, onDone }: { token: string; t: Translate; onDone: (view: CaseView) => void }) {
  const [resolved, setResolved] = useState<boolean | null>(null);
  const [satisfaction, setSatisfaction] = useState<Satisfaction | null>(null);
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();

  async function submit() {
    if (resolved === null || satisfaction === null) return setProblem(t('errRating'));
    const body = { resolved, satisfaction, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    setBusy(true);
    setProblem(null);
    try {
      onDone(await api.rate(token, body, keyFor(body)));
    } catch (error) {
      setProblem(errorText(error, t));
    } finally {
      setBusy(false);
    }
  }

  const choice = (pressed: boolean, testId: string, label: string, onClick: () => void) => (
    <button type="button" className={pressed ? 'choice on' : 'choice'} aria-pressed={pressed} data-testid={testId} onClick={onClick}>
      {label}
    </button>
  );
  return (
    <section className="card" data-testid="rating-form">
      <h2>{t('rateTitle')}</h2>
      <p>{t('resolvedQuestion')}</p>
      <div className="choices">
        {choice(resolved === true, 'rating-resolved-yes', t('yes'), () => setResolved(true))}
        {choice(resolved === false, 'rating-resolved-no', t('no'), () => setResolved(false))}
      </div>
      <p>{t('satisfactionQuestion')}</p>
      <div className="choices">
        {choice(satisfaction === 'satisfied', 'rating-satisfied', t('satisfied'), () => setSatisfaction('satisfied'))}
        {choice(satisfaction === 'basically_satisfied', 'rating-basically-satisfied', t('basicallySatisfied'), () => setSatisfaction('basically_satisfied'))}
        {choice(satisfaction === 'dissatisfied', 'rating-dissatisfied', t('dissatisfied'), () => setSatisfaction('dissatisfied'))}
      </div>
      <label className="field">
        <span>{t('comment')}</span>
        <textarea data-testid="rating-comment" rows={3} maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      {problem && <p className="error" role="alert">{problem}</p>}
      <button type="button" className="primary" data-testid="rating-submit" disabled={busy} onClick={() => void submit()}>
        {t('rateSubmit')}
      </button>
    </section>
  );
}

function Reopen({ token, t, onDone }: { token: string; t: Translate; onDone: (view: CaseView) => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  async function reopen() {
    setBusy(true);
    setProblem(null);
    try {
      onDone(await api.reopen(token, keyFor({ reopen: token })));
    } catch (error) {
      setProblem(errorText(error, t));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card">
      <p>{t('reopenHint')}</p>
      {problem && <p className="error" role="alert">{problem}</p>}
      <button type="button" className="secondary" data-testid="resident-reopen" disabled={busy} onClick={() => void reopen()}>
        {t('reopen')}
      </button>
    </section>
  );
}
