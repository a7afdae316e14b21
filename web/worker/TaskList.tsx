// 我的任务: the cases to act on, most urgent deadline first (the server's order), readable offline.
import { viewOf, type SyncSnapshot } from './sync.ts';
import { format, useT } from './i18n.ts';
import { CallButton, ColorBadge, Deadline } from './ui.tsx';

export function TaskList({ snap, open, onRefresh, onMessage }: { snap: SyncSnapshot; open: (id: number) => void; onRefresh: () => void; onMessage: (m: string) => void }) {
  const { t, lang } = useT();
  const tasks = snap.tasks;
  const views = (tasks?.items ?? []).map((task) => viewOf(task, snap.outbox, tasks?.applied[task.id]));
  return (
    <section className="list">
      <div className="list-head">
        <h1>
          {t.myTasks}
          {tasks && <span className="count" data-testid="worker-task-total">{tasks.total}</span>}
        </h1>
        <button type="button" className="btn ghost" data-testid="worker-refresh" onClick={onRefresh} disabled={!snap.online || snap.syncing}>
          {t.refresh}
        </button>
      </div>
      {tasks && !snap.online && (
        <p className="note" data-testid="worker-cached-at">
          {format(t.cachedAt, { t: new Date(tasks.fetchedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') })}
        </p>
      )}
      {tasks && views.length === 0 && (
        <p className="empty" data-testid="worker-empty">
          {t.noTasks}
        </p>
      )}
      <ul className="tasks">
        {views.map((view) => {
          const { task } = view;
          return (
            <li
              key={task.id}
              className={`task color-edge-${task.triageColor}`}
              data-testid="worker-task"
              data-case-id={task.id}
              data-status={view.status}
              role="link"
              tabIndex={0}
              onClick={() => open(task.id)}
              onKeyDown={(event) => event.key === 'Enter' && open(task.id)}
            >
              <div className="task-top">
                <ColorBadge color={task.triageColor} />
                <span className="task-title">{task.title}</span>
                {task.overdue && (
                  <span className="badge overdue" data-testid="worker-task-overdue">
                    {t.overdue}
                  </span>
                )}
              </div>
              <div className="task-meta">
                <span>{task.number}</span>
                <span className="status">{t.status[view.status] ?? view.status}</span>
                {view.pending.length > 0 && <span className="badge pending">{format(t.pending, { n: view.pending.length })}</span>}
                {view.problems.some((p) => p.state === 'conflict') && <span className="badge problem">!</span>}
              </div>
              <div className="task-place">{[task.gridName, task.buildingName, task.address].filter(Boolean).join(' · ')}</div>
              <div className="task-bottom">
                <Deadline task={task} />
                <CallButton task={task} onMessage={onMessage} />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
