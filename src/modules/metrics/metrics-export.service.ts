import type { Writable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { sql, type SQL } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { AppContext } from '../../context.ts';
import type { Actor } from '../policy/actor.ts';
import { appendAuditAlone } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { measureByName, measures } from './metric-measures.ts';
import type { Counters } from './metrics.repository.ts';
import { averages, computeRates, type MetricSettings, type Rate } from './metric-rates.ts';
import { describeNode, figureCaseColumns, figureCaseJoins, figureFilter, nodeMetrics, rankings, type FigureQuery, type NodeRef, type RankingLevel } from './metrics.service.ts';
import { channelLabels, colorLabels, holderLabels, levelLabels, measureLabel, satisfactionLabels, statusLabels } from './metrics-export.labels.ts';

/**
 * The command centre's ledgers as Excel files, written with ExcelJS's streaming writer straight into the
 * HTTP response: the case ledger (工单明细) is read in keyset batches of separate queries (no transaction
 * held across the download, which on PGlite's single connection would block every other request), each
 * batch committed to the sheet and the response drained before the next is read, so memory stays bounded
 * whatever the number of cases.
 */

export const EXPORT_BATCH_SIZE = 5000;
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CHINA_OFFSET_MS = 8 * 3600_000;
const TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const PERCENT_FORMAT = '0.00%';

/** A prepared download: authorised, audited, named; `write` streams the workbook into `out`. */
export interface XlsxExport {
  fileName: string;
  /** The ASCII fallback name for old clients (Content-Disposition filename=). */
  asciiFileName: string;
  rows: number;
  write(out: Writable): Promise<number>;
}

/**
 * Excel has no time zones: a cell holds a wall-clock time. Cases are shown in Asia/Shanghai (UTC+8, no
 * daylight saving), so the instant is shifted by eight hours and written as a date cell.
 */
export function chinaWallClock(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const at = value instanceof Date ? value : new Date(value as string);
  return Number.isNaN(at.getTime()) ? null : new Date(at.getTime() + CHINA_OFFSET_MS);
}

const chinaNowText = () => new Date(Date.now() + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

/** Characters file systems refuse, and control characters, out of a file name. */
const safeName = (text: string) => text.replace(/[\\/:*?"<>|\x00-\x1f]+/g, '_').replace(/\s+/g, ' ').trim().slice(0, 120);

/** `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987). */
export function contentDisposition(fileName: string, asciiFileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiFileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/**
 * Waits until a stream has taken what was written to it, or it or `response` has gone away (a client that
 * leaves stops the flow inside the zip, so its compressor would never drain). Old readable-stream objects too.
 */
function drained(stream: Writable, response: Writable = stream): Promise<void> {
  const state = (stream as unknown as { _writableState?: { needDrain?: boolean } })._writableState;
  const needDrain = stream.writableNeedDrain ?? state?.needDrain ?? false;
  if (!needDrain || stream.destroyed || response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      response.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    response.on('close', done);
  });
}

/**
 * ExcelJS's worksheet stream (a StreamBuf) hands its XML to the zip's compressor without heeding the
 * compressor's backpressure, so when deflate (on the thread pool) or the client is slower than the rows
 * are produced, the backlog would pile up there. The compressor is the sheet stream's pipe (exceljs 4.4:
 * `worksheet.stream.pipes`); if a later version hides it, nothing is waited for and bench:export shows it.
 */
function compressorsOf(sheet: ExcelJS.Worksheet): Writable[] {
  const pipes = (sheet as unknown as { stream?: { pipes?: unknown } }).stream?.pipes;
  return Array.isArray(pipes) ? (pipes.filter((p) => p && typeof (p as Writable).write === 'function') as Writable[]) : [];
}

/** Between batches: the compressor has caught up with the sheet and the response with the compressor. */
async function caughtUp(sheet: ExcelJS.Worksheet, out: Writable) {
  for (const compressor of compressorsOf(sheet)) await drained(compressor, out);
  await drained(out);
}

/**
 * A download turns a few hundred bytes of garbage per row into buffers and strings (cells, XML, deflate
 * chunks) that die young, yet V8 lets them pile up to its external-memory and old-space limits before it
 * collects, which on a million rows costs ~100 MB of RSS above the live data. An incremental (concurrent,
 * no long pause) major collection started every EXPORT_GC_EVERY rows keeps the peak near the live size
 * (bench:export). V8's gc() is reached the way the `expose-gc` package does it, once, on the first download;
 * where that is refused the hint is a no-op.
 */
export const EXPORT_GC_EVERY = 20_000;
let majorGcHint: (() => void) | null = null;
function hintMajorGc() {
  if (!majorGcHint) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as (options: { type: 'major'; execution: 'async' }) => void;
      majorGcHint = () => gc({ type: 'major', execution: 'async' });
    } catch {
      majorGcHint = () => undefined;
    }
  }
  majorGcHint();
}

/** The client went away mid-download: nothing to report. */
export class ExportAborted extends Error {}

/** Commits the workbook, or gives up if the response is closed before it has been written whole. */
async function finish(workbook: ExcelJS.stream.xlsx.WorkbookWriter, out: Writable) {
  let onClose: () => void = () => undefined;
  const closed = new Promise<void>((_, reject) => {
    // A stream that finished closes right after; only a close before the end means the client left.
    onClose = () => {
      if (!out.writableFinished) reject(new ExportAborted('the client went away'));
    };
    out.once('close', onClose);
  });
  closed.catch(() => undefined);
  try {
    await Promise.race([workbook.commit(), closed]);
  } finally {
    out.off('close', onClose);
  }
}

function newWorkbook(out: Writable) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'CivicGrid';
  workbook.created = new Date();
  return workbook;
}

interface ColumnSpec {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
}

function addSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, columns: ColumnSpec[]) {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  return sheet;
}

// ---------------------------------------------------------------------------------------------
// The case ledger (工单明细): exactly the cases of the drill-down list
// ---------------------------------------------------------------------------------------------

const caseColumns: ColumnSpec[] = [
  { header: '编号', key: 'number', width: 20 },
  { header: '标题', key: 'title', width: 36 },
  { header: '分类', key: 'category', width: 14 },
  { header: '网格', key: 'grid', width: 16 },
  { header: '渠道', key: 'channel', width: 10 },
  { header: '分级', key: 'color', width: 6 },
  { header: '状态', key: 'status', width: 10 },
  { header: '承办层级', key: 'holder', width: 8 },
  { header: '承办部门', key: 'departments', width: 18 },
  { header: '受理时间', key: 'createdAt', width: 20, numFmt: TIME_FORMAT },
  { header: '派单时间', key: 'dispatchedAt', width: 20, numFmt: TIME_FORMAT },
  { header: '联系时限', key: 'contactDueAt', width: 20, numFmt: TIME_FORMAT },
  { header: '联系时间', key: 'contactedAt', width: 20, numFmt: TIME_FORMAT },
  { header: '答复时间', key: 'repliedAt', width: 20, numFmt: TIME_FORMAT },
  { header: '办结时间', key: 'closedAt', width: 20, numFmt: TIME_FORMAT },
  { header: '是否超时', key: 'overdue', width: 8 },
  { header: '是否督办', key: 'supervised', width: 8 },
  { header: '重办次数', key: 'reopenCount', width: 8 },
  { header: '是否解决', key: 'resolved', width: 8 },
  { header: '满意度', key: 'satisfaction', width: 10 },
];
export const caseLedgerHeaders = caseColumns.map((c) => c.header);

const yesNo = (value: unknown) => (value === null || value === undefined ? null : value === true || value === 't' ? '是' : '否');

function caseRow(row: Record<string, unknown>) {
  return {
    number: row.number,
    title: row.title,
    category: row.category_name ?? null,
    grid: row.grid_name ?? null,
    channel: channelLabels[row.channel as string] ?? row.channel,
    color: colorLabels[row.triage_color as string] ?? row.triage_color,
    status: statusLabels[row.status as string] ?? row.status,
    holder: holderLabels[row.holder_level as string] ?? row.holder_level,
    departments: row.departments ?? null,
    createdAt: chinaWallClock(row.created_at),
    dispatchedAt: chinaWallClock(row.dispatched_at),
    contactDueAt: chinaWallClock(row.contact_due_at),
    contactedAt: chinaWallClock(row.contacted_at),
    repliedAt: chinaWallClock(row.replied_at),
    closedAt: chinaWallClock(row.closed_at),
    overdue: yesNo(row.overdue),
    supervised: yesNo(row.supervised),
    reopenCount: Number(row.reopen_count ?? 0),
    resolved: yesNo(row.rating_resolved),
    satisfaction: row.rating_satisfaction ? (satisfactionLabels[row.rating_satisfaction as string] ?? row.rating_satisfaction) : null,
  };
}

const monthsText = (from: string, to?: string) => (to && to !== from ? `${from}至${to}` : from);

/**
 * Authorises and audits a download of the cases behind one figure (the same rules and the same WHERE
 * as GET /metrics/cases), then streams them newest first. No reporter name, phone or address.
 */
export async function prepareFigureCasesExport(context: AppContext, actor: Actor, query: FigureQuery): Promise<XlsxExport> {
  const { node, where } = await figureFilter(context, actor, query);
  const { database } = context;
  const [{ total }] = await database.rows<{ total: number }>(sql`SELECT count(*)::bigint AS total FROM cases c WHERE ${where}`);
  const rows = Number(total);
  await appendAuditAlone(database, {
    ...auditOf(actor, 'metrics.export', 'metric_node', `${node.kind}:${node.id}`, {
      ledger: 'cases',
      query: { node: `${node.kind}:${node.id}`, from: query.from, to: query.to ?? query.from, measure: query.measure, categoryId: query.categoryId ?? null },
      rows,
    }),
    outcome: 'success',
  });
  const measure = measureByName.get(query.measure)!;
  const period = monthsText(query.from, query.to);
  const categorySuffix = query.categoryId !== undefined ? `-分类${query.categoryId}` : '';
  return {
    fileName: `${safeName(`工单明细-${node.name}-${measureLabel(measure.name, measure.zh)}-${period}${categorySuffix}`)}.xlsx`,
    asciiFileName: `cases-${node.kind}-${node.id}-${query.measure}-${query.from}${query.to && query.to !== query.from ? `-${query.to}` : ''}.xlsx`,
    rows,
    write: async (out) => {
      const workbook = newWorkbook(out);
      const sheet = addSheet(workbook, '工单明细', caseColumns);
      const select = (condition: SQL, order: SQL) =>
        database.rows<Record<string, unknown>>(
          sql`SELECT ${figureCaseColumns}, c.created_at::text AS cursor_at, (extract(epoch FROM c.created_at) * 1000000)::bigint AS at_us,
                (SELECT string_agg(DISTINCT u.name, '、') FROM case_summonses s JOIN units u ON u.id = s.department_id WHERE s.case_id = c.id) AS departments
              FROM cases c ${figureCaseJoins} WHERE ${where} ${condition} ORDER BY ${order} LIMIT ${EXPORT_BATCH_SIZE}`,
        );
      let written = 0;
      let sinceGc = 0;
      // A thousand rows (~0.6 MB of XML) at a time, then wait for the compressor and the client.
      const put = async (rows: Array<Record<string, unknown>>) => {
        for (let i = 0; i < rows.length; i += 1000) {
          const chunk = rows.slice(i, i + 1000);
          for (const row of chunk) sheet.addRow(caseRow(row)).commit();
          await caughtUp(sheet, out);
          sinceGc += chunk.length;
          if (sinceGc >= EXPORT_GC_EVERY) {
            sinceGc = 0;
            hintMajorGc();
          }
        }
        written += rows.length;
      };
      const alive = () => {
        if (out.destroyed) throw new ExportAborted('the client went away');
      };
      // Batches in the (city_id, created_at) index's own order, so the plan is an index scan from the
      // cursor whatever the statistics say (PGlite has no autovacuum; a sort over the rest per batch
      // would make the download quadratic). The moment a full batch ends on may hold more cases than
      // fitted: those are dropped from the batch and read whole, by id, before moving past it.
      let before: string | null = null;
      for (;;) {
        alive();
        const batch = await select(before === null ? sql`` : sql`AND c.created_at < ${before}::timestamptz`, sql`c.created_at DESC`);
        const full = batch.length === EXPORT_BATCH_SIZE;
        const edge = full ? batch[batch.length - 1] : null;
        const rows = edge ? batch.filter((row) => Number(row.at_us) !== Number(edge.at_us)) : batch;
        rows.sort((a, b) => Number(b.at_us) - Number(a.at_us) || Number(b.id) - Number(a.id));
        await put(rows);
        if (!edge) break;
        let lastId: number | null = null;
        for (;;) {
          alive();
          const tied = await select(sql`AND c.created_at = ${String(edge.cursor_at)}::timestamptz ${lastId === null ? sql`` : sql`AND c.id < ${lastId}`}`, sql`c.id DESC`);
          await put(tied);
          if (tied.length < EXPORT_BATCH_SIZE) break;
          lastId = Number(tied[tied.length - 1].id);
        }
        before = String(edge.cursor_at);
      }
      sheet.commit();
      await finish(workbook, out);
      return written;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The metrics ledger (指标台账) of a node and period
// ---------------------------------------------------------------------------------------------

/** The level a node's children are ranked at; null for grids and departments. */
export const childLevelOf: Record<string, RankingLevel | null> = { city: 'district', district: 'street', street: 'community', community: 'grid', grid: null, department: null };

interface Summary {
  counters: Counters;
  rates: ReturnType<typeof computeRates>;
  averages: ReturnType<typeof averages>;
}

const minutes = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / 60) * 10) / 10);

/** A measure's column, headed with its one Chinese label (metric-measures.ts). */
const measureColumn = (name: string, width = 9): ColumnSpec => ({ header: measureByName.get(name)!.zh, key: name, width });

const figureColumns: ColumnSpec[] = [
  measureColumn('received'),
  measureColumn('dispatched'),
  measureColumn('contacted'),
  measureColumn('contacted_in_time'),
  measureColumn('replied'),
  measureColumn('closed'),
  measureColumn('backlog', 12),
  measureColumn('overdue_open', 11),
  measureColumn('rated'),
  measureColumn('satisfied', 8),
  measureColumn('basically_satisfied'),
  measureColumn('dissatisfied', 8),
  { header: '响应率', key: 'response', width: 9, numFmt: PERCENT_FORMAT },
  { header: '解决率', key: 'resolution', width: 9, numFmt: PERCENT_FORMAT },
  { header: '满意率', key: 'satisfaction', width: 9, numFmt: PERCENT_FORMAT },
  { header: '综合得分', key: 'composite', width: 9 },
  { header: '平均派单用时(分钟)', key: 'dispatchMinutes', width: 16 },
  { header: '平均联系用时(分钟)', key: 'contactMinutes', width: 16 },
  { header: '平均答复用时(分钟)', key: 'replyMinutes', width: 16 },
];

function figureCells(summary: Summary) {
  const cells: Record<string, unknown> = {};
  for (const column of figureColumns) if (column.key in summary.counters) cells[column.key] = summary.counters[column.key];
  cells.response = summary.rates.response.value;
  cells.resolution = summary.rates.resolution.value;
  cells.satisfaction = summary.rates.satisfaction.value;
  cells.composite = summary.rates.composite;
  cells.dispatchMinutes = minutes(summary.averages.dispatchSeconds);
  cells.contactMinutes = minutes(summary.averages.contactSeconds);
  cells.replyMinutes = minutes(summary.averages.replySeconds);
  return cells;
}

const rateText = (rate: Rate, numerator: string, denominator: string) => `${numerator} ${rate.numerator} / ${denominator} ${rate.denominator}`;

function writeOverview(workbook: ExcelJS.stream.xlsx.WorkbookWriter, node: ReturnType<typeof describeNode>, period: string, settings: MetricSettings, summary: Summary) {
  const sheet = addSheet(workbook, '指标概况', [
    { header: '指标', key: 'label', width: 24 },
    { header: '数值', key: 'value', width: 16 },
    { header: '说明', key: 'note', width: 48 },
  ]);
  const add = (label: string, value: unknown, note: string | null = null, numFmt?: string) => {
    const row = sheet.addRow({ label, value, note });
    if (numFmt) row.getCell('value').numFmt = numFmt;
    row.commit();
  };
  add('节点', node.name, `${levelLabels[node.level] ?? node.level} ${node.ref}`);
  add('统计期间', period, '按受理时间（北京时间）所在月份');
  add('导出时间', chinaNowText(), '北京时间');
  for (const measure of measures) {
    add(measureLabel(measure.name, measure.zh), summary.counters[measure.name] ?? 0, measure.name);
  }
  const { rates } = summary;
  add('响应率', rates.response.value, rateText(rates.response, '按时联系', '已派单'), PERCENT_FORMAT);
  add('解决率', rates.resolution.value, rateText(rates.resolution, '评价已解决', '已评价'), PERCENT_FORMAT);
  add('满意率', rates.satisfaction.value, `${rateText(rates.satisfaction, settings.satisfactionIncludesBasic ? '满意+基本满意' : '满意', '已评价')}`, PERCENT_FORMAT);
  add('评价覆盖率', rates.ratingCoverage.value, rateText(rates.ratingCoverage, '已评价', '已答复'), PERCENT_FORMAT);
  const { response, resolution, satisfaction } = settings.weights;
  add('综合得分', rates.composite, `0–100，权重 响应 ${response} · 解决 ${resolution} · 满意 ${satisfaction}`);
  add('平均派单用时(分钟)', minutes(summary.averages.dispatchSeconds), '受理到派单');
  add('平均联系用时(分钟)', minutes(summary.averages.contactSeconds), '派单到首次联系');
  add('平均答复用时(分钟)', minutes(summary.averages.replySeconds), '受理到答复');
  sheet.commit();
}

function writeTable(workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string, first: ColumnSpec[], items: Array<{ first: Record<string, unknown>; summary: Summary }>, empty: string) {
  const sheet = addSheet(workbook, name, [...first, ...figureColumns]);
  for (const item of items) sheet.addRow({ ...item.first, ...figureCells(item.summary) }).commit();
  if (items.length === 0) sheet.addRow({ [first[0].key]: empty }).commit();
  sheet.commit();
}

/**
 * A node's figures for a period as a workbook: the overview (every measure with its Chinese label, the
 * three rates, the composite, averages), its children ranked, by category, by month (and for the city,
 * its departments ranked). Authorised like GET /metrics; audited.
 */
export async function prepareMetricsLedgerExport(context: AppContext, actor: Actor, input: { node: NodeRef | null; from: string; to?: string }): Promise<XlsxExport> {
  const figures = await nodeMetrics(context, actor, input);
  const node = figures.node;
  const childLevel = childLevelOf[node.level] ?? null;
  const ranked = childLevel ? await rankings(context, actor, { ...input, node: { kind: node.kind, id: node.id }, level: childLevel, sort: 'composite' }) : null;
  const departments = node.level === 'city' ? await rankings(context, actor, { ...input, node: { kind: node.kind, id: node.id }, level: 'department', sort: 'composite' }) : null;
  await appendAuditAlone(context.database, {
    ...auditOf(actor, 'metrics.export', 'metric_node', node.ref, { ledger: 'metrics', query: { node: node.ref, from: input.from, to: input.to ?? input.from } }),
    outcome: 'success',
  });
  const period = monthsText(input.from, input.to);
  const rankColumns = (label: string): ColumnSpec[] => [
    { header: '排名', key: 'rank', width: 6 },
    { header: label, key: 'name', width: 20 },
  ];
  return {
    fileName: `${safeName(`指标台账-${node.name}-${period}`)}.xlsx`,
    asciiFileName: `metrics-${node.kind}-${node.id}-${input.from}${input.to && input.to !== input.from ? `-${input.to}` : ''}.xlsx`,
    rows: figures.byCategory.length + figures.byMonth.length + (ranked?.items.length ?? 0),
    write: async (out) => {
      const workbook = newWorkbook(out);
      writeOverview(workbook, node, period, figures.settings, figures);
      const childLabel = childLevel ? (levelLabels[childLevel] ?? childLevel) : '下级';
      writeTable(
        workbook,
        `${childLabel}排名`,
        rankColumns(childLabel),
        (ranked?.items ?? []).map((item) => ({ first: { rank: item.rank, name: item.node.name }, summary: item })),
        childLevel ? '没有下级' : `${levelLabels[node.level] ?? node.level}没有下级区域`,
      );
      if (departments) {
        writeTable(workbook, '部门排名', rankColumns('部门'), departments.items.map((item) => ({ first: { rank: item.rank, name: item.node.name }, summary: item })), '没有部门');
      }
      writeTable(
        workbook,
        '按类别',
        [{ header: '类别', key: 'name', width: 16 }],
        figures.byCategory.map((item) => ({ first: { name: item.name }, summary: item })),
        '没有工单',
      );
      writeTable(
        workbook,
        '按月',
        [{ header: '月份', key: 'month', width: 10 }],
        figures.byMonth.map((item) => ({ first: { month: item.month }, summary: item })),
        '没有月份',
      );
      await finish(workbook, out);
      return figures.byCategory.length + figures.byMonth.length;
    },
  };
}
