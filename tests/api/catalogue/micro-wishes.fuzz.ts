import type { FuzzRoute } from './types.ts';

const wish = { title: '想要一副老花镜', description: '看报纸看不清', wisherKind: 'elderly', wisherName: '王小明', wisherPhone: '13912345678' };
const listQuery = { q: '老花镜', regionId: '1', status: 'posted', kind: 'elderly', from: '2026-01-01', to: '2026-12-31', page: '1', pageSize: '10' };
const { page: _page, pageSize: _pageSize, ...exportQuery } = listQuery;
// No wish exists during the fuzz: every id and token below is unknown, so nothing can change.
const noWish = () => 1;

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/public/places/:code/wishes', query: { cityCode: '520300000000', status: 'posted', page: '1', pageSize: '10' } },
  { method: 'POST', path: '/api/v1/public/places/:code/wishes', body: () => ({ ...wish, consent: true }) },
  { method: 'GET', path: '/api/v1/public/wishes/:token' },
  { method: 'POST', path: '/api/v1/public/wishes/:token/confirm', body: () => ({ thanksNote: '谢谢' }) },
  { method: 'POST', path: '/api/v1/public/wishes/:token/withdraw' },
  { method: 'GET', path: '/api/v1/public/wish-photos/:token' },
  { method: 'GET', path: '/api/v1/micro-wishes', query: listQuery },
  { method: 'GET', path: '/api/v1/micro-wishes/export.xlsx', query: exportQuery },
  // Side B's building: outside the fuzzing dispatcher's area, so even a valid body is refused.
  { method: 'POST', path: '/api/v1/micro-wishes', body: (c) => ({ regionId: c.b.building.id, ...wish }) },
  { method: 'GET', path: '/api/v1/micro-wishes/:id', id: noWish },
  { method: 'POST', path: '/api/v1/micro-wishes/:id/claim', id: noWish, body: () => ({ as: 'unit' }) },
  { method: 'POST', path: '/api/v1/micro-wishes/:id/release', id: noWish, body: () => ({ note: '这周出差' }) },
  { method: 'POST', path: '/api/v1/micro-wishes/:id/fulfil', id: noWish, body: () => ({ note: '已送到', photoToken: 'AAAAAAAAAAAAAAAAAAAAAAAA' }) },
  { method: 'POST', path: '/api/v1/micro-wishes/:id/confirm', id: noWish, body: () => ({ thanksNote: '代老人致谢' }) },
  { method: 'POST', path: '/api/v1/micro-wishes/:id/withdraw', id: noWish, body: () => ({ note: '重复发布' }) },
  { method: 'POST', path: '/api/v1/micro-wishes/:id/reveal', id: noWish },
];

export const tables = ['micro_wishes'];
