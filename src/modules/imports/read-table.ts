import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { AppError } from '../../shared/errors.ts';

/** One data row of an uploaded table with its 1-based line in the file (the header is line 1). */
export interface TableRow {
  line: number;
  cells: string[];
}

export interface Table {
  headers: string[];
  rows: TableRow[];
}

export type FileFormat = 'csv' | 'xlsx' | 'geojson';

export const MAX_ROWS = 1_000_000;

const extensionOf = (fileName: string) => (fileName.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '');
const isZip = (buffer: Buffer) => buffer.length >= 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && buffer[2] === 0x03 && buffer[3] === 0x04;

/**
 * The format of an upload, from its name and first bytes. Refuses what we cannot read (old .xls,
 * anything binary that is not an XLSX zip) with a 400 rather than failing later.
 */
export function detectFormat(buffer: Buffer, fileName: string): FileFormat {
  if (buffer.length === 0) throw new AppError('validation_failed', '文件为空 / The file is empty');
  const ext = extensionOf(fileName);
  if (ext === 'xls') throw new AppError('validation_failed', '不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv / Old .xls files are not supported; save as .xlsx or .csv', { fileName });
  if (ext === 'xlsx' || (ext !== 'csv' && ext !== 'txt' && isZip(buffer))) {
    if (!isZip(buffer)) throw new AppError('validation_failed', '文件不是有效的 XLSX / The file is not a valid XLSX workbook', { fileName });
    return 'xlsx';
  }
  if (ext === 'geojson' || ext === 'json') return 'geojson';
  if (ext === 'csv' || ext === 'txt' || ext === '') {
    if (isZip(buffer) || buffer.subarray(0, 8192).includes(0)) {
      throw new AppError('validation_failed', '文件不是文本 CSV / The file is not a text CSV file', { fileName });
    }
    return 'csv';
  }
  throw new AppError('validation_failed', `不支持的文件类型 .${ext}，请上传 CSV、XLSX 或 GeoJSON / Unsupported file type .${ext}; upload CSV, XLSX or GeoJSON`, { fileName });
}

/** UTF-8 (with or without BOM); bytes that are not valid UTF-8 are read as GB18030 (a superset of GBK/GB2312). */
export function decodeText(buffer: Buffer): string {
  let bytes: Uint8Array = buffer;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

const isBlankRow = (cells: string[]) => cells.every((cell) => cell.trim() === '');
const tooMany = () => new AppError('validation_failed', `文件超过 ${MAX_ROWS} 行上限 / The file has more than ${MAX_ROWS} rows`, { maxRows: MAX_ROWS });

function readCsv(buffer: Buffer, maxRows: number): Table {
  const text = decodeText(buffer);
  // Excel's "CSV" in some locales uses semicolons or tabs: pick the most frequent one on the header line.
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, delimiter, trim: false }) as unknown as typeof records;
  } catch (error) {
    throw new AppError('validation_failed', `CSV 格式错误 / The CSV file is malformed: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new AppError('validation_failed', '文件为空 / The file is empty');
  const headers = records[0].record.map((header) => header.trim());
  const rows: TableRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record, info } = records[i];
    if (isBlankRow(record)) continue;
    // info.lines is the line where the record ends; a quoted field may span several lines.
    let embedded = 0;
    for (const cell of record) for (let k = cell.indexOf('\n'); k !== -1; k = cell.indexOf('\n', k + 1)) embedded++;
    rows.push({ line: info.lines - embedded, cells: record });
    if (rows.length > maxRows) throw tooMany();
  }
  return { headers, rows };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell as text: dates as YYYY-MM-DD (with HH:mm:ss when the cell has a time of day), formulas by their result, rich text joined. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    // Excel keeps wall-clock times as fractions of a day: round away the float noise to the second.
    const at = new Date(Math.round(value.getTime() / 1000) * 1000);
    const day = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
    const seconds = at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds();
    return seconds === 0 ? day : `${day} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
  }
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((part) => part.text).join('');
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error) return '';
  }
  return String(value);
}

async function readXlsx(buffer: Buffer, maxRows: number): Promise<Table> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buffer]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'emit',
  } as never);
  let headers: string[] | null = null;
  const rows: TableRow[] = [];
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet as unknown as AsyncIterable<{ number: number; values: unknown[] }>) {
        const values = Array.isArray(row.values) ? row.values : [];
        const cells: string[] = [];
        for (let c = 1; c < values.length; c++) cells.push(cellText(values[c]));
        if (headers === null) {
          if (isBlankRow(cells)) continue;
          headers = cells.map((cell) => cell.trim());
          continue;
        }
        if (isBlankRow(cells)) continue;
        rows.push({ line: row.number, cells });
        if (rows.length > maxRows) throw tooMany();
      }
      break; // the first worksheet only
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('validation_failed', `无法读取 XLSX 文件 / Cannot read the XLSX file: ${(error as Error).message}`);
  }
  if (headers === null) throw new AppError('validation_failed', '文件为空 / The file is empty');
  return { headers, rows };
}

/** Reads a CSV or the first worksheet of an XLSX file into its header and non-blank rows. */
export async function readTable(buffer: Buffer, fileName: string, maxRows = MAX_ROWS): Promise<Table> {
  const format = detectFormat(buffer, fileName);
  if (format === 'geojson') throw new AppError('validation_failed', 'GeoJSON 只能用于区域导入 / GeoJSON files can only be used for a regions import');
  const table = format === 'xlsx' ? await readXlsx(buffer, maxRows) : readCsv(buffer, maxRows);
  // Blank or repeated headers would make a mapping ambiguous.
  const seen = new Set<string>();
  table.headers = table.headers.map((header, i) => {
    let name = header || `列${i + 1}`;
    while (seen.has(name)) name = `${name}_${i + 1}`;
    seen.add(name);
    return name;
  });
  return table;
}

/** Parses an uploaded GeoJSON FeatureCollection (or a single Feature). */
export function readGeoJson(buffer: Buffer): { features: unknown[]; crs: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeText(buffer));
  } catch {
    throw new AppError('validation_failed', '文件不是有效的 JSON / The file is not valid JSON');
  }
  const object = parsed as { type?: unknown; features?: unknown; crs?: unknown };
  if (object && object.type === 'Feature') return { features: [object], crs: null };
  if (!object || object.type !== 'FeatureCollection' || !Array.isArray(object.features)) {
    throw new AppError('validation_failed', '文件不是 GeoJSON FeatureCollection / The file is not a GeoJSON FeatureCollection');
  }
  if (object.features.length === 0) throw new AppError('validation_failed', 'GeoJSON 中没有要素 / The GeoJSON has no features');
  if (object.features.length > MAX_ROWS) throw tooMany();
  return { features: object.features, crs: object.crs ?? null };
}
