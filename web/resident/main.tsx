import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { initialLang, rememberLang, translator, type Lang } from './i18n.ts';
import { ReportPage } from './ReportPage.tsx';
import { TrackPage } from './TrackPage.tsx';
import { OrderPage } from './services/OrderPage.tsx';
import { OrderTrackPage } from './services/OrderTrackPage.tsx';
import { WishPage } from './wishes/WishPage.tsx';
import { WishTrackPage } from './wishes/WishTrackPage.tsx';
import './resident.css';

// Resident QR pages, kept tiny — React and plain CSS, no UI kit:
// /r/:placeCode report, /t/:token tracking; /s/:placeCode order a service, /o/:token the order;
// /m/:placeCode the micro-wish wall and posting, /mt/:token the wish.

type Route =
  | { page: 'report' | 'order' | 'wish'; code: string }
  | { page: 'track' | 'orderTrack' | 'wishTrack'; token: string }
  | { page: 'none' };

const pageOfPrefix = { r: 'report', s: 'order', m: 'wish', t: 'track', o: 'orderTrack', mt: 'wishTrack' } as const;

function routeOf(pathname: string): Route {
  const match = /^\/(r|t|s|o|m|mt)\/([^/]+)\/?$/.exec(pathname);
  if (!match) return { page: 'none' };
  const value = decodeURIComponent(match[2]);
  const page = pageOfPrefix[match[1] as keyof typeof pageOfPrefix];
  return page === 'report' || page === 'order' || page === 'wish' ? { page, code: value } : { page, token: value };
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [location, setLocation] = useState(() => ({ path: window.location.pathname, state: (history.state ?? {}) as Record<string, unknown> }));
  const t = useMemo(() => translator(lang), [lang]);

  useEffect(() => {
    const onPop = () => setLocation({ path: window.location.pathname, state: (history.state ?? {}) as Record<string, unknown> });
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    rememberLang(lang);
    document.title = `${t('appName')} · 网格通`;
  }, [lang, t]);

  const navigate = (to: string, state: Record<string, unknown> = {}) => {
    history.pushState(state, '', to);
    setLocation({ path: new URL(to, window.location.href).pathname, state });
    window.scrollTo(0, 0);
  };
  const route = routeOf(location.path);

  return (
    <div className="app">
      <header className="bar">
        <span className="brand">{t('appName')}</span>
        <button type="button" className="lang" data-testid="resident-lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t('lang')}
        </button>
      </header>
      <main>
        {route.page === 'report' && <ReportPage key={route.code} code={route.code} t={t} navigate={navigate} />}
        {route.page === 'track' && <TrackPage key={route.token} token={route.token} t={t} lang={lang} justSubmitted={Boolean(location.state.justSubmitted)} />}
        {route.page === 'order' && <OrderPage key={route.code} code={route.code} t={t} lang={lang} navigate={navigate} />}
        {route.page === 'orderTrack' && <OrderTrackPage key={route.token} token={route.token} t={t} lang={lang} navigate={navigate} />}
        {route.page === 'wish' && <WishPage key={route.code} code={route.code} t={t} lang={lang} navigate={navigate} />}
        {route.page === 'wishTrack' && <WishTrackPage key={route.token} token={route.token} t={t} lang={lang} navigate={navigate} />}
        {route.page === 'none' && <p className="notice error" data-testid="resident-not-found">{t('placeNotFound')}</p>}
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
