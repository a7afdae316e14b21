// Keeping the figures current: a case event on the live feed refreshes them about a second later (a burst
// of events is one refresh, and a steady stream still refreshes every few seconds); a slow poll covers a
// dropped feed and roles without it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { CaseStreamIndicator, useCaseStream, type StreamState } from '../CaseStream.tsx';

export const EVENT_DEBOUNCE_MS = 1_000;
/** However busy the feed, a pending refresh waits no longer than this after the first event. */
export const EVENT_MAX_WAIT_MS = 3_000;

/** A counter that goes up every `pollMs` while the page is visible, and when `bump` is called. */
export function useRefreshTick(pollMs: number): [number, () => void, number] {
  const [tick, setTick] = useState(0);
  const [at, setAt] = useState(() => Date.now());
  const bump = useCallback(() => {
    setTick((x) => x + 1);
    setAt(Date.now());
  }, []);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') bump();
    }, pollMs);
    return () => clearInterval(timer);
  }, [pollMs, bump]);
  return [tick, bump, at];
}

/** Subscribes to the case feed (mount it only for roles that read cases) and calls `onRefresh` debounced. */
export function CaseEventRefresh({ onRefresh, showState = true }: { onRefresh: () => void; showState?: boolean }) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const firstPending = useRef<number | null>(null);
  const refresh = useRef(onRefresh);
  refresh.current = onRefresh;
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const fire = () => {
    timer.current = null;
    firstPending.current = null;
    refresh.current();
  };
  const state: StreamState = useCaseStream(() => {
    const now = Date.now();
    firstPending.current ??= now;
    const wait = Math.max(0, Math.min(EVENT_DEBOUNCE_MS, firstPending.current + EVENT_MAX_WAIT_MS - now));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(fire, wait);
  });
  return showState ? <CaseStreamIndicator state={state} /> : null;
}
