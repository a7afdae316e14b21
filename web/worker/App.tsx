// The grid worker app (/w/): login, 我的任务, one task. Works offline from the phone's copy.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { api, ApiError, NetworkError, type Me } from './api.ts';
import { format, initialLang, LangContext, saveLang, strings, useT, type Lang } from './i18n.ts';
import { detailPrefix, kv, tasksKey } from './store.ts';
import { engine } from './sync.ts';
import { TaskList } from './TaskList.tsx';
import { TaskPage } from './TaskPage.tsx';

const ME_KEY = 'me';

/** /w/ is the list, /w/tasks/:id one task; the service worker answers every /w/… path with the app. */
function usePath(): [string, (to: string) => void] {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    if (to !== location.pathname) history.pushState(null, '', to);
    setPath(to);
    window.scrollTo(0, 0);
  }, []);
  return [path, navigate];
}

function Login({ onLoggedIn, known }: { onLoggedIn: (me: Me) => void; known: Me | null }) {
  const { t } = useT();
  const [username, setUsername] = useState(known?.username ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.login(username.trim(), password));
    } catch (e) {
      setError(e instanceof NetworkError ? t.loginNeedsNetwork : e instanceof ApiError ? e.message : t.loginFailed);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="login card" onSubmit={submit}>
      <h1>{t.loginTitle}</h1>
      <label>
        <span>{t.username}</span>
        <input data-testid="worker-login-username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
      </label>
      <label>
        <span>{t.password}</span>
        <input data-testid="worker-login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {error && (
        <p className="error" data-testid="worker-login-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn primary" data-testid="worker-login-submit" disabled={busy}>
        {busy ? t.loggingIn : t.login}
      </button>
    </form>
  );
}

// The chosen language, shared by every screen (kept in localStorage by saveLang).
let langValue: Lang = initialLang();
const langListeners = new Set<() => void>();
const setLangValue = (lang: Lang) => {
  langValue = lang;
  saveLang(lang);
  for (const listener of langListeners) listener();
};
function useLangValue() {
  return useSyncExternalStore(
    (listener) => {
      langListeners.add(listener);
      return () => langListeners.delete(listener);
    },
    () => langValue,
  );
}

export function App() {
  const lang = useLangValue();
  const t = strings[lang];
  const snap = useSyncExternalStore(engine.subscribe, engine.getSnapshot);
  const [path, navigate] = usePath();
  /** undefined while starting; null when nobody is logged in on this phone. */
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [sessionValid, setSessionValid] = useState(true);
  const [message, setMessage] = useState<string | null>(null);
  const messageTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const showMessage = useCallback((text: string) => {
    setMessage(text);
    if (messageTimer.current) clearTimeout(messageTimer.current);
    messageTimer.current = setTimeout(() => setMessage(null), 4000);
  }, []);

  useEffect(() => {
    saveLang(langValue);
    let live = true;
    void (async () => {
      // Whoever used the app last opens it again at once, from the phone's copy, network or not.
      const cached = (await kv.get<Me>(ME_KEY)) ?? null;
      if (!live) return;
      if (cached) {
        setMe(cached);
        await engine.start(cached.id);
      }
      try {
        const fresh = await api.me();
        if (!live) return;
        await kv.set(ME_KEY, fresh);
        if (!cached || cached.id !== fresh.id) {
          engine.stop();
          await engine.start(fresh.id);
        }
        setMe(fresh);
      } catch (error) {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401) setSessionValid(false);
        if (!cached) setMe(null);
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  const loggedIn = async (user: Me) => {
    await kv.set(ME_KEY, user);
    setSessionValid(true);
    if (snap.userId === user.id) engine.resume();
    else {
      engine.stop();
      await engine.start(user.id);
    }
    setMe(user);
  };

  const logout = async () => {
    const pending = snap.outbox.length;
    if (pending > 0 && !window.confirm(format(t.unsyncedOnLogout, { n: pending }))) return;
    await api.logout().catch(() => {});
    await kv.delete(ME_KEY);
    // The cached list and case pages go with the session; queued actions and drafts stay for the next login.
    if (me) await Promise.all([kv.delete(tasksKey(me.id)), kv.deletePrefix(detailPrefix(me.id))]);
    engine.stop();
    setMe(null);
    navigate('/w/');
  };

  const pendingCount = snap.outbox.filter((item) => item.state === 'pending').length;
  const needsLogin = me === null || !sessionValid || snap.authRequired;
  const match = /^\/w\/tasks\/(\d+)\/?$/.exec(path);

  return (
    <LangContext.Provider value={{ lang, t }}>
      <header className="bar">
        <span className="brand">{t.appName}</span>
        <span className={`online ${snap.online ? 'on' : 'off'}`} data-testid="worker-online-state" data-online={snap.online}>
          {snap.online ? t.online : t.offline}
        </span>
        <span className={`pending-count${pendingCount ? ' has' : ''}`} data-testid="worker-pending-count" data-count={pendingCount}>
          {format(t.pending, { n: pendingCount })}
        </span>
        <button type="button" className="btn ghost small" data-testid="worker-lang" onClick={() => setLangValue(lang === 'zh' ? 'en' : 'zh')}>
          {t.langSwitch}
        </button>
        {me && !needsLogin && (
          <button type="button" className="btn ghost small" data-testid="worker-logout" onClick={() => void logout()}>
            {t.logout}
          </button>
        )}
      </header>
      <main>
        {me === undefined ? null : needsLogin ? (
          <>
            {me && snap.authRequired && <p className="note">{t.sessionExpired}</p>}
            <Login onLoggedIn={(user) => void loggedIn(user)} known={me} />
          </>
        ) : match ? (
          <TaskPage caseId={Number(match[1])} snap={snap} back={() => navigate('/w/')} onMessage={showMessage} />
        ) : (
          <TaskList snap={snap} open={(id) => navigate(`/w/tasks/${id}`)} onRefresh={() => engine.kick(0, true)} onMessage={showMessage} />
        )}
      </main>
      {message && (
        <div className="toast" role="status" data-testid="worker-toast">
          {message}
        </div>
      )}
    </LangContext.Provider>
  );
}
