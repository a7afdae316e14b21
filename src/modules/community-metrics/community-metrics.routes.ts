import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { sendLedger } from '../community/list-export.ts';
import { nodeRefOf } from '../metrics/metrics.routes.ts';
import { communityFigures, communityRankings, ledgerRows } from './community-metrics.service.ts';

const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'A month, YYYY-MM (Asia/Shanghai)' });
const NodeParam = Type.String({ maxLength: 40, description: "'region:<id>'; default: your own place" });
const Period = { node: Type.Optional(NodeParam), from: Month, to: Type.Optional(Month) };
const FigureQuery = Type.Object(Period, { additionalProperties: false });
const RankingQuery = Type.Object(
  {
    ...Period,
    level: Type.Union([Type.Literal('community'), Type.Literal('street')]),
    sort: Type.Optional(Type.String({ pattern: '^[a-zA-Z]{1,30}\\.[a-zA-Z]{1,40}$', description: "A figure, 'area.key', e.g. lists.deliveryRate" })),
  },
  { additionalProperties: false },
);

/** Command-centre figures of community services (docs/community/metrics.md). */
export function communityMetricRoutes(app: App, context: AppContext) {
  const tags = ['community-metrics'];
  app.get('/api/v1/community-metrics', { schema: { tags, querystring: FigureQuery, summary: 'Every community-service figure of a region node for a month or a range of months' } }, async (request) => {
    const q = request.query;
    return communityFigures(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to });
  });
  app.get('/api/v1/community-metrics/rankings', { schema: { tags, querystring: RankingQuery, summary: 'Communities or streets under a node ranked by one figure' } }, async (request) => {
    const q = request.query;
    return communityRankings(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to, level: q.level as 'community' | 'street', sort: q.sort });
  });
  app.get('/api/v1/community-metrics/export.xlsx', { schema: { tags, querystring: FigureQuery, summary: 'The figures of a node and the streets or communities under it, as Excel' } }, async (request, reply) => {
    const q = request.query;
    const ledger = await ledgerRows(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to });
    const period = ledger.period.from === ledger.period.to ? ledger.period.from : `${ledger.period.from}至${ledger.period.to}`;
    return sendLedger(request, reply, {
      fileName: `社区服务指标-${ledger.node.name}-${period}.xlsx`,
      asciiFileName: `community-metrics-${ledger.node.id}-${ledger.period.from}.xlsx`,
      sheetName: '社区服务指标',
      batches: (async function* () {
        yield ledger.rows;
      })(),
      columns: [
        { header: '区域', width: 20, value: (r) => r.region },
        { header: '板块', value: (r) => r.area },
        { header: '指标', width: 24, value: (r) => r.figure },
        { header: '数值', value: (r) => (r.kind === 'rate' && r.value !== null ? `${(Number(r.value) * 100).toFixed(1)}%` : r.value) },
      ],
    });
  });
}
