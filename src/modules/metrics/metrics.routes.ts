import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import {
  figureCases,
  getMetricSettings,
  gridFigures,
  nodeMetrics,
  parseNodeRef,
  rankings,
  trend,
  updateMetricSettings,
  type RankingLevel,
} from './metrics.service.ts';
import type { MetricSettings } from './metric-rates.ts';
import { hotTopics } from './hot-topics.service.ts';

const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'A month, YYYY-MM' });
const NodeParam = Type.String({ maxLength: 40, description: "'region:<id>' or 'department:<id>'; default: your own place" });
const Period = { node: Type.Optional(NodeParam), from: Month, to: Type.Optional(Month) };
export const FigureQuerySchema = Type.Object(
  {
    ...Period,
    measure: Type.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'A measure name (docs/metrics.md)' }),
    categoryId: Type.Optional(Type.Integer({ minimum: 0 })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
const SettingsBody = Type.Object(
  {
    satisfactionIncludesBasic: Type.Optional(Type.Boolean()),
    weights: Type.Optional(
      Type.Object(
        { response: Type.Number({ minimum: 0, maximum: 100 }), resolution: Type.Number({ minimum: 0, maximum: 100 }), satisfaction: Type.Number({ minimum: 0, maximum: 100 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const nodeRefOf = (value: string | undefined) => (value ? parseNodeRef(value) : null);

/** The command centre (指挥平台): figures per node and period, rankings, the map, trends, drill-down. */
export function metricsRoutes(app: App, context: AppContext) {
  const tags = ['metrics'];
  app.get(
    '/api/v1/metrics',
    { schema: { tags, querystring: Type.Object(Period, { additionalProperties: false }), summary: 'Every figure of a node for a month or a range of months' } },
    async (request) => {
      const q = request.query;
      return nodeMetrics(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to });
    },
  );
  app.get(
    '/api/v1/metrics/rankings',
    {
      schema: {
        tags,
        summary: 'Districts, streets, communities, grids or departments ranked by a rate or a count',
        querystring: Type.Object(
          {
            ...Period,
            level: Type.Union(['district', 'street', 'community', 'grid', 'department'].map((l) => Type.Literal(l))),
            sort: Type.Optional(Type.Union(['composite', 'response', 'resolution', 'satisfaction', 'received', 'backlog', 'overdue_open'].map((s) => Type.Literal(s)))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      return rankings(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to, level: q.level as RankingLevel, sort: q.sort as never });
    },
  );
  app.get(
    '/api/v1/metrics/grids',
    { schema: { tags, querystring: Type.Object(Period, { additionalProperties: false }), summary: 'Per grid under a node: open cases and rates (the map colours)' } },
    async (request) => {
      const q = request.query;
      return gridFigures(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to });
    },
  );
  app.get(
    '/api/v1/metrics/trend',
    {
      schema: {
        tags,
        summary: 'Figures by day, week (from the cases) or month (from the rollups)',
        querystring: Type.Object(
          {
            node: Type.Optional(NodeParam),
            granularity: Type.Union(['day', 'week', 'month'].map((g) => Type.Literal(g))),
            from: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$' }),
            to: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      return trend(context, await authenticate(context, request), { node: nodeRefOf(q.node), granularity: q.granularity as 'day', from: q.from, to: q.to });
    },
  );
  app.get('/api/v1/metrics/cases', { schema: { tags, querystring: FigureQuerySchema, summary: 'Exactly the cases a figure counts' } }, async (request) => {
    const q = request.query;
    return figureCases(context, await authenticate(context, request), {
      node: nodeRefOf(q.node),
      from: q.from,
      to: q.to,
      measure: q.measure,
      categoryId: q.categoryId,
      page: q.page ?? 1,
      pageSize: q.pageSize ?? 20,
    });
  });
  app.get(
    '/api/v1/metrics/hot-topics',
    {
      schema: {
        tags,
        summary: "Hot topics: the words most of the period's cases use (jieba), with the previous period's counts",
        querystring: Type.Object({ ...Period, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const q = request.query;
      return hotTopics(context, await authenticate(context, request), { node: nodeRefOf(q.node), from: q.from, to: q.to, limit: q.limit });
    },
  );
  app.get('/api/v1/metrics/settings', { schema: { tags, summary: "The city's rate definitions and composite weights" } }, async (request) =>
    getMetricSettings(context, await authenticate(context, request)),
  );
  app.put('/api/v1/metrics/settings', { schema: { tags, body: SettingsBody, summary: 'Set the rate definitions and weights (city administrator)' } }, async (request) =>
    updateMetricSettings(context, await authenticate(context, request), request.body as Partial<MetricSettings>),
  );
}
