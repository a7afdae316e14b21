import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chinaWallClock, contentDisposition, XLSX_CONTENT_TYPE } from '../metrics/metrics-export.service.ts';

/** One column of a ledger: its header, width and how to read the cell from a row. */
export interface LedgerColumn<T> {
  header: string;
  width?: number;
  value: (row: T) => string | number | boolean | Date | null | undefined;
  /** A time: written as an Asia/Shanghai wall-clock date cell. */
  time?: boolean;
}

export interface Ledger<T> {
  /** e.g. '双报到服务台账-2026-11-25.xlsx' */
  fileName: string;
  asciiFileName: string;
  sheetName: string;
  columns: LedgerColumn<T>[];
  /** Rows in batches (keyset pages), so a long ledger never sits in memory whole. */
  batches: AsyncIterable<T[]>;
}

const TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** Writes a ledger into `out` as one worksheet with a bold, frozen header row; resolves to the row count. */
export async function writeLedger<T>(ledger: Ledger<T>, out: NodeJS.WritableStream): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out as never, useStyles: true, useSharedStrings: false });
  workbook.creator = 'CivicGrid';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(ledger.sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = ledger.columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width ?? 16, style: c.time ? { numFmt: TIME_FORMAT } : {} }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  let rows = 0;
  for await (const batch of ledger.batches) {
    for (const row of batch) {
      const cells: Record<string, unknown> = {};
      ledger.columns.forEach((c, i) => {
        const value = c.value(row);
        cells[`c${i}`] = c.time ? chinaWallClock(value) : typeof value === 'boolean' ? (value ? '是' : '否') : value ?? null;
      });
      sheet.addRow(cells).commit();
      rows++;
    }
  }
  sheet.commit();
  await workbook.commit();
  return rows;
}

/**
 * Runs the first query before the response starts: a value the database refuses (a NUL byte in q) or a
 * refusal of the service is then a clean 4xx instead of a download cut off half-way.
 */
async function firstBatchEagerly<T>(batches: AsyncIterable<T[]>): Promise<AsyncIterable<T[]>> {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
}

/** Streams a ledger as the response (Content-Disposition with the Chinese file name and an ASCII fallback). */
export async function sendLedger<T>(request: FastifyRequest, reply: FastifyReply, input: Ledger<T>) {
  const ledger = { ...input, batches: await firstBatchEagerly(input.batches) };
  const body = new PassThrough();
  body.on('error', () => undefined);
  reply.header('Content-Type', XLSX_CONTENT_TYPE).header('Content-Disposition', contentDisposition(ledger.fileName, ledger.asciiFileName));
  writeLedger(ledger, body).then(
    (rows) => request.log.info({ rows, ledger: ledger.asciiFileName }, 'ledger written'),
    (error) => {
      request.log.error({ err: error }, 'ledger failed half-way');
      body.destroy(error as Error);
    },
  );
  return reply.send(body);
}

/**
 * Keyset pages of a query: `fetch(afterId)` returns up to `size` rows with ids above `afterId`, in id order.
 */
export async function* keysetBatches<T extends { id: number }>(fetch: (afterId: number, size: number) => Promise<T[]>, size = 2000): AsyncIterable<T[]> {
  let after = 0;
  for (;;) {
    const batch = await fetch(after, size);
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < size) return;
    after = batch[batch.length - 1].id;
  }
}

/** Today's date in Asia/Shanghai, for file names. */
export const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
