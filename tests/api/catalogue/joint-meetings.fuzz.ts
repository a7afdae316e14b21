import type { FuzzRoute } from './types.ts';

/**
 * Joint meetings. Valid bodies point at records the fuzz city does not have (ids far above its
 * sequences) or at side B, outside the dispatcher's reach, so nothing is ever written.
 */
const missing = 999_999_999;
const listQuery = { q: '联席', regionId: '1', status: 'held', from: '2026-01-01', to: '2026-12-31', page: '1', pageSize: '10' };

export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/alliances', query: { q: '联盟', regionId: '1', from: '2026-01-01', to: '2026-12-31', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/alliances/export.xlsx', query: { q: '联盟', regionId: '1' } },
  { method: 'POST', path: '/api/v1/alliances', body: (c) => ({ regionId: c.b.community.id, name: '区域化党建联盟', description: '共驻共建' }) },
  { method: 'GET', path: '/api/v1/alliances/:id', id: () => missing },
  { method: 'POST', path: '/api/v1/alliances/:id/members', id: () => missing, body: (c) => ({ unitId: c.a.residentUnit.id, roleLabel: '成员单位' }) },
  { method: 'GET', path: '/api/v1/joint-meetings', query: { ...listQuery, allianceId: '1' } },
  { method: 'GET', path: '/api/v1/joint-meetings/export.xlsx', query: { q: '联席', status: 'held', allianceId: '1' } },
  { method: 'POST', path: '/api/v1/joint-meetings', body: () => ({ allianceId: missing, title: '联席会议', heldAt: '2026-03-10T02:00:00Z', location: '党群服务中心', agenda: '议程', memberIds: [1] }) },
  { method: 'GET', path: '/api/v1/joint-meetings/:id', id: () => missing },
  { method: 'PATCH', path: '/api/v1/joint-meetings/:id', id: () => missing, body: () => ({ minutes: '纪要' }) },
  { method: 'POST', path: '/api/v1/joint-meetings/:id/hold', id: () => missing, body: () => ({ minutes: '纪要', attendedIds: [1] }) },
  { method: 'POST', path: '/api/v1/joint-meetings/:id/cancel', id: () => missing, body: () => ({ reason: '改期' }) },
  { method: 'POST', path: '/api/v1/joint-meetings/:id/items', id: () => missing, body: (c) => ({ title: '共享停车位', description: '说明', leadUnitId: c.a.residentUnit.id, dueOn: '2026-12-31' }) },
  { method: 'GET', path: '/api/v1/co-building-items', query: { ...listQuery, status: 'done', meetingId: '1', leadUnitId: '1', overdue: 'true' } },
  { method: 'GET', path: '/api/v1/co-building-items/export.xlsx', query: { status: 'done', meetingId: '1', overdue: 'false' } },
  { method: 'GET', path: '/api/v1/co-building-items/summary', query: { regionId: '1' } },
  { method: 'GET', path: '/api/v1/co-building-items/:id', id: () => missing },
  { method: 'POST', path: '/api/v1/co-building-items/:id/actions', id: () => missing, body: () => ({ action: 'report_progress', note: '进展', expectedVersion: 1 }) },
];

export const tables = ['party_alliances', 'alliance_members', 'joint_meetings', 'joint_meeting_attendees', 'co_building_items'];
