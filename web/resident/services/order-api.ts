// The public service-order endpoints (errors as the shared resident ApiError).
import { publicCall } from '../api.ts';

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

const enc = encodeURIComponent;

export const orderApi = {
  catalogue: (code: string) => publicCall<Catalogue>('GET', `/api/v1/public/places/${enc(code)}/services`),
  order: (body: OrderBody, key: string) => publicCall<{ number: string; trackingToken: string }>('POST', '/api/v1/public/service-orders', body, key),
  view: (token: string) => publicCall<OrderView>('GET', `/api/v1/public/service-orders/${enc(token)}`),
  confirm: (token: string, body: { rating: number; comment?: string }, key: string) => publicCall<OrderView>('POST', `/api/v1/public/service-orders/${enc(token)}/confirm`, body, key),
  cancel: (token: string, key: string) => publicCall<OrderView>('POST', `/api/v1/public/service-orders/${enc(token)}/cancel`, {}, key),
};
