import type { FuzzRoute } from './types.ts';

/**
 * 双报到 routes. Valid bodies point at side B (outside the fuzzing dispatcher) or at records that refuse them
 * (an end date before the registration began), so no request of the fuzz can change data.
 */
const base = '/api/v1/dual-reporting';
const list = { q: '岗', regionId: '1', status: 'open', from: '2024-01-01', to: '2030-01-01', page: '1', pageSize: '10' };
const { page: _p, pageSize: _s, ...exportList } = list;
const ledger = { ...list, year: '2026', quarter: '4', kind: 'member' };
const { page: _lp, pageSize: _ls, ...exportLedger } = ledger;

export const routes: FuzzRoute[] = [
  { method: 'GET', path: `${base}/registrations`, query: { ...list, kind: 'member' } },
  { method: 'GET', path: `${base}/registrations/export.xlsx`, query: { ...exportList, kind: 'organization' } },
  { method: 'POST', path: `${base}/registrations`, body: (c) => ({ communityId: c.b.community.id, kind: 'member', partyMemberId: c.b.partyMember.id, basis: 'residence' }) },
  { method: 'POST', path: `${base}/registrations/:id/end`, body: () => ({ endedOn: '2000-01-01' }) },
  { method: 'GET', path: `${base}/registrations/:id/entries`, query: { year: '2026', quarter: '4' } },
  { method: 'GET', path: `${base}/posts`, query: { ...list, category: '文明实践' } },
  { method: 'GET', path: `${base}/posts/export.xlsx`, query: { ...exportList, category: '文明实践' } },
  { method: 'POST', path: `${base}/posts`, body: (c) => ({ communityId: c.b.community.id, title: '楼道文明劝导岗', description: '巡查', category: '文明实践', slots: 2, startsOn: '2026-01-01', endsOn: '2026-12-31' }) },
  { method: 'GET', path: `${base}/posts/:id` },
  { method: 'POST', path: `${base}/posts/:id/close` },
  { method: 'POST', path: `${base}/posts/:id/reopen` },
  { method: 'POST', path: `${base}/posts/:id/claims`, body: (c) => ({ unitId: c.b.residentUnit.id }) },
  { method: 'GET', path: `${base}/claims`, query: { ...list, status: 'claimed', postId: '1', mine: 'true' } },
  { method: 'GET', path: `${base}/claims/export.xlsx`, query: { ...exportList, status: 'claimed', postId: '1', mine: 'false' } },
  { method: 'POST', path: `${base}/claims/:id/withdraw` },
  { method: 'POST', path: `${base}/claims/:id/hours`, body: () => ({ servedOn: '2026-01-05', hours: 2.5, description: '巡查' }) },
  { method: 'GET', path: `${base}/hours`, query: { ...list, status: 'post', partyMemberId: '1', unitId: '1', postId: '1' } },
  { method: 'GET', path: `${base}/hours/export.xlsx`, query: { ...exportList, status: 'post', partyMemberId: '1', unitId: '1', postId: '1' } },
  { method: 'PATCH', path: `${base}/hours/:id`, body: () => ({ servedOn: '2026-01-05', hours: 2, description: '更正', reason: '补记' }) },
  { method: 'GET', path: `${base}/ledger`, query: ledger },
  { method: 'GET', path: `${base}/ledger.xlsx`, query: exportLedger },
  { method: 'GET', path: `${base}/reminders`, query: { q: '赵', regionId: '1', page: '1', pageSize: '10' } },
  { method: 'POST', path: `${base}/reminders`, body: (c) => ({ regionId: c.b.community.id }) },
];

export const tables = ['dual_registrations', 'community_posts', 'post_claims', 'service_hours'];
