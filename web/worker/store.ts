// IndexedDB on the phone: the outbox of queued actions (with their photo blobs), and a key-value store
// for the cached task list, drafts and who is logged in. Nothing unmasked is stored here.
import type { WorkerAction } from './api.ts';

const DB_NAME = 'cg-worker';
const DB_VERSION = 1;

export interface QueuedPhoto {
  blob: Blob;
  name: string;
  /** Idempotency-Key of this photo's upload, so a retried upload does not store it twice. */
  key: string;
  /** The server's token once uploaded (kept, so a retry sends the same body). */
  token?: string;
}

export interface OutboxItem {
  seq?: number;
  userId: number;
  /** Idempotency-Key of the action request: the same on every retry. */
  key: string;
  caseId: number;
  caseNumber: string;
  action: WorkerAction;
  note?: string;
  /** The case version this action was based on (sent as If-Match). */
  baseVersion: number;
  photos: QueuedPhoto[];
  state: 'pending' | 'conflict' | 'failed';
  message?: string;
  attempts: number;
  createdAt: string;
}

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  return (opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  }));
}

function run<T>(storeName: 'outbox' | 'kv', mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(storeName, mode);
        const request = work(tx.objectStore(storeName));
        // Resolve once the transaction is durable, not merely when the request succeeded.
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
      }),
  );
}

export const kv = {
  get: <T>(key: string) => run<T | undefined>('kv', 'readonly', (store) => store.get(key) as IDBRequest<T | undefined>),
  set: (key: string, value: unknown) => run('kv', 'readwrite', (store) => store.put(value, key)).then(() => undefined),
  delete: (key: string) => run('kv', 'readwrite', (store) => store.delete(key)).then(() => undefined),
  /** Deletes every key starting with `prefix` (e.g. one user's cached cases on logout). */
  deletePrefix: (prefix: string) => run('kv', 'readwrite', (store) => store.delete(IDBKeyRange.bound(prefix, `${prefix}\uffff`))).then(() => undefined),
};

export const outboxStore = {
  all: () => run<OutboxItem[]>('outbox', 'readonly', (store) => store.getAll() as IDBRequest<OutboxItem[]>).then((items) => items.sort((a, b) => a.seq! - b.seq!)),
  add: (item: OutboxItem) => run<IDBValidKey>('outbox', 'readwrite', (store) => store.add(item)).then((seq) => Number(seq)),
  put: (item: OutboxItem) => run('outbox', 'readwrite', (store) => store.put(item)).then(() => undefined),
  delete: (seq: number) => run('outbox', 'readwrite', (store) => store.delete(seq)).then(() => undefined),
};

export const draftKey = (userId: number, caseId: number, field: string) => `draft:${userId}:${caseId}:${field}`;
export const tasksKey = (userId: number) => `tasks:${userId}`;
export const detailPrefix = (userId: number) => `case:${userId}:`;
export const detailKey = (userId: number, caseId: number) => `${detailPrefix(userId)}${caseId}`;
