import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../api.ts';
import type { Lang, Translate } from '../i18n.ts';
import { PhotoPicker, type PhotoItem } from '../PhotoPicker.tsx';
import { errorText, useIdempotencyKey, type Navigate } from '../shared.ts';
import { wishWords, wisherKinds } from './messages.ts';
import { wishApi, type Wall, type WishBody } from './wish-api.ts';
import './wishes.css';

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | { state: 'ready'; wall: Wall };
const PHONE = /^1[3-9]\d{9}$/;

/** /m/:placeCode — the community's micro-wish wall (names masked) and the form to post a wish. */
export function WishPage({ code, t, lang, navigate }: { code: string; t: Translate; lang: Lang; navigate: Navigate }) {
  const w = useMemo(() => wishWords(lang), [lang]);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [posting, setPosting] = useState(false);

  useEffect(() => {
    let live = true;
    setLoaded({ state: 'loading' });
    wishApi.wall(code).then(
      (wall) => live && setLoaded({ state: 'ready', wall }),
      (error) => live && setLoaded(error instanceof ApiError && (error.status === 404 || error.status === 400) ? { state: 'missing' } : { state: 'failed', message: errorText(error, t) }),
    );
    return () => {
      live = false;
    };
  }, [code, attempt]);

  if (loaded.state === 'loading') return <p className="muted center">{t('loading')}</p>;
  if (loaded.state === 'missing') return <p className="notice error" data-testid="resident-not-found">{t('placeNotFound')}</p>;
  if (loaded.state === 'failed') {
    return (
      <div className="notice error">
        <p>{loaded.message}</p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>{t('retry')}</button>
      </div>
    );
  }
  const { wall } = loaded;

  return (
    <div className="stack">
      <header className="card place">
        <p className="muted">{wall.communityName}</p>
        <h1>{w('wallTitle')}</h1>
        <p className="muted small">{w('wallIntro')}</p>
        {!posting && (
          <button type="button" className="primary" data-testid="wish-open-form" onClick={() => setPosting(true)}>
            {w('post')}
          </button>
        )}
      </header>
      {posting && <WishForm code={code} t={t} w={w} onCancel={() => setPosting(false)} onPosted={(token) => navigate(`/mt/${encodeURIComponent(token)}`, { justPosted: true })} />}
      <section className="card">
        {wall.items.length === 0 ? (
          <p className="muted center" data-testid="wish-wall-empty">{w('empty')}</p>
        ) : (
          <ul className="wish-list" data-testid="wish-wall">
            {wall.items.map((item) => (
              <li key={item.number} className="wish" data-testid="wish-card" data-number={item.number} data-status={item.status}>
                {item.photoUrl && <img src={item.photoUrl} alt="" loading="lazy" />}
                <div>
                  <h3>{item.title}</h3>
                  <p className="muted small">
                    <span data-testid="wish-wisher">{item.wisherName}</span> · {w(`kind.${item.wisherKind}`)}
                  </p>
                  <p>
                    <span className={`badge wish-status-${item.status}`}>{w(`status.${item.status}`)}</span>
                    {item.claimedBy && <span className="muted small"> {w('claimedBy', { who: item.claimedBy.label })}</span>}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function WishForm({ code, t, w, onCancel, onPosted }: { code: string; t: Translate; w: ReturnType<typeof wishWords>; onCancel: () => void; onPosted: (token: string) => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<string>('elderly');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [consent, setConsent] = useState(false);
  const [photos, setPhotos] = useState<PhotoItem[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const keyFor = useIdempotencyKey();

  function validate(): string | null {
    if (title.trim().length < 2) return w('errTitle');
    if (!name.trim()) return w('errName');
    if (phone.trim() && !PHONE.test(phone.trim())) return w('errPhone');
    if (phone.trim() && !consent) return w('errConsent');
    if (photos.some((p) => p.state !== 'done')) return w('errPhotoPending');
    return null;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const invalid = validate();
    setProblem(invalid);
    if (invalid || submitting) return;
    const body: WishBody = {
      title: title.trim(),
      wisherKind: kind,
      wisherName: name.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(phone.trim() ? { wisherPhone: phone.trim(), consent } : {}),
      ...(photos[0]?.token ? { photoToken: photos[0].token } : {}),
    };
    setSubmitting(true);
    try {
      const created = await wishApi.post(code, body, keyFor(body));
      onPosted(created.trackingToken);
    } catch (error) {
      setProblem(errorText(error, t));
      setSubmitting(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate data-testid="wish-form">
      <h2>{w('postTitle')}</h2>
      <label className="field">
        <span>{w('title')}</span>
        <input data-testid="wish-title" maxLength={60} placeholder={w('titleHint')} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label className="field">
        <span>{w('description')}</span>
        <textarea data-testid="wish-description" rows={3} maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label className="field">
        <span>{w('kind')}</span>
        <select data-testid="wish-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {wisherKinds.map((k) => (
            <option key={k} value={k}>{w(`kind.${k}`)}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{w('name')}</span>
        <input data-testid="wish-name" maxLength={20} value={name} onChange={(e) => setName(e.target.value)} />
        <small className="muted">{w('nameHint')}</small>
      </label>
      <label className="field">
        <span>{w('phone')}</span>
        <input data-testid="wish-phone" inputMode="tel" maxLength={11} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </label>
      {phone.trim() && (
        <label className="check">
          <input type="checkbox" data-testid="wish-consent" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
          <span>{w('consent')}</span>
        </label>
      )}
      <div className="field">
        <span>{w('photo')}</span>
        <PhotoPicker photos={photos} setPhotos={(update) => setPhotos((items) => update(items).slice(0, 1))} t={t} />
      </div>
      {problem && <p className="error" role="alert" data-testid="wish-problem">{problem}</p>}
      <p className="row">
        <button type="submit" className="primary" data-testid="wish-submit" disabled={submitting}>{submitting ? w('submitting') : w('submit')}</button>
        <button type="button" className="secondary" onClick={onCancel}>{w('cancel')}</button>
      </p>
    </form>
  );
}
