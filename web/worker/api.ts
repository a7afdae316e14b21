// The few API calls the grid worker app makes. A failed fetch (no network, connection dropped) is a
// NetworkError, kept apart from answers the server gave, because only the former is worth retrying as is.

export type WorkerAction = 'record_contact' | 'reply' | 'escalate' | 'request_extension';

export interface PlanStep {
  status: string;
  holderLevel: string;
  actions: WorkerAction[];
}

/** One item of GET /api/v1/my/tasks (src/modules/tasks/tasks.service.ts). */
export interface Task {
  id: number;
  number: string;
  title: string;
  description: string;
  status: string;
  holderLevel: string;
  triageColor: string;
  categoryName: string | null;
  address: string | null;
  buildingName: string | null;
  gridName: string | null;
  deadline: string | null;
  deadlineKind: string | null;
  overdue: boolean;
  extensionPending: boolean;
  version: number;
  assigned: boolean;
  reporterPhone: string | null;
  canCall: boolean;
  abilities: { dispatch: boolean; handle: boolean; supervise: boolean; answerSummons: boolean };
  actions: WorkerAction[];
  /** What each chain of queued actions leads to, keyed `record_contact>reply`. */
  plan: Record<string, PlanStep>;
}

export interface TaskPage {
  items: Task[];
  page: number;
  pageSize: number;
  total: number;
}

export interface Me {
  id: number;
  username: string;
  displayName: string;
  cityName: string;
}

export interface CaseEvent {
  id: number;
  action: string;
  toStatus: string;
  actor: string | null;
  note: string | null;
  at: string;
}

export interface CaseDetail {
  id: number;
  description: string;
  version: number;
  status: string;
  events: CaseEvent[];
}

export class NetworkError extends Error {}

/** An answer from the server that is not 2xx. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

const TIMEOUT_MS = 20_000;

export async function request<T>(method: string, url: string, options: { json?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new NetworkError((error as Error).message || 'network error');
  }
  const text = await response.text().catch(() => {
    throw new NetworkError('the connection dropped while reading the answer');
  });
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_' + response.status, error?.message ?? (response.statusText || `HTTP ${response.status}`));
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export const api = {
  login: (username: string, password: string) => request<{ user: Me }>('POST', '/api/v1/auth/login', { json: { username, password } }).then((r) => r.body.user),
  me: () => request<Me>('GET', '/api/v1/auth/me').then((r) => r.body),
  logout: () => request<null>('POST', '/api/v1/auth/logout'),
  tasks: (page: number, pageSize = 100) => request<TaskPage>('GET', `/api/v1/my/tasks?page=${page}&pageSize=${pageSize}`).then((r) => r.body),
  call: (caseId: number) => request<{ phone: string }>('POST', `/api/v1/my/tasks/${caseId}/call`).then((r) => r.body.phone),
  caseDetail: (caseId: number) => request<CaseDetail>('GET', `/api/v1/cases/${caseId}`).then((r) => r.body),
  action: (caseId: number, body: unknown, version: number, idempotencyKey: string) =>
    request<{ id: number; status: string; holderLevel: string; version: number }>('POST', `/api/v1/cases/${caseId}/actions`, {
      json: body,
      headers: { 'If-Match': `"${version}"`, 'Idempotency-Key': idempotencyKey },
    }),
  uploadPhoto: (blob: Blob, name: string, idempotencyKey: string) => {
    const form = new FormData();
    form.append('file', blob, name);
    return request<{ token: string; url: string }>('POST', '/api/v1/photos', { form, headers: { 'Idempotency-Key': idempotencyKey } }).then((r) => r.body);
  },
};

/** A random v4 UUID, also on plain-HTTP origins where crypto.randomUUID is missing. */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
