import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../api.ts';
import type { Lang, Translate } from '../i18n.ts';
import { errorText, useIdempotencyKey, type Navigate } from '../shared.ts';
import { serviceWords } from './messages.ts';
import { orderApi, type Catalogue } from './order-api.ts';
import './services.css';

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | { state: 'ready'; catalogue: Catalogue };
const PHONE = /^1[3-9]\d{9}$/;

/** /s/:placeCode — order a service of the building's community: category → offering → name, phone, details. */
export function OrderPage({ code, t, lang, navigate }: { code: string; t: Translate; lang: Lang; navigate: Navigate }) {
  const s = useMemo(() => serviceWords(lang), [lang]);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [categoryId, setCategoryId] = useState<number | null>(null);
  const [offeringId, setOfferingId] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [description, setDescription] = useState('');
  const [preferredTime, setPreferredTime] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const keyFor = useIdempotencyKey();

  useEffect(() => {
    let live = true;
    setLoaded({ state: 'loading' });
    orderApi.catalogue(code).then(
      (catalogue) => {
        if (!live) return;
        setLoaded({ state: 'ready', catalogue });
        if (catalogue.categories.length === 1) setCategoryId(catalogue.categories[0].id);
      },
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
  const { catalogue } = loaded;
  const category = catalogue.categories.find((c) => c.id === categoryId) ?? null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!offeringId) return;
    if (!name.trim()) return setProblem(s('nameRequired'));
    if (!PHONE.test(phone.trim())) return setProblem(s('phoneInvalid'));
    setProblem(null);
    const body = {
      placeCode: code,
      offeringId,
      name: name.trim(),
      phone: phone.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(preferredTime.trim() ? { preferredTime: preferredTime.trim() } : {}),
    };
    setSubmitting(true);
    try {
      const created = await orderApi.order(body, keyFor(body));
      navigate(`/o/${encodeURIComponent(created.trackingToken)}`, { justOrdered: true });
    } catch (error) {
      setProblem(errorText(error, t));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form className="stack" onSubmit={submit} data-testid="service-order-form">
      <header className="place">
        <h1 className="title">{s('orderFor')}</h1>
        <p className="muted">{`${catalogue.communityName} · ${catalogue.placeName}`}</p>
      </header>
      {catalogue.categories.length === 0 ? (
        <p className="notice" data-testid="service-none">{s('noServices')}</p>
      ) : (
        <>
          <div className="field">
            <span>{s('chooseCategory')}</span>
            <div className="choices" role="radiogroup">
              {catalogue.categories.map((c) => (
                <button key={c.id} type="button" role="radio" aria-checked={c.id === categoryId} className={`choice${c.id === categoryId ? ' on' : ''}`} data-testid={`service-category-${c.code}`}
                  onClick={() => { setCategoryId(c.id); setOfferingId(c.offerings.length === 1 ? c.offerings[0].id : null); }}>
                  {c.name}
                </button>
              ))}
            </div>
          </div>
          {category && (
            <div className="field">
              <span>{s('chooseOffering')}</span>
              <ul className="offerings" role="radiogroup">
                {category.offerings.map((o) => (
                  <li key={o.id}>
                    <button type="button" role="radio" aria-checked={o.id === offeringId} className={`offering${o.id === offeringId ? ' on' : ''}`} data-testid={`service-offering-${o.id}`} onClick={() => setOfferingId(o.id)}>
                      {o.name}
                      {o.description && <small>{o.description}</small>}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {offeringId && (
            <fieldset className="field contact">
              <legend>{s('yourDetails')}</legend>
              <label className="field">
                <span>{s('name')}</span>
                <input value={name} maxLength={40} autoComplete="name" onChange={(e) => setName(e.target.value)} data-testid="service-name" />
              </label>
              <label className="field">
                <span>{s('phone')}</span>
                <input value={phone} inputMode="numeric" maxLength={11} autoComplete="tel" onChange={(e) => setPhone(e.target.value)} data-testid="service-phone" />
              </label>
              <label className="field">
                <span>{s('description')}</span>
                <textarea rows={3} maxLength={1000} placeholder={s('descriptionHint')} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="service-description" />
              </label>
              <label className="field">
                <span>{s('preferredTime')}</span>
                <input value={preferredTime} maxLength={60} placeholder={s('preferredTimeHint')} onChange={(e) => setPreferredTime(e.target.value)} data-testid="service-time" />
              </label>
              <p className="muted small">{s('privacy')}</p>
            </fieldset>
          )}
          {problem && <p className="notice error" role="alert" data-testid="service-error">{problem}</p>}
          <button type="submit" className="primary" disabled={!offeringId || submitting} data-testid="service-submit">
            {submitting ? s('submitting') : s('submit')}
          </button>
        </>
      )}
    </form>
  );
}
