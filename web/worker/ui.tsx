// Small shared pieces: a one-second clock, the deadline countdown, the colour badge and the call button.
import { useState, useSyncExternalStore } from 'react';
import { api, ApiError, NetworkError, type Task } from './api.ts';
import { format, useT } from './i18n.ts';

// One ticking clock for every countdown on the screen.
let now = Date.now();
const tickListeners = new Set<() => void>();
setInterval(() => {
  now = Date.now();
  for (const listener of tickListeners) listener();
}, 1000);
const subscribeTick = (listener: () => void) => {
  tickListeners.add(listener);
  return () => tickListeners.delete(listener);
};
export const useNow = () => useSyncExternalStore(subscribeTick, () => now);

function useDuration() {
  const { t } = useT();
  return (ms: number) => {
    const total = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(total / 86400);
    const hours = Math.floor((total % 86400) / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = total % 60;
    if (days > 0) return format(t.days, { n: days }) + format(t.hours, { n: hours });
    if (hours > 0) return format(t.hours, { n: hours }) + format(t.minutes, { n: minutes });
    return format(t.minutes, { n: minutes }) + format(t.seconds, { n: seconds });
  };
}

/** "剩余 25分12秒" / "已超时 1小时05分", with the clock's kind (contact, resolve …). */
export function Deadline({ task }: { task: Task }) {
  const { t } = useT();
  const current = useNow();
  const duration = useDuration();
  if (!task.deadline) {
    return (
      <span className="deadline none" data-testid="worker-task-deadline" data-deadline="">
        {t.noDeadline}
      </span>
    );
  }
  const left = Date.parse(task.deadline) - current;
  const overdue = left < 0 || task.overdue;
  const kind = task.deadlineKind ? (t.deadlineKind[task.deadlineKind] ?? task.deadlineKind) : '';
  return (
    <span className={`deadline${overdue ? ' overdue' : left < 30 * 60_000 ? ' soon' : ''}`} data-testid="worker-task-deadline" data-deadline={task.deadline} data-overdue={overdue}>
      {kind && <span className="deadline-kind">{kind}</span>}
      {left < 0 ? format(t.overdueBy, { t: duration(left) }) : format(t.dueIn, { t: duration(left) })}
    </span>
  );
}

export function ColorBadge({ color }: { color: string }) {
  const { t } = useT();
  return (
    <span className={`badge color-${color}`} data-testid="worker-task-color" data-color={color}>
      {t.color[color] ?? color}
    </span>
  );
}

/**
 * The reporter's number is fetched (authorised and audited) only when the worker taps call, then the
 * dialer opens. It is never stored on the phone.
 */
export function CallButton({ task, onMessage }: { task: Task; onMessage: (message: string) => void }) {
  const { t } = useT();
  const [phone, setPhone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!task.canCall) return null;
  const call = async (event: React.MouseEvent) => {
    event.stopPropagation();
    if (!navigator.onLine) return onMessage(t.callOffline);
    setBusy(true);
    try {
      const number = await api.call(task.id);
      setPhone(number);
      window.location.href = `tel:${number}`;
    } catch (error) {
      onMessage(error instanceof NetworkError ? t.callOffline : error instanceof ApiError ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="call" onClick={(event) => event.stopPropagation()}>
      <button type="button" className="btn call-btn" data-testid="worker-call" disabled={busy} onClick={call}>
        {busy ? t.calling : t.call}
      </button>
      {phone && (
        <a className="call-link" data-testid="worker-call-link" href={`tel:${phone}`}>
          {format(t.callNumber, { phone })}
        </a>
      )}
    </span>
  );
}
