import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { FigureQuerySchema, nodeRefOf } from './metrics.routes.ts';
import { contentDisposition, ExportAborted, prepareFigureCasesExport, prepareMetricsLedgerExport, XLSX_CONTENT_TYPE, type XlsxExport } from './metrics-export.service.ts';

const Month = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'A month, YYYY-MM' });
const { page: _page, pageSize: _pageSize, ...figureFields } = FigureQuerySchema.properties;
const CasesExportQuery = Type.Object(figureFields, { additionalProperties: false });
const LedgerQuery = Type.Object(
  {
    node: Type.Optional(Type.String({ maxLength: 40, description: "'region:<id>' or 'department:<id>'; default: your own place" })),
    from: Month,
    to: Type.Optional(Month),
  },
  { additionalProperties: false },
);

/** Streams a prepared workbook as the response; a failure half-way aborts the download (and is logged). */
function sendXlsx(request: FastifyRequest, reply: FastifyReply, prepared: XlsxExport) {
  const body = new PassThrough();
  body.on('error', () => undefined);
  reply
    .header('Content-Type', XLSX_CONTENT_TYPE)
    .header('Content-Disposition', contentDisposition(prepared.fileName, prepared.asciiFileName))
    .header('X-Export-Rows', String(prepared.rows));
  prepared.write(body).then(
    (rows) => request.log.info({ rows }, 'export written'),
    (error) => {
      if (!(error instanceof ExportAborted)) request.log.error({ err: error }, 'export failed half-way');
      body.destroy(error as Error);
    },
  );
  return reply.send(body);
}

/** Excel ledgers of the command centre (台账导出): the cases behind a figure, and a node's figures. */
export function metricsExportRoutes(app: App, context: AppContext) {
  const tags = ['metrics'];
  app.get(
    '/api/v1/metrics/cases.xlsx',
    { schema: { tags, querystring: CasesExportQuery, summary: 'The cases a figure counts as an Excel ledger (same parameters as /metrics/cases, all pages)' } },
    async (request, reply) => {
      const q = request.query;
      const actor = await authenticate(context, request);
      const prepared = await prepareFigureCasesExport(context, actor, { node: nodeRefOf(q.node), from: q.from, to: q.to, measure: q.measure, categoryId: q.categoryId });
      return sendXlsx(request, reply, prepared);
    },
  );
  app.get(
    '/api/v1/metrics/export.xlsx',
    { schema: { tags, querystring: LedgerQuery, summary: "A node's figures for a period as an Excel ledger: overview, children ranked, by category, by month" } },
    async (request, reply) => {
      const q = request.query;
      const actor = await authenticate(context, request);
      const prepared = await prepareMetricsLedgerExport(context, actor, { node: nodeRefOf(q.node), from: q.from, to: q.to });
      return sendXlsx(request, reply, prepared);
    },
  );
}
