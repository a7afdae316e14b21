import type { FuzzRoute } from './types.ts';

/**
 * Bodies name side B's places: the fuzz's dispatcher (side A) is refused them, so no variant of a valid
 * body can write anything.
 */
export const routes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v1/grid-work/visits', query: { q: '走访', regionId: '1', status: 'found', from: '2026-01-01', to: '2026-12-31', mine: 'true', purpose: 'care', careSubjectId: '1', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/grid-work/visits/export.xlsx', query: { q: '走访', from: '2026-01-01', to: '2026-12-31', mine: 'true', purpose: 'care' } },
  {
    method: 'POST',
    path: '/api/v1/grid-work/visits',
    body: (c) => ({
      householdId: c.b.household.id,
      visitedAt: '2026-01-05T02:00:00Z',
      purpose: 'routine',
      collected: { populationChange: { kind: 'none' }, needs: ['修路灯'], hazards: [{ kind: 'fire', description: '杂物' }], notes: '好' },
      notes: '走访',
      careSubjectId: 1,
      raiseNeed: { title: '修路灯', description: '路灯不亮', category: 'facility' },
    }),
  },
  { method: 'GET', path: '/api/v1/grid-work/visits/:id', id: () => 1 },
  { method: 'GET', path: '/api/v1/grid-work/disputes', query: { q: '纠纷', regionId: '1', status: 'found', category: 'neighbour', from: '2026-01-01', to: '2026-12-31', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/grid-work/disputes/export.xlsx', query: { q: '纠纷', status: 'found', category: 'neighbour' } },
  { method: 'GET', path: '/api/v1/grid-work/disputes/counts', query: { regionId: '1', from: '2026-01-01', to: '2026-12-31' } },
  { method: 'POST', path: '/api/v1/grid-work/disputes', body: (c) => ({ gridId: c.b.grid.id, title: '漏水纠纷', description: '楼上漏水', category: 'neighbour', parties: '张三、李四', foundAt: '2026-01-05T02:00:00Z' }) },
  { method: 'GET', path: '/api/v1/grid-work/disputes/:id', id: () => 1 },
  { method: 'POST', path: '/api/v1/grid-work/disputes/:id/actions', id: () => 1, body: () => ({ action: 'resolve', version: 1, mediator: '王五', result: '和解', note: '好', categoryCode: 'neighbour_dispute' }) },
  { method: 'GET', path: '/api/v1/grid-work/care-subjects', query: { q: '张', regionId: '1', careGroup: 'disabled', overdue: 'true', includeRemoved: 'true', page: '1', pageSize: '10' } },
  { method: 'GET', path: '/api/v1/grid-work/care-subjects/export.xlsx', query: { q: '张', careGroup: 'disabled', overdue: 'true' } },
  { method: 'POST', path: '/api/v1/grid-work/care-subjects', body: (c) => ({ residentId: c.b.resident.id, careGroup: 'disabled', visitEveryDays: 7, responsibleUserId: c.users.grid_worker.id }) },
  { method: 'POST', path: '/api/v1/grid-work/care-subjects/from-tags', body: (c) => ({ regionId: c.b.community.id, visitEveryDays: 7 }) },
  { method: 'PATCH', path: '/api/v1/grid-work/care-subjects/:id', id: () => 1, body: () => ({ visitEveryDays: 14, responsibleUserId: null, active: true }) },
];

export const tables = ['home_visits', 'disputes', 'care_subjects', 'community_list_items'];
