// One task: what, where, when it is due, the call button, and the actions the server allows
// (record contact, handle & reply with photos, escalate, request an extension). Every action is queued.
import { useEffect, useMemo, useState } from 'react';
import { api, type CaseDetail, type WorkerAction } from './api.ts';
import { format, useT } from './i18n.ts';
import { detailKey, draftKey, kv } from './store.ts';
import { engine, viewOf, type SyncSnapshot, type TaskView } from './sync.ts';
import { CallButton, ColorBadge, Deadline } from './ui.tsx';

/** A text field whose content is kept on the phone as it is typed, per case and action. */
function useDraft(userId: number, caseId: number, field: string): [string, (value: string) => void, () => void] {
  const key = draftKey(userId, caseId, field);
  const [value, setValue] = useState('');
  useEffect(() => {
    let live = true;
    void kv.get<string>(key).then((saved) => live && saved && setValue(saved));
    return () => {
      live = false;
    };
  }, [key]);
  const update = (next: string) => {
    setValue(next);
    void (next ? kv.set(key, next) : kv.delete(key));
  };
  const clear = () => {
    setValue('');
    void kv.delete(key);
  };
  return [value, update, clear];
}

function NoteForm(props: {
  userId: number;
  view: TaskView;
  action: Exclude<WorkerAction, 'record_contact'>;
  label: string;
  placeholder?: string;
  submitLabel: string;
  testid: string;
  photos?: boolean;
  onQueued: () => void;
}) {
  const { t } = useT();
  const [note, setNote, clearNote] = useDraft(props.userId, props.view.task.id, props.action);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const previews = useMemo(() => files.map((file) => URL.createObjectURL(file)), [files]);
  useEffect(() => () => previews.forEach((url) => URL.revokeObjectURL(url)), [previews]);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!note.trim() || busy) return;
    setBusy(true);
    try {
      await engine.enqueue(props.view, props.action, note, files);
      clearNote();
      setFiles([]);
      props.onQueued();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="note-form" onSubmit={submit}>
      <label>
        <span>{props.label}</span>
        <textarea data-testid={`${props.testid}-note`} value={note} maxLength={2000} rows={4} placeholder={props.placeholder} onChange={(event) => setNote(event.target.value)} />
      </label>
      {note && <span className="hint">{t.draftSaved}</span>}
      {props.photos && (
        <div className="photos">
          <label className="btn ghost photo-pick">
            {t.photos}
            <input
              type="file"
              accept="image/jpeg,image/png,image/*"
              multiple
              data-testid={`${props.testid}-photo`}
              onChange={(event) => {
                const picked = Array.from(event.target.files ?? []);
                setFiles((current) => [...current, ...picked].slice(0, 6));
                event.target.value = '';
              }}
            />
          </label>
          <div className="thumbs">
            {previews.map((url, i) => (
              <span key={url} className="thumb">
                <img src={url} alt="" />
                <button type="button" aria-label={t.removePhoto} onClick={() => setFiles((current) => current.filter((_, j) => j !== i))}>
                  ×
                </button>
              </span>
            ))}
          </div>
        </div>
      )}
      <button type="submit" className="btn primary" data-testid={`${props.testid}-submit`} disabled={!note.trim() || busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}

export function TaskPage({ caseId, snap, back, onMessage }: { caseId: number; snap: SyncSnapshot; back: () => void; onMessage: (m: string) => void }) {
  const { t, lang } = useT();
  const userId = snap.userId!;
  const task = snap.tasks?.items.find((item) => item.id === caseId);
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [open, setOpen] = useState<'escalate' | 'request_extension' | null>(null);

  const loadDetail = async () => {
    const cached = await kv.get<CaseDetail>(detailKey(userId, caseId));
    if (cached) setDetail(cached);
    if (!navigator.onLine) return;
    try {
      const fresh = await api.caseDetail(caseId);
      setDetail(fresh);
      await kv.set(detailKey(userId, caseId), fresh);
    } catch {
      // offline or no longer visible: keep the copy we have
    }
  };
  useEffect(() => {
    void loadDetail();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [caseId, userId, snap.tasks?.fetchedAt]);

  if (!task) {
    return (
      <section className="page">
        <button type="button" className="btn ghost back" data-testid="worker-back" onClick={back}>
          ‹ {t.back}
        </button>
        <p className="empty" data-testid="worker-task-gone">
          {snap.tasks ? t.taskGone : '…'}
        </p>
      </section>
    );
  }
  const view = viewOf(task, snap.outbox, snap.tasks?.applied[task.id]);
  const allowed = new Set(view.actions);
  const queued = () => {
    setOpen(null);
    onMessage(t.queued);
  };
  const reload = async () => {
    if (await engine.discardCase(task.id)) onMessage(t.restoredDraft);
    void loadDetail();
  };

  return (
    <section className="page" data-testid="worker-task-page" data-case-id={task.id} data-status={view.status}>
      <button type="button" className="btn ghost back" data-testid="worker-back" onClick={back}>
        ‹ {t.back}
      </button>
      <div className="card">
        <div className="task-top">
          <ColorBadge color={task.triageColor} />
          <h1 className="task-title">{task.title}</h1>
        </div>
        <div className="task-meta">
          <span>{task.number}</span>
          <span className="status" data-testid="worker-task-status">
            {t.status[view.status] ?? view.status}
          </span>
          <span>{t.level[view.holderLevel] ?? view.holderLevel}</span>
          {task.assigned && <span className="badge">{t.assigned}</span>}
          {task.extensionPending && <span className="badge">{t.extensionPending}</span>}
        </div>
        <Deadline task={task} />
        <dl>
          <dt>{t.address}</dt>
          <dd>{[task.gridName, task.buildingName, task.address].filter(Boolean).join(' · ') || '—'}</dd>
          {task.categoryName && (
            <>
              <dt>{t.category}</dt>
              <dd>{task.categoryName}</dd>
            </>
          )}
          <dt>{t.description}</dt>
          <dd className="description">{detail?.description ?? task.description}</dd>
          <dt>{t.reporter}</dt>
          <dd>
            {task.reporterPhone ?? t.noPhone} <CallButton task={task} onMessage={onMessage} />
          </dd>
        </dl>
      </div>

      {(view.pending.length > 0 || view.problems.length > 0) && (
        <ul className="queue">
          {view.pending.map((item) => (
            <li key={item.seq} className="queued" data-testid="worker-pending-item" data-action={item.action}>
              {format(t.pendingAction, { action: t.action[item.action] ?? item.action })}
            </li>
          ))}
          {view.problems.map((item) => (
            <li key={item.seq} className="problem" data-testid={item.state === 'conflict' ? 'worker-conflict' : 'worker-failed'} data-action={item.action}>
              <span>{format(item.state === 'conflict' ? t.conflict : t.failed, { message: item.message ?? '' })}</span>
              <button type="button" className="btn" data-testid="worker-conflict-reload" onClick={reload}>
                {item.state === 'conflict' ? t.reload : t.discard}
              </button>
            </li>
          ))}
        </ul>
      )}

      <div className="actions">
        {allowed.has('record_contact') && (
          <button type="button" className="btn primary" data-testid="worker-contact" onClick={() => void engine.enqueue(view, 'record_contact', undefined).then(queued)}>
            {t.recordContact}
          </button>
        )}
        {allowed.has('reply') && (
          <div className="action-block">
            <h2>{t.reply}</h2>
            <NoteForm
              userId={userId}
              view={view}
              action="reply"
              label={t.replyNote}
              placeholder={t.replyNotePlaceholder}
              submitLabel={t.submitReply}
              testid="worker-reply"
              photos={snap.photosSupported === true}
              onQueued={queued}
            />
            {snap.photosSupported === false && <p className="hint">{t.photosUnavailable}</p>}
          </div>
        )}
        {allowed.has('escalate') && (
          <div className="action-block">
            <button type="button" className="btn" data-testid="worker-escalate" onClick={() => setOpen(open === 'escalate' ? null : 'escalate')}>
              {t.escalate}
            </button>
            {open === 'escalate' && (
              <NoteForm userId={userId} view={view} action="escalate" label={t.escalateNote} submitLabel={t.submitEscalate} testid="worker-escalate" onQueued={queued} />
            )}
          </div>
        )}
        {allowed.has('request_extension') && (
          <div className="action-block">
            <button type="button" className="btn" data-testid="worker-extension" onClick={() => setOpen(open === 'request_extension' ? null : 'request_extension')}>
              {t.requestExtension}
            </button>
            {open === 'request_extension' && (
              <NoteForm userId={userId} view={view} action="request_extension" label={t.extensionNote} submitLabel={t.submitExtension} testid="worker-extension" onQueued={queued} />
            )}
          </div>
        )}
      </div>

      {detail && detail.events.length > 0 && (
        <div className="card history">
          <h2>{t.history}</h2>
          <ol>
            {detail.events.map((event) => (
              <li key={event.id}>
                <time>{new Date(event.at).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</time> <strong>{t.status[event.toStatus] ?? event.toStatus}</strong>
                {event.actor && <span> · {event.actor}</span>}
                {event.note && <p>{event.note}</p>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
