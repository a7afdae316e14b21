// Months as the metrics API counts them: a case belongs to the Asia/Shanghai month it was received in.
import type { TrendGranularity } from './metricsApi.ts';

export const METRIC_TIME_ZONE = 'Asia/Shanghai';
const MONTH = /^([0-9]{4})-(0[1-9]|1[0-2])$/;

/** Today in the city's time zone, 'YYYY-MM-DD'. */
export function todayInCity(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: METRIC_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export const currentMonth = (now = new Date()): string => todayInCity(now).slice(0, 7);

export const isMonth = (value: string | null | undefined): value is string => !!value && MONTH.test(value);

const indexOf = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const monthAt = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;

export const addMonths = (month: string, n: number): string => monthAt(indexOf(month) + n);
export const monthsBetween = (from: string, to: string): number => indexOf(to) - indexOf(from) + 1;

export function monthList(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = indexOf(from); i <= indexOf(to); i++) out.push(monthAt(i));
  return out;
}

function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

const dayMs = 86_400_000;
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMsOf = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * The period a trend chart shows: the chosen months, cut to today, at most 120 days (day) or 120 weeks
 * (week); a month trend shows at least the 12 months up to the period's end.
 */
export function trendWindow(granularity: TrendGranularity, from: string, to: string, today = todayInCity()): { from: string; to: string } {
  if (granularity === 'month') {
    const start = monthsBetween(from, to) < 12 ? addMonths(to, -11) : from;
    return { from: start, to };
  }
  let end = lastDayOf(to);
  if (end > today && `${from}-01` <= today) end = today;
  const maxDays = granularity === 'day' ? 120 : 7 * 119;
  let start = `${from}-01`;
  if ((dayMsOf(end) - dayMsOf(start)) / dayMs + 1 > maxDays) start = toDay(dayMsOf(end) - (maxDays - 1) * dayMs);
  if (granularity === 'week') {
    // Start on the Monday of the first week, as the server's buckets do.
    const weekday = (new Date(dayMsOf(start)).getUTCDay() + 6) % 7;
    start = toDay(dayMsOf(start) - weekday * dayMs);
  }
  return { from: start, to: end };
}

/** Every bucket of a trend window, so days without cases show as zero rather than missing. */
export function trendBuckets(granularity: TrendGranularity, window: { from: string; to: string }): string[] {
  if (granularity === 'month') return monthList(window.from.slice(0, 7), window.to.slice(0, 7));
  const out: string[] = [];
  const step = granularity === 'day' ? dayMs : 7 * dayMs;
  for (let t = dayMsOf(window.from); t <= dayMsOf(window.to); t += step) out.push(toDay(t));
  return out;
}

/** '2026-05' or '2026-03 ~ 2026-05'. */
export const periodLabel = (from: string, to?: string): string => (!to || to === from ? from : `${from} ~ ${to}`);
