import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Category, type Place, type ReportBody } from './api.ts';
import type { Translate } from './i18n.ts';
import { MAX_PHOTOS, PhotoPicker, type PhotoItem } from './PhotoPicker.tsx';
import { errorText, useIdempotencyKey, type Navigate } from './shared.ts';

type Loaded = { state: 'loading' } | { state: 'missing' } | { state: 'failed'; message: string } | { state: 'ready'; place: Place; categories: Category[] };

const PHONE = /^1[3-9]\d{9}$/;

/** /r/:placeCode — what a resident sees after scanning the QR code on a building or in a grid. */
export function ReportPage({ code, t, navigate }: { code: string; t: Translate; navigate: Navigate }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [categoryCode, setCategoryCode] = useState('');
  const [description, setDescription] = useState('');
  const [location, setLocation] = useState<{ lng: number; lat: number } | null>(null);
  const [locating, setLocating] = useState<string | null>(null);
  const [photos, setPhotos] = useState<PhotoItem[]>([]);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [consent, setConsent] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const keyFor = useIdempotencyKey();

  useEffect(() => {
    let live = true;
    setLoaded({ state: 'loading' });
    (async () => {
      const place = await api.place(code);
      const categories = await api.categories(place.cityCode);
      if (live) setLoaded({ state: 'ready', place, categories });
    })().catch((error) => {
      if (!live) return;
      setLoaded(error instanceof ApiError && (error.status === 404 || error.status === 400) ? { state: 'missing' } : { state: 'failed', message: errorText(error, t) });
    });
    return () => {
      live = false;
    };
    // Not on `t`: switching the language must not reload the place.
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
  const { place, categories } = loaded;

  function locate() {
    if (!('geolocation' in navigator)) return setLocating(t('locationUnavailable'));
    setLocating(t('locating'));
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocation({ lng: Number(position.coords.longitude.toFixed(6)), lat: Number(position.coords.latitude.toFixed(6)) });
        setLocating(null);
      },
      (error) => setLocating(t('locationFailed', { reason: error.message || String(error.code) })),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  }

  function validate(): string | null {
    if (!categoryCode) return t('errCategory');
    if (description.trim().length < 2) return t('errDescription');
    if (phone.trim() && !PHONE.test(phone.trim())) return t('errPhone');
    if ((name.trim() || phone.trim()) && !consent) return t('errConsent');
    if (photos.some((p) => p.state !== 'done')) return t('errPhotosPending');
    return null;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const invalid = validate();
    setProblem(invalid);
    if (invalid || submitting) return;
    const contact = Boolean(name.trim() || phone.trim());
    const tokens = photos.map((p) => p.token!).slice(0, MAX_PHOTOS);
    const body: ReportBody = {
      placeCode: code,
      cityCode: place.cityCode,
      categoryCode,
      description: description.trim(),
      ...(location ? { lng: location.lng, lat: location.lat, crs: 'wgs84' as const } : {}),
      ...(name.trim() ? { reporterName: name.trim() } : {}),
      ...(phone.trim() ? { reporterPhone: phone.trim() } : {}),
      ...(contact ? { consent } : {}),
      ...(tokens.length ? { photoTokens: tokens } : {}),
    };
    setSubmitting(true);
    try {
      const created = await api.report(body, keyFor(body));
      navigate(`/t/${encodeURIComponent(created.trackingToken)}`, { justSubmitted: true });
    } catch (error) {
      setProblem(errorText(error, t));
      setSubmitting(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} onChange={() => problem && setProblem(null)} noValidate>
      <header className="place">
        <p className="muted">{t('reportFor')}</p>
        <h1 data-testid="resident-place-name">{place.address ?? place.placeName}</h1>
        <p className="muted">{[place.cityName, place.communityName, place.gridName].filter(Boolean).join(' · ')}</p>
      </header>

      <label className="field">
        <span>{t('category')}</span>
        <select data-testid="resident-category" value={categoryCode} onChange={(e) => setCategoryCode(e.target.value)} required>
          <option value="">{t('chooseCategory')}</option>
          {categories.map((c) => (
            <option key={c.code} value={c.code}>{c.name}</option>
          ))}
        </select>
      </label>

      <label className="field">
        <span>{t('description')}</span>
        <textarea data-testid="resident-description" rows={5} maxLength={2000} placeholder={t('descriptionHint')} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>

      <div className="field">
        <span>{t('location')}</span>
        {location ? (
          <p className="row">
            <span data-testid="resident-location">{t('locationSet', { lng: location.lng, lat: location.lat })}</span>
            <button type="button" className="link" onClick={() => setLocation(null)}>{t('locationClear')}</button>
          </p>
        ) : (
          <p className="row">
            <button type="button" className="secondary" data-testid="resident-locate" onClick={locate}>{t('useLocation')}</button>
            {locating && <span className="muted">{locating}</span>}
          </p>
        )}
      </div>

      <div className="field">
        <span>{t('photos', { n: MAX_PHOTOS })}</span>
        <PhotoPicker photos={photos} setPhotos={setPhotos} t={t} />
      </div>

      <fieldset className="field contact">
        <legend>{t('contact')}</legend>
        <p className="muted small">{t('contactHint')}</p>
        <label className="field">
          <span>{t('name')}</span>
          <input data-testid="resident-name" maxLength={40} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('phone')}</span>
          <input data-testid="resident-phone" type="tel" inputMode="numeric" maxLength={11} autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value.replace(/\D/g, ''))} />
        </label>
        <label className="check">
          <input data-testid="resident-consent" type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
          <span>{t('consent')}</span>
        </label>
      </fieldset>

      {problem && <p className="error" role="alert" data-testid="resident-error">{problem}</p>}
      <button type="submit" className="primary" data-testid="resident-submit" disabled={submitting}>
        {submitting ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}
