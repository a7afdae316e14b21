// The public micro-wish endpoints (errors as ApiError from the shared resident client's shape).
import { publicCall } from '../api.ts';

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

const enc = encodeURIComponent;
export const wishApi = {
  wall: (code: string, page = 1) => publicCall<Wall>('GET', `/api/v1/public/places/${enc(code)}/wishes?page=${page}&pageSize=30`),
  post: (code: string, body: WishBody, key: string) => publicCall<{ number: string; trackingToken: string }>('POST', `/api/v1/public/places/${enc(code)}/wishes`, body, key),
  view: (token: string) => publicCall<WishView>('GET', `/api/v1/public/wishes/${enc(token)}`),
  confirm: (token: string, thanksNote: string, key: string) => publicCall<WishView>('POST', `/api/v1/public/wishes/${enc(token)}/confirm`, thanksNote ? { thanksNote } : {}, key),
  withdraw: (token: string, key: string) => publicCall<WishView>('POST', `/api/v1/public/wishes/${enc(token)}/withdraw`, {}, key),
};
