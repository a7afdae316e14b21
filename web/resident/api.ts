// The few public endpoints the resident pages use. Errors carry the server's `{ error: { code, message } }`.

export interface Place {
  cityCode: string;
  cityName: string;
  level: 'building' | 'grid';
  placeName: string;
  address: string | null;
  gridName: string | null;
  communityName: string | null;
  lng: number | null;
  lat: number | null;
}

export interface Category {
  code: string;
  name: string;
}

export interface ReportBody {
  placeCode: string;
  cityCode: string;
  categoryCode: string;
  description: string;
  lng?: number;
  lat?: number;
  crs?: 'wgs84';
  reporterName?: string;
  reporterPhone?: string;
  consent?: boolean;
  photoTokens?: string[];
}

export interface Created {
  number: string;
  trackingToken: string;
}

export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'dissatisfied';

export interface CaseView {
  number: string;
  status: string;
  title: string;
  categoryName: string | null;
  createdAt: string;
  progress: Array<{ action: string; status: string; at: string; photos?: Array<{ url: string }>; note?: string }>;
  rating: { resolved: boolean; satisfaction: Satisfaction } | null;
  canRate: boolean;
  canReopen: boolean;
}

export interface UploadedPhoto {
  token: string;
  url: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** status 0: the request never got an answer (offline, timeout). */
const offline = () => new ApiError(0, 'network', '');

function errorFrom(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error) return new ApiError(status, body.error.code ?? 'error', body.error.message ?? '');
  } catch {
    // not JSON (a proxy's error page)
  }
  return new ApiError(status, 'error', `HTTP ${status}`);
}

export const newKey = () =>
  typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

/** One JSON call of the resident pages (no cookies; the standard error body becomes an ApiError). */
export async function publicCall<T>(method: 'GET' | 'POST', url: string, body?: unknown, idempotencyKey?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw offline();
  }
  const text = await response.text();
  if (!response.ok) throw errorFrom(response.status, text);
  return JSON.parse(text) as T;
}

const enc = encodeURIComponent;

export const api = {
  place: (code: string) => publicCall<Place>('GET', `/api/v1/public/places/${enc(code)}`),
  categories: (cityCode: string) => publicCall<{ items: Category[] }>('GET', `/api/v1/public/cities/${enc(cityCode)}/case-categories`).then((r) => r.items),
  report: (body: ReportBody, key: string) => publicCall<Created>('POST', '/api/v1/public/cases', body, key),
  track: (token: string) => publicCall<CaseView>('GET', `/api/v1/public/cases/${enc(token)}`),
  rate: (token: string, body: { resolved: boolean; satisfaction: Satisfaction; comment?: string }, key: string) =>
    publicCall<CaseView>('POST', `/api/v1/public/cases/${enc(token)}/rating`, body, key),
  reopen: (token: string, key: string) => publicCall<CaseView>('POST', `/api/v1/public/cases/${enc(token)}/reopen`, {}, key),
};

/** Uploads one photo with progress (fetch cannot report upload progress); abort() cancels it. */
export function uploadPhoto(file: Blob, key: string, onProgress: (percent: number) => void): { done: Promise<UploadedPhoto>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadedPhoto>((resolve, reject) => {
    xhr.open('POST', '/api/v1/public/photos');
    xhr.setRequestHeader('Idempotency-Key', key);
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((event.loaded / event.total) * 100));
    xhr.onload = () => (xhr.status === 201 ? resolve(JSON.parse(xhr.responseText) as UploadedPhoto) : reject(errorFrom(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(offline());
    xhr.onabort = () => reject(new ApiError(0, 'aborted', ''));
    const form = new FormData();
    form.append('file', file, 'photo.jpg');
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

/**
 * Large or unusual pictures are shrunk in the browser first (upright, ≤ 2048 px, JPEG): less to send on a
 * phone network, and HEIC/WebP the browser can read become a JPEG the server accepts. Small JPEG/PNG go as they are.
 */
export async function preparePhoto(file: File): Promise<Blob> {
  const plain = file.type === 'image/jpeg' || file.type === 'image/png';
  if (plain && file.size <= 3 * 1024 * 1024) return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, 2048 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob ?? file;
  } catch {
    return file; // the server decides
  }
}
