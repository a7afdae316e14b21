// The outbox and the task list, kept on the phone and synced with the server when there is a network.
// Every action is queued first (with its Idempotency-Key and the case version it was based on), applied
// optimistically, and sent in order: a 2xx (or a replay of one) removes it; a version conflict or a
// transition the case no longer allows marks it as a conflict; another 4xx marks it failed; a network
// error, a 5xx or a 429 leaves it queued for the next try.
import { api, ApiError, NetworkError, newKey, type Task, type WorkerAction } from './api.ts';
import { draftKey, kv, outboxStore, tasksKey, type OutboxItem } from './store.ts';

export interface TaskCache {
  items: Task[];
  total: number;
  fetchedAt: string;
  /** Actions synced since the list was fetched, per case: the plan keys start from the fetched state. */
  applied: Record<number, WorkerAction[]>;
}

export interface SyncSnapshot {
  userId: number | null;
  outbox: OutboxItem[];
  tasks: TaskCache | null;
  online: boolean;
  syncing: boolean;
  /** The server answered 401 while syncing: the queue waits for a new login. */
  authRequired: boolean;
  /** Whether the server offers photo upload (POST /api/v1/photos); null until known. */
  photosSupported: boolean | null;
}

/** How one queued action is shown: its predicted status and the buttons still allowed after the queue. */
export interface TaskView {
  task: Task;
  status: string;
  holderLevel: string;
  actions: WorkerAction[];
  pending: OutboxItem[];
  problems: OutboxItem[];
  /** The version the next queued action is based on. */
  nextVersion: number;
}

export function viewOf(task: Task, outbox: OutboxItem[], applied: WorkerAction[] = []): TaskView {
  const mine = outbox.filter((item) => item.caseId === task.id);
  const pending = mine.filter((item) => item.state === 'pending');
  const problems = mine.filter((item) => item.state !== 'pending');
  // While a conflict waits, show the last state the server confirmed rather than a guess past it.
  const chain = [...applied, ...(problems.length ? [] : mine.map((item) => item.action))];
  const step = chain.length ? task.plan[chain.join('>')] : undefined;
  const status = step?.status ?? task.status;
  const holderLevel = step?.holderLevel ?? task.holderLevel;
  // Until a conflict or failure is resolved, or past what the server planned for, offer nothing more.
  const actions = problems.length ? [] : chain.length ? (step?.actions ?? []) : task.actions;
  return { task, status, holderLevel, actions, pending, problems, nextVersion: task.version + pending.length };
}

const RETRY_DELAYS_MS = [2_000, 5_000, 10_000, 30_000, 60_000];
const PERIODIC_MS = 30_000;
const MAX_PHOTOS = 6;
const MAX_PHOTO_EDGE = 1600;

/** Phone photos are large: send at most 1600 px on the long edge as JPEG (the server re-encodes anyway). */
async function shrink(file: File): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 1_500_000 && (file.type === 'image/jpeg' || file.type === 'image/png')) return file;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob ?? file;
  } catch {
    return file;
  }
}

type Outcome = 'done' | 'blocked' | 'network' | 'transient' | 'auth';

export class SyncEngine {
  private snapshot: SyncSnapshot = { userId: null, outbox: [], tasks: null, online: navigator.onLine, syncing: false, authRequired: false, photosSupported: null };
  private listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private periodic: ReturnType<typeof setInterval> | null = null;
  private failures = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private refreshWanted = false;

  constructor() {
    window.addEventListener('online', () => {
      this.set({ online: true });
      this.failures = 0;
      this.kick();
    });
    window.addEventListener('offline', () => this.set({ online: false }));
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private set(changes: Partial<SyncSnapshot>) {
    this.snapshot = { ...this.snapshot, ...changes };
    for (const listener of this.listeners) listener();
  }

  /** Loads this user's queue and cached list from the phone, then syncs when possible. */
  async start(userId: number) {
    const [outbox, tasks, photosSupported] = await Promise.all([outboxStore.all(), kv.get<TaskCache>(tasksKey(userId)), kv.get<boolean>('photos-supported')]);
    this.set({ userId, outbox: outbox.filter((item) => item.userId === userId), tasks: tasks ?? null, authRequired: false, photosSupported: photosSupported ?? null });
    if (this.periodic === null) this.periodic = setInterval(() => this.kick(), PERIODIC_MS);
    void this.checkPhotoSupport();
    this.kick(0, true);
  }

  stop() {
    if (this.periodic !== null) clearInterval(this.periodic);
    if (this.timer !== null) clearTimeout(this.timer);
    this.periodic = this.timer = null;
    this.set({ userId: null, outbox: [], tasks: null, authRequired: false });
  }

  /** Queues one action on a case (with up to six photos), applies it optimistically, and tries to send it. */
  async enqueue(view: TaskView, action: WorkerAction, note: string | undefined, files: File[] = []) {
    const userId = this.snapshot.userId;
    if (userId === null) throw new Error('not logged in');
    const photos = await Promise.all(
      files.slice(0, MAX_PHOTOS).map(async (file, i) => ({ blob: await shrink(file), name: file.name || `photo-${i + 1}.jpg`, key: newKey() })),
    );
    const item: OutboxItem = {
      userId,
      key: newKey(),
      caseId: view.task.id,
      caseNumber: view.task.number,
      action,
      ...(note?.trim() ? { note: note.trim() } : {}),
      baseVersion: view.nextVersion,
      photos,
      state: 'pending',
      attempts: 0,
      createdAt: new Date().toISOString(),
    };
    item.seq = await outboxStore.add(item);
    this.set({ outbox: [...this.snapshot.outbox, item] });
    this.kick();
  }

  /** Drops every queued action of a case (after a conflict) and puts their notes back into the drafts. */
  async discardCase(caseId: number): Promise<boolean> {
    const userId = this.snapshot.userId;
    const items = this.snapshot.outbox.filter((item) => item.caseId === caseId);
    let restored = false;
    for (const item of items) {
      if (userId !== null && item.note && (item.action === 'reply' || item.action === 'escalate' || item.action === 'request_extension')) {
        await kv.set(draftKey(userId, caseId, item.action), item.note);
        restored = true;
      }
      await outboxStore.delete(item.seq!);
    }
    this.set({ outbox: this.snapshot.outbox.filter((item) => item.caseId !== caseId) });
    this.kick(0, true);
    return restored;
  }

  /** Tries to sync soon; `refresh` also reloads the task list afterwards. */
  kick(delayMs = 0, refresh = false) {
    if (refresh) this.refreshWanted = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
  }

  /** One sync at a time in this tab (and across tabs where Web Locks exist); a kick during a run runs again after it. */
  private run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const work = async () => {
      const locks = (navigator as Navigator & { locks?: LockManager }).locks;
      if (locks) await locks.request('cg-worker-sync', () => this.syncOnce());
      else await this.syncOnce();
    };
    this.running = work()
      .catch((error) => console.error('sync failed', error))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
    return this.running;
  }

  private scheduleRetry() {
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)];
    this.failures++;
    this.kick(delay);
  }

  private async syncOnce() {
    const userId = this.snapshot.userId;
    if (userId === null || this.snapshot.authRequired) return;
    if (!navigator.onLine) return;
    this.set({ syncing: true });
    try {
      // Another tab may have sent or queued items: the phone's copy is the truth.
      const outbox = (await outboxStore.all()).filter((item) => item.userId === userId);
      this.set({ outbox });
      const blocked = new Set<number>();
      let sent = false;
      for (const item of outbox) {
        if (item.state !== 'pending') {
          blocked.add(item.caseId);
          continue;
        }
        // Later actions of a case wait behind its conflict: they were based on it.
        if (blocked.has(item.caseId)) continue;
        const outcome = await this.send(item);
        if (outcome === 'done') {
          sent = true;
          continue;
        }
        if (outcome === 'blocked') {
          blocked.add(item.caseId);
          continue;
        }
        if (outcome === 'auth') this.set({ authRequired: true });
        else this.scheduleRetry();
        return;
      }
      this.failures = 0;
      if (sent || this.refreshWanted || !this.snapshot.tasks) {
        this.refreshWanted = false;
        await this.fetchTasks();
      }
    } finally {
      this.set({ syncing: false });
    }
  }

  private async send(item: OutboxItem): Promise<Outcome> {
    try {
      for (const photo of item.photos) {
        if (photo.token) continue;
        photo.token = (await api.uploadPhoto(photo.blob, photo.name, photo.key)).token;
        await outboxStore.put(item);
      }
      const body = {
        action: item.action,
        ...(item.note ? { note: item.note } : {}),
        ...(item.photos.length ? { attachments: item.photos.map((p) => p.token!) } : {}),
      };
      const response = await api.action(item.caseId, body, item.baseVersion, item.key);
      await outboxStore.delete(item.seq!);
      this.applyResult(item, response.body);
      return 'done';
    } catch (error) {
      if (error instanceof NetworkError) {
        item.attempts++;
        await outboxStore.put(item).catch(() => {});
        return 'network';
      }
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) return 'auth';
      if (error.status >= 500 || error.status === 429 || error.code === 'idempotency_in_progress') return 'transient';
      item.state = error.code === 'version_conflict' || error.code === 'invalid_transition' ? 'conflict' : 'failed';
      item.message = error.message;
      await outboxStore.put(item);
      this.set({ outbox: this.snapshot.outbox.map((o) => (o.seq === item.seq ? { ...item } : o)) });
      return 'blocked';
    }
  }

  private applyResult(item: OutboxItem, result: { status: string; holderLevel: string; version: number }) {
    const tasks = this.snapshot.tasks;
    const outbox = this.snapshot.outbox.filter((o) => o.seq !== item.seq);
    if (!tasks) return this.set({ outbox });
    const items = tasks.items.map((task) => (task.id === item.caseId ? { ...task, status: result.status, holderLevel: result.holderLevel, version: result.version } : task));
    const applied = { ...tasks.applied, [item.caseId]: [...(tasks.applied[item.caseId] ?? []), item.action] };
    const next = { ...tasks, items, applied };
    this.set({ outbox, tasks: next });
    void kv.set(tasksKey(item.userId), next);
  }

  /** Reloads the whole list (up to 500 tasks) and keeps it on the phone for offline reading. */
  async fetchTasks() {
    const userId = this.snapshot.userId;
    if (userId === null) return;
    try {
      const first = await api.tasks(1);
      const items = [...first.items];
      for (let page = 2; items.length < first.total && page <= 5; page++) items.push(...(await api.tasks(page)).items);
      const tasks: TaskCache = { items, total: first.total, fetchedAt: new Date().toISOString(), applied: {} };
      if (this.snapshot.userId !== userId) return;
      this.set({ tasks });
      await kv.set(tasksKey(userId), tasks);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.set({ authRequired: true });
      else if (!(error instanceof NetworkError)) throw error;
    }
  }

  /** Photos ride on the photo upload endpoint; until the server has it, the app hides the photo picker. */
  private async checkPhotoSupport() {
    if (!navigator.onLine) return;
    try {
      const response = await fetch('/api/openapi.json', { credentials: 'same-origin' });
      if (!response.ok) return;
      const document = (await response.json()) as { paths?: Record<string, unknown> };
      const supported = Boolean(document.paths?.['/api/v1/photos']);
      this.set({ photosSupported: supported });
      await kv.set('photos-supported', supported);
    } catch {
      // offline: keep what we knew
    }
  }

  /** After a new login: let the waiting queue go. */
  resume() {
    this.set({ authRequired: false });
    this.kick(0, true);
  }
}

export const engine = new SyncEngine();
