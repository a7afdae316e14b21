// The public service-order endpoints (errors as the shared resident ApiError).
import { ApiError } from '../api.ts';

export interface Catalogue {
  placeName: string;
  communityName: string;
  categories: Array<{ id: number; code: string; name: string; offerings: Array<{ id: number; name: string; description: string }> }>;
}

export interface OrderBody {
  placeCode: string;
  offeringId: number;
  name: string;
  phone: string;
  description?: string;
  preferredTime?: string;
}

export interface OrderView {
  number: string;
  status: string;
  offeringName: string;
  categoryName: string;
  communityName: string;
  residentName: string;
  residentPhone: string;
  description: string;
  preferredTime: string | null;
  createdAt: string;
  progress: Array<{ action: string; status: string | null; by: 'resident' | 'community' | 'server'; at: string; note: string | null }>;
  rating: number | null;
  ratingComment: string | null;
  canConfirm: boolean;
  canCancel: boolean;
}

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown, key?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(key ? { 'Idempotency-Key': key } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  const text = await response.text();
  if (!response.ok) {
    let error: { code?: string; message?: string } | undefined;
    try {
      error = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      error = undefined;
    }
    throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? `HTTP ${response.status}`);
  }
  return JSON.parse(text) as T;
}

const enc = encodeURIComponent;

export const orderApi = {
  catalogue: (code: string) => call<Catalogue>('GET', `/api/v1/public/places/${enc(code)}/services`),
  order: (body: OrderBody, key: string) => call<{ number: string; trackingToken: string }>('POST', '/api/v1/public/service-orders', body, key),
  view: (token: string) => call<OrderView>('GET', `/api/v1/public/service-orders/${enc(token)}`),
  confirm: (token: string, body: { rating: number; comment?: string }, key: string) => call<OrderView>('POST', `/api/v1/public/service-orders/${enc(token)}/confirm`, body, key),
  cancel: (token: string, key: string) => call<OrderView>('POST', `/api/v1/public/service-orders/${enc(token)}/cancel`, {}, key),
};
