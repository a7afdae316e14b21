import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import {
  countDepartmentSummonses,
  countStreetCases,
  listDepartmentSummonses,
  listStreetCases,
  streetLists,
  summonsStates,
} from './case-inbox.service.ts';

const paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
};
const DepartmentQuery = Type.Object({ state: Type.Optional(Type.Union(summonsStates.map((s) => Type.Literal(s)))), ...paging }, { additionalProperties: false });
const StreetQuery = Type.Object({ list: Type.Optional(Type.Union(streetLists.map((l) => Type.Literal(l)))), ...paging }, { additionalProperties: false });

/** Street and department work lists (街道吹哨、部门报到): read-only views over cases and summonses. */
export function caseInboxRoutes(app: App, context: AppContext) {
  const tags = ['cases'];
  app.get(
    '/api/v1/department/summonses',
    { schema: { tags, querystring: DepartmentQuery, summary: "The department's summonses: to report in (报到), to reply, done" } },
    async (request) => {
      const { state = 'to_report_in', page = 1, pageSize = 20 } = request.query;
      return listDepartmentSummonses(context, await authenticate(context, request), { state, page, pageSize });
    },
  );
  app.get('/api/v1/department/summonses/counts', { schema: { tags, summary: 'Badge counts per summons state' } }, async (request) =>
    countDepartmentSummonses(context, await authenticate(context, request)),
  );
  app.get(
    '/api/v1/street/cases',
    { schema: { tags, querystring: StreetQuery, summary: 'Street work lists: escalated, summoned, overdue, extension requests' } },
    async (request) => {
      const { list = 'escalated', page = 1, pageSize = 20 } = request.query;
      return listStreetCases(context, await authenticate(context, request), { list, page, pageSize });
    },
  );
  app.get('/api/v1/street/cases/counts', { schema: { tags, summary: 'Badge counts per street list' } }, async (request) =>
    countStreetCases(context, await authenticate(context, request)),
  );
}
