// The service-order module's calls from the console (through the one JSON client).
import { apiRequest, qs, type Paged } from '../../api.ts';

export type OrderStatus = 'ordered' | 'dispatched' | 'accepted' | 'completed' | 'confirmed' | 'cancelled' | 'declined';
export type OrderAction = 'dispatch' | 'redispatch' | 'accept' | 'decline' | 'complete' | 'cancel';
export const ORDER_STATUSES: OrderStatus[] = ['ordered', 'dispatched', 'accepted', 'completed', 'confirmed', 'cancelled'];
export const statusColor: Record<string, string> = { ordered: 'orange', dispatched: 'blue', accepted: 'geekblue', completed: 'cyan', confirmed: 'green', cancelled: 'default', declined: 'default' };

export interface OrderItem {
  id: number;
  number: string;
  status: OrderStatus;
  offeringName: string;
  categoryId: number;
  categoryName: string;
  communityName: string;
  residentName: string;
  residentPhone: string;
  address: string | null;
  preferredTime: string | null;
  assignee: { kind: 'party_member' | 'volunteer'; id: number; name: string | null } | null;
  rating: number | null;
  createdAt: string;
  version: number;
  allowedActions?: OrderAction[];
}

export interface OrderDetail extends OrderItem {
  description: string;
  completionNote: string | null;
  ratingComment: string | null;
  timeline: Array<{ id: number; action: string; fromStatus: string | null; toStatus: string | null; actorLabel: string; note: string | null; at: string }>;
  allowedActions: OrderAction[];
  canReveal: boolean;
}

export interface Candidate {
  kind: 'party_member' | 'volunteer';
  id: number;
  name: string;
  skills: string | null;
  openOrders: number;
  hasAccount: boolean;
}

export interface Category {
  id: number;
  code: string;
  name: string;
  active: boolean;
}

export interface Offering {
  id: number;
  categoryId: number;
  categoryName: string;
  regionNodeId: number;
  regionName: string;
  name: string;
  description: string;
  hours: string | null;
  active: boolean;
  createdAt: string;
}

type Query = Record<string, string | number | boolean | undefined>;

export const serviceApi = {
  categories: () => apiRequest<{ items: Category[] }>('GET', '/service-categories').then((r) => r.items),
  orders: (query: Query) => apiRequest<Paged<OrderItem>>('GET', '/service-orders', { query }),
  ordersExportUrl: (query: Query) => `/api/v1/service-orders/export.xlsx${qs(query)}`,
  myOrders: (query: Query) => apiRequest<Paged<OrderItem>>('GET', '/my/service-orders', { query }),
  order: (id: number) => apiRequest<OrderDetail>('GET', `/service-orders/${id}`),
  candidates: (id: number) => apiRequest<{ items: Candidate[] }>('GET', `/service-orders/${id}/candidates`).then((r) => r.items),
  act: (id: number, body: Record<string, unknown>) => apiRequest<OrderDetail>('POST', `/service-orders/${id}/actions`, { body }),
  reveal: (id: number) => apiRequest<{ residentName: string; residentPhone: string; address: string | null }>('POST', `/service-orders/${id}/reveal`, { body: {} }),
  offerings: (query: Query) => apiRequest<Paged<Offering>>('GET', '/service-offerings', { query }),
  offeringsExportUrl: (query: Query) => `/api/v1/service-offerings/export.xlsx${qs(query)}`,
  createOffering: (body: Record<string, unknown>) => apiRequest<Offering>('POST', '/service-offerings', { body }),
  updateOffering: (id: number, body: Record<string, unknown>) => apiRequest<Offering>('PATCH', `/service-offerings/${id}`, { body }),
};
