// The public micro-wish endpoints (errors as ApiError from the shared resident client's shape).
import { ApiError } from '../api.ts';

export interface WallItem {
  number: string;
  title: string;
  description: string;
  wisherKind: string;
  wisherName: string;
  status: 'posted' | 'claimed' | 'fulfilled' | 'confirmed' | 'withdrawn';
  photoUrl: string | null;
  claimedBy: { kind: 'unit' | 'party_member'; label: string } | null;
  createdAt: string;
}

export interface Wall {
  communityName: string;
  items: WallItem[];
  page: number;
  pageSize: number;
  total: number;
}

export interface WishView extends WallItem {
  communityName: string;
  fulfilmentNote: string | null;
  fulfilmentPhotoUrl: string | null;
  thanksNote: string | null;
  timeline: Array<{ action: string; actorLabel: string; note: string | null; at: string }>;
  canConfirm: boolean;
  canWithdraw: boolean;
}

export interface WishBody {
  title: string;
  description?: string;
  wisherKind: string;
  wisherName: string;
  wisherPhone?: string;
  consent?: boolean;
  photoToken?: string;
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
export const wishApi = {
  wall: (code: string, page = 1) => call<Wall>('GET', `/api/v1/public/places/${enc(code)}/wishes?page=${page}&pageSize=30`),
  post: (code: string, body: WishBody, key: string) => call<{ number: string; trackingToken: string }>('POST', `/api/v1/public/places/${enc(code)}/wishes`, body, key),
  view: (token: string) => call<WishView>('GET', `/api/v1/public/wishes/${enc(token)}`),
  confirm: (token: string, thanksNote: string, key: string) => call<WishView>('POST', `/api/v1/public/wishes/${enc(token)}/confirm`, thanksNote ? { thanksNote } : {}, key),
  withdraw: (token: string, key: string) => call<WishView>('POST', `/api/v1/public/wishes/${enc(token)}/withdraw`, {}, key),
};
