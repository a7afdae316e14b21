// The live case feed (GET /api/v1/cases/stream, server-sent events) as a hook, and its indicator.
import { useEffect, useRef, useState } from 'react';
import { Badge } from 'antd';
import { boardApi } from '../api.ts';
import { useI18n } from '../i18n.ts';

export interface CaseStreamEvent {
  eventId: number;
  caseId: number;
  action: string;
  toStatus: string;
}

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/** How long to wait before opening a new EventSource after the server refused or closed one for good. */
const REOPEN_MS = 5_000;

/**
 * Subscribes to the case feed while the component is mounted. `onEvent` gets each case event in the
 * user's scope; `onReady` fires whenever the stream is (re)attached, so the caller can reload what it
 * shows (the browser resumes with Last-Event-ID after a drop, a fresh EventSource does not).
 */
export function useCaseStream(onEvent: (event: CaseStreamEvent) => void, onReady?: () => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlers = useRef({ onEvent, onReady });
  handlers.current = { onEvent, onReady };

  useEffect(() => {
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const open = () => {
      if (stopped) return;
      source = new EventSource(boardApi.streamUrl, { withCredentials: true });
      source.addEventListener('ready', () => {
        setState('live');
        handlers.current.onReady?.();
      });
      source.addEventListener('case', (message) => {
        try {
          handlers.current.onEvent(JSON.parse((message as MessageEvent<string>).data) as CaseStreamEvent);
        } catch {
          // a malformed message is ignored; the next reload shows the truth
        }
      });
      source.onerror = () => {
        setState('reconnecting');
        // EventSource retries by itself unless the server answered with an error (e.g. 401): then start over.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          // Refused for a dead session? Then the console goes to the login page; otherwise try again soon.
          boardApi.sessionCheck().catch(() => undefined);
          reopenTimer = setTimeout(open, REOPEN_MS);
        }
      };
    };
    open();
    return () => {
      stopped = true;
      if (reopenTimer) clearTimeout(reopenTimer);
      source?.close();
    };
  }, []);
  return state;
}

export function CaseStreamIndicator({ state }: { state: StreamState }) {
  const { t } = useI18n();
  const label = state === 'live' ? t('boardLive') : state === 'connecting' ? t('boardConnecting') : t('boardReconnecting');
  return (
    <span data-testid="board-live-indicator" data-state={state}>
      <Badge status={state === 'live' ? 'success' : state === 'connecting' ? 'processing' : 'error'} text={label} />
    </span>
  );
}
