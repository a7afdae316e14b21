import { AppError } from '../../shared/errors.ts';

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Today in Asia/Shanghai (YYYY-MM-DD): "not in the future" is decided against this day. */
export const chinaDate = (now = new Date()) => new Date(now.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);

export interface ReportingPeriod {
  year: number;
  quarter: number | null;
  /** First day (inclusive) and the day after the last (exclusive), YYYY-MM-DD. */
  from: string;
  until: string;
  /** '2026年第4季度' / '2026年度' */
  label: string;
  /** '2026Q4' / '2026': part of reminder keys and file names. */
  key: string;
}

/** A quarter or a year; without either, the current quarter (Asia/Shanghai). */
export function reportingPeriod(input: { year?: number; quarter?: number }, now = new Date()): ReportingPeriod {
  const today = chinaDate(now);
  const year = input.year ?? Number(today.slice(0, 4));
  const quarter = input.quarter ?? (input.year === undefined ? Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1 : null);
  if (quarter !== null && (quarter < 1 || quarter > 4)) throw new AppError('validation_failed', 'quarter must be 1 to 4', { quarter });
  const pad = (n: number) => String(n).padStart(2, '0');
  if (quarter === null) return { year, quarter, from: `${year}-01-01`, until: `${year + 1}-01-01`, label: `${year}年度`, key: String(year) };
  const firstMonth = (quarter - 1) * 3 + 1;
  const until = quarter === 4 ? `${year + 1}-01-01` : `${year}-${pad(firstMonth + 3)}-01`;
  return { year, quarter, from: `${year}-${pad(firstMonth)}-01`, until, label: `${year}年第${quarter}季度`, key: `${year}Q${quarter}` };
}

/** Hours as stored (numeric(6,2)): refuse a third decimal instead of rounding silently. */
export function checkHours(hours: number) {
  if (!(hours > 0 && hours <= 24) || Math.abs(Math.round(hours * 100) - hours * 100) > 1e-6) {
    throw new AppError('validation_failed', 'hours must be more than 0 and at most 24, in steps of 0.01', { hours });
  }
}

export function checkNotFuture(day: string, field: string, now = new Date()) {
  if (day > chinaDate(now)) throw new AppError('validation_failed', `${field} cannot be in the future`, { [field]: day, today: chinaDate(now) });
}
