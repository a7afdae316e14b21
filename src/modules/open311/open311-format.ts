/**
 * GeoReport v2 wire formats: the spec's XML (schemaless, no namespace) and its JSON mapping, errors in
 * the spec's shape, W3C date-times with an offset. Pure functions, no I/O.
 */

export type Open311Format = 'json' | 'xml';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const XML_TYPE = 'text/xml; charset=utf-8';

/** The element name of one item inside each list element of the spec. */
const itemNames: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
};

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(notXmlChar, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    const item = itemNames[name] ?? 'item';
    return `<${name}>${value.map((entry) => element(item, entry)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Record<string, unknown>).map(([key, child]) => element(key, child)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `toXml('services', [{ service_code: 'x' }])` → `<services><service><service_code>x</service_code></service></services>`. */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}`;
}

export function render(format: Open311Format, root: string, value: unknown): { body: string; contentType: string } {
  return format === 'xml' ? { body: toXml(root, value), contentType: XML_TYPE } : { body: JSON.stringify(value), contentType: JSON_TYPE };
}

export interface Open311ErrorEntry {
  code: number;
  description: string;
}

/** Errors in the spec's shape: JSON `[{ code, description }]`, XML `<errors><error><code/><description/></error></errors>`. */
export const renderErrors = (format: Open311Format, errors: Open311ErrorEntry[]) => render(format, 'errors', errors);

/** `/open311/v2/services.xml?…` → xml; everything else (`.json` or no suffix) → json. */
export function formatOfUrl(url: string): Open311Format {
  const path = url.split('?')[0];
  return /\.xml$/i.test(path) ? 'xml' : 'json';
}

/**
 * A path segment with its optional format suffix: `20261125-000001.xml` → { value, format: 'xml' }.
 * No suffix means JSON; an unknown suffix is null (the resource does not exist).
 */
export function splitFormat(segment: string): { value: string; format: Open311Format } | null {
  const dot = segment.lastIndexOf('.');
  if (dot < 0) return { value: segment, format: 'json' };
  const suffix = segment.slice(dot + 1).toLowerCase();
  if (suffix !== 'json' && suffix !== 'xml') return null;
  return { value: segment.slice(0, dot), format: suffix };
}

/** Every city CivicGrid serves is in China: date-times go out in China Standard Time (UTC+08:00, no DST). */
const CITY_OFFSET_MINUTES = 8 * 60;

/** W3C date-time with the city's offset, e.g. `2026-11-25T16:47:38+08:00`. */
export function w3cDateTime(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const local = new Date(date.getTime() + CITY_OFFSET_MINUTES * 60_000);
  const sign = CITY_OFFSET_MINUTES >= 0 ? '+' : '-';
  const offset = Math.abs(CITY_OFFSET_MINUTES);
  return `${local.toISOString().slice(0, 19)}${sign}${String(Math.floor(offset / 60)).padStart(2, '0')}:${String(offset % 60).padStart(2, '0')}`;
}

const w3cPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a W3C date or date-time (`2010-01-01T00:00:00Z`, `2010-01-01T08:00:00+08:00`, `2010-01-01`).
 * Without a zone the city's local time is meant. Returns null for anything else, including impossible
 * dates such as 2024-02-30.
 */
export function parseW3cDateTime(text: string): Date | null {
  const match = w3cPattern.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '0', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(Number(`0.${fraction}`) * 1000));
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  let offsetMinutes = CITY_OFFSET_MINUTES;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 14 || minutes > 59) return null;
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  } else if (zone) {
    offsetMinutes = 0;
  }
  return new Date(utc - offsetMinutes * 60_000);
}

/** Mainland mobile numbers written into free text (descriptions, notes) are masked like every other phone. */
export function maskPhonesInText(text: string | null): string | null {
  if (text === null) return null;
  return text.replace(/(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)/g, '$1****$2');
}
