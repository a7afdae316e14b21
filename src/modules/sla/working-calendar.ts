/**
 * Working calendar for SLA clocks (pure: no database, no I/O, no Intl).
 *
 * Time zone: only `Asia/Shanghai` is supported. China has observed a fixed UTC+8 offset with no daylight
 * saving time since 1991, so local wall-clock time is computed with plain offset arithmetic:
 * `localMs = utcMs + 8h`. A "day index" is `floor(localMs / 24h)` (local days since 1970-01-01).
 *
 * Working time is the union of the `workingHours` intervals (half-open: [start, end)) on every working day.
 * A day is a working day when it is a make-up working day (调休), or when it is not a holiday and not a
 * weekend day. A date may not be both a holiday and a make-up working day.
 */

export interface WorkingHoursInterval {
  /** Local wall-clock start, 'HH:MM' (00:00–23:59). */
  start: string;
  /** Local wall-clock end, 'HH:MM' (00:01–24:00); must be after `start`. */
  end: string;
}

export interface WorkingCalendarData {
  timeZone: 'Asia/Shanghai';
  /** Working intervals of a working day; default 09:00–12:00 and 13:30–17:30 (lunch break in between). */
  workingHours: WorkingHoursInterval[];
  /** Days of the week that are days off (0 = Sunday … 6 = Saturday); default [0, 6]. */
  weekendDays: number[];
  /** 'YYYY-MM-DD' days off even when they fall on a weekday (public holidays). */
  holidays: string[];
  /** 'YYYY-MM-DD' days that are working days even when they fall on a weekend day (调休 make-up days). */
  makeUpWorkdays: string[];
}

export const DEFAULT_WORKING_HOURS: readonly WorkingHoursInterval[] = Object.freeze([
  Object.freeze({ start: '09:00', end: '12:00' }),
  Object.freeze({ start: '13:30', end: '17:30' }),
]);

export const DEFAULT_WEEKEND_DAYS: readonly number[] = Object.freeze([0, 6]);

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Asia/Shanghai: UTC+8 all year, no DST. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const HHMM_RE = /^(\d{2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses 'HH:MM' into minutes after midnight; '24:00' only when `allow24` (interval ends). */
function parseHHMM(value: unknown, what: string, allow24: boolean): number {
  if (typeof value !== 'string') throw new Error(`${what}: expected 'HH:MM' string, got ${JSON.stringify(value)}`);
  const m = HHMM_RE.exec(value);
  if (!m) throw new Error(`${what}: invalid time '${value}' (expected 'HH:MM')`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !allow24))) {
    throw new Error(`${what}: invalid time '${value}'`);
  }
  return h * 60 + min;
}

/** Parses 'YYYY-MM-DD' into a day index (days since 1970-01-01); throws on malformed or impossible dates. */
export function parseDateString(value: unknown, what = 'date'): number {
  if (typeof value !== 'string') throw new Error(`${what}: expected 'YYYY-MM-DD' string, got ${JSON.stringify(value)}`);
  const m = DATE_RE.exec(value);
  if (!m) throw new Error(`${what}: invalid date '${value}' (expected 'YYYY-MM-DD')`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    throw new Error(`${what}: invalid date '${value}' (no such calendar day)`);
  }
  return Math.floor(date.getTime() / DAY_MS);
}

/** Day index → 'YYYY-MM-DD'. */
function dayIndexToDateString(day: number): string {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Inclusive list of 'YYYY-MM-DD' strings from `from` to `to`. */
export function dateRange(from: string, to: string): string[] {
  const a = parseDateString(from, 'dateRange from');
  const b = parseDateString(to, 'dateRange to');
  if (b < a) throw new Error(`dateRange: '${to}' is before '${from}'`);
  const out: string[] = [];
  for (let d = a; d <= b; d++) out.push(dayIndexToDateString(d));
  return out;
}

/** Day of week (0 = Sunday) of a day index; 1970-01-01 was a Thursday. */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function assertValidInstant(value: unknown, what: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new Error(`${what}: expected a valid Date, got ${String(value)}`);
  }
}

function assertAmount(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what}: expected a finite number, got ${String(value)}`);
  if (value < 0) throw new Error(`${what}: must not be negative, got ${value}`);
}

/** Local Asia/Shanghai calendar date ('YYYY-MM-DD') of an instant. */
export function toShanghaiDateString(instant: Date): string {
  assertValidInstant(instant, 'toShanghaiDateString');
  return dayIndexToDateString(Math.floor((instant.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS));
}

/** The instant at local Asia/Shanghai wall-clock `date` 'YYYY-MM-DD' and `time` 'HH:MM' (default midnight). */
export function shanghaiInstant(date: string, time = '00:00'): Date {
  const day = parseDateString(date, 'shanghaiInstant date');
  const minutes = parseHHMM(time, 'shanghaiInstant time', false);
  return new Date(day * DAY_MS + minutes * MINUTE_MS - SHANGHAI_OFFSET_MS);
}

interface MsInterval {
  /** Milliseconds after local midnight. */
  startMs: number;
  endMs: number;
}

export class WorkingCalendar {
  readonly data: Readonly<WorkingCalendarData>;
  /** Total working minutes of one ordinary working day (420 with the default hours). */
  readonly workingMinutesPerDay: number;

  private readonly intervals: MsInterval[];
  private readonly dayMs: number;
  private readonly weekMs: number;
  private readonly weekend: ReadonlySet<number>;
  private readonly holidaySet: ReadonlySet<number>;
  private readonly makeUpSet: ReadonlySet<number>;
  /** Sorted day indices of all holidays and make-up days (the days where the weekly pattern does not hold). */
  private readonly specialDays: number[];

  constructor(data: Partial<WorkingCalendarData> = {}) {
    const timeZone = data.timeZone ?? 'Asia/Shanghai';
    if (timeZone !== 'Asia/Shanghai') {
      throw new Error(`WorkingCalendar: unsupported time zone '${String(timeZone)}' (only 'Asia/Shanghai')`);
    }
    const workingHours = data.workingHours ?? DEFAULT_WORKING_HOURS;
    const weekendDays = data.weekendDays ?? DEFAULT_WEEKEND_DAYS;
    const holidays = data.holidays ?? [];
    const makeUpWorkdays = data.makeUpWorkdays ?? [];

    // Working hours.
    if (!Array.isArray(workingHours) || workingHours.length === 0) {
      throw new Error('WorkingCalendar: workingHours must be a non-empty array of { start, end }');
    }
    const intervals = workingHours.map((iv, i) => {
      if (iv === null || typeof iv !== 'object') throw new Error(`WorkingCalendar: workingHours[${i}] must be { start, end }`);
      const s = parseHHMM(iv.start, `WorkingCalendar: workingHours[${i}].start`, false);
      const e = parseHHMM(iv.end, `WorkingCalendar: workingHours[${i}].end`, true);
      if (e <= s) throw new Error(`WorkingCalendar: workingHours[${i}] end ${iv.end} must be after start ${iv.start}`);
      return { startMs: s * MINUTE_MS, endMs: e * MINUTE_MS, label: `${iv.start}–${iv.end}` };
    });
    intervals.sort((x, y) => x.startMs - y.startMs);
    for (let i = 1; i < intervals.length; i++) {
      if (intervals[i].startMs < intervals[i - 1].endMs) {
        throw new Error(`WorkingCalendar: working hours ${intervals[i - 1].label} and ${intervals[i].label} overlap`);
      }
    }

    // Weekend days.
    if (!Array.isArray(weekendDays)) throw new Error('WorkingCalendar: weekendDays must be an array');
    const weekend = new Set<number>();
    for (const d of weekendDays) {
      if (!Number.isInteger(d) || d < 0 || d > 6) throw new Error(`WorkingCalendar: invalid weekend day ${String(d)} (0–6, 0 = Sunday)`);
      if (weekend.has(d)) throw new Error(`WorkingCalendar: weekend day ${d} listed twice`);
      weekend.add(d);
    }
    if (weekend.size === 7) throw new Error('WorkingCalendar: every day of the week is a weekend day; there is no working time');

    // Holidays and make-up days.
    if (!Array.isArray(holidays)) throw new Error('WorkingCalendar: holidays must be an array of YYYY-MM-DD strings');
    if (!Array.isArray(makeUpWorkdays)) throw new Error('WorkingCalendar: makeUpWorkdays must be an array of YYYY-MM-DD strings');
    const holidaySet = new Set(holidays.map((h, i) => parseDateString(h, `WorkingCalendar: holidays[${i}]`)));
    const makeUpSet = new Set(makeUpWorkdays.map((h, i) => parseDateString(h, `WorkingCalendar: makeUpWorkdays[${i}]`)));
    for (const d of makeUpSet) {
      if (holidaySet.has(d)) {
        throw new Error(`WorkingCalendar: ${dayIndexToDateString(d)} is listed both as a holiday and as a make-up working day`);
      }
    }

    this.intervals = intervals.map(({ startMs, endMs }) => ({ startMs, endMs }));
    this.dayMs = this.intervals.reduce((sum, iv) => sum + iv.endMs - iv.startMs, 0);
    this.weekMs = (7 - weekend.size) * this.dayMs;
    this.workingMinutesPerDay = this.dayMs / MINUTE_MS;
    this.weekend = weekend;
    this.holidaySet = holidaySet;
    this.makeUpSet = makeUpSet;
    this.specialDays = [...new Set([...holidaySet, ...makeUpSet])].sort((a, b) => a - b);
    this.data = Object.freeze({
      timeZone: 'Asia/Shanghai',
      workingHours: workingHours.map((iv) => Object.freeze({ start: iv.start, end: iv.end })),
      weekendDays: [...weekendDays],
      holidays: [...holidays],
      makeUpWorkdays: [...makeUpWorkdays],
    });
  }

  /** Whether the local date 'YYYY-MM-DD' is a working day. */
  isWorkingDay(dateString: string): boolean {
    return this.isWorkingDayIndex(parseDateString(dateString, 'isWorkingDay'));
  }

  /** Whether the instant falls inside a working interval of a working day (intervals are half-open [start, end)). */
  isWorkingTime(instant: Date): boolean {
    assertValidInstant(instant, 'isWorkingTime');
    const local = instant.getTime() + SHANGHAI_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    if (!this.isWorkingDayIndex(day)) return false;
    const msInDay = local - day * DAY_MS;
    return this.intervals.some((iv) => msInDay >= iv.startMs && msInDay < iv.endMs);
  }

  /**
   * The instant at which `minutes` working minutes have elapsed after `start`.
   *
   * Counting starts at `start` if it is working time, otherwise at the start of the next working interval.
   * The result is the moment the budget is used up, so it can be the end of an interval (Friday 17:00 + 30
   * → Friday 17:30, not Monday 09:00). Zero minutes returns `start` unchanged. Exact to the millisecond;
   * fractional minutes are rounded to the nearest millisecond. Skips whole weeks and whole days without
   * walking minutes.
   */
  addWorkingMinutes(start: Date, minutes: number): Date {
    assertValidInstant(start, 'addWorkingMinutes start');
    assertAmount(minutes, 'addWorkingMinutes minutes');
    let remaining = Math.round(minutes * MINUTE_MS);
    if (remaining === 0) return new Date(start.getTime());

    let local = start.getTime() + SHANGHAI_OFFSET_MS;
    let day = Math.floor(local / DAY_MS);
    for (;;) {
      const dayStart = day * DAY_MS;
      if (local <= dayStart) {
        // A whole day (or week) is available: skip it in one step while more than it remains.
        if (remaining > this.weekMs && !this.hasSpecialDayIn(day, day + 7)) {
          remaining -= this.weekMs;
          day += 7;
          local = day * DAY_MS;
          continue;
        }
        const working = this.isWorkingDayIndex(day);
        if (!working || remaining > this.dayMs) {
          if (working) remaining -= this.dayMs;
          day += 1;
          local = day * DAY_MS;
          continue;
        }
      }
      if (this.isWorkingDayIndex(day)) {
        for (const iv of this.intervals) {
          const ivEnd = dayStart + iv.endMs;
          if (local >= ivEnd) continue;
          const from = Math.max(local, dayStart + iv.startMs);
          const available = ivEnd - from;
          if (remaining <= available) return new Date(from + remaining - SHANGHAI_OFFSET_MS);
          remaining -= available;
          local = ivEnd;
        }
      }
      day += 1;
      local = day * DAY_MS;
    }
  }

  /**
   * The instant at which `days` working days have elapsed after `start`.
   *
   * Definition: N working days = N × `workingMinutesPerDay` working minutes (420 with the default hours),
   * counted with `addWorkingMinutes`. So a request received mid-afternoon is due at the same time of day N
   * working days later (2025-09-30 17:00 + 1 working day → 2025-10-09 17:00 over 国庆), and a request received
   * outside working time is due at the end of the Nth working day (Saturday + 1 → Monday 17:30).
   * Fractional days are allowed (0.5 = 210 working minutes with the default hours).
   */
  addWorkingDays(start: Date, days: number): Date {
    assertAmount(days, 'addWorkingDays days');
    return this.addWorkingMinutes(start, days * this.workingMinutesPerDay);
  }

  /**
   * Working minutes in [a, b) (fractional when the instants are not minute-aligned). Inverse of
   * `addWorkingMinutes`: `workingMinutesBetween(s, addWorkingMinutes(s, m)) === m`. Negative when b < a.
   */
  workingMinutesBetween(a: Date, b: Date): number {
    assertValidInstant(a, 'workingMinutesBetween a');
    assertValidInstant(b, 'workingMinutesBetween b');
    const ta = a.getTime();
    const tb = b.getTime();
    if (tb < ta) return -this.workingMsBetween(tb, ta) / MINUTE_MS;
    return this.workingMsBetween(ta, tb) / MINUTE_MS;
  }

  private workingMsBetween(utcA: number, utcB: number): number {
    const la = utcA + SHANGHAI_OFFSET_MS;
    const lb = utcB + SHANGHAI_OFFSET_MS;
    const lastDay = Math.floor(lb / DAY_MS);
    let total = 0;
    let day = Math.floor(la / DAY_MS);
    while (day <= lastDay) {
      const dayStart = day * DAY_MS;
      if (la <= dayStart) {
        // Whole week / whole day inside [a, b).
        if (dayStart + 7 * DAY_MS <= lb && !this.hasSpecialDayIn(day, day + 7)) {
          total += this.weekMs;
          day += 7;
          continue;
        }
        if (dayStart + DAY_MS <= lb) {
          if (this.isWorkingDayIndex(day)) total += this.dayMs;
          day += 1;
          continue;
        }
      }
      if (this.isWorkingDayIndex(day)) {
        for (const iv of this.intervals) {
          const from = Math.max(la, dayStart + iv.startMs);
          const to = Math.min(lb, dayStart + iv.endMs);
          if (to > from) total += to - from;
        }
      }
      day += 1;
    }
    return total;
  }

  private isWorkingDayIndex(day: number): boolean {
    if (this.makeUpSet.has(day)) return true;
    if (this.holidaySet.has(day)) return false;
    return !this.weekend.has(weekdayOf(day));
  }

  /** Whether any holiday or make-up day lies in [fromDay, toDay). */
  private hasSpecialDayIn(fromDay: number, toDay: number): boolean {
    const arr = this.specialDays;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid] < fromDay) lo = mid + 1;
      else hi = mid;
    }
    return lo < arr.length && arr[lo] < toDay;
  }
}

/** A calendar with the default office hours and the 2025–2026 national holiday data. */
export function chinaWorkingCalendar2025_2026(overrides: Partial<Omit<WorkingCalendarData, 'holidays' | 'makeUpWorkdays'>> = {}): WorkingCalendar {
  return new WorkingCalendar({
    ...overrides,
    holidays: [...CHINA_2025_2026_HOLIDAYS.holidays],
    makeUpWorkdays: [...CHINA_2025_2026_HOLIDAYS.makeUpWorkdays],
  });
}

/**
 * Official PRC public holidays and make-up working days for 2025 and 2026 (国务院办公厅关于部分节假日安排的通知).
 *
 * This is DATA, not logic: check it against the State Council notice for each year (2026 in particular), and
 * note that each city enters its own calendar (local holidays, different office hours) — this list is only a
 * convenient default to build a calendar from.
 *
 * 2025: 元旦 1/1; 春节 1/28–2/4 (make-up 1/26 Sun, 2/8 Sat); 清明 4/4–4/6; 劳动节 5/1–5/5 (make-up 4/27 Sun);
 *       端午 5/31–6/2; 国庆·中秋 10/1–10/8 (make-up 9/28 Sun, 10/11 Sat).
 * 2026: 元旦 1/1–1/3 (make-up 1/4 Sun); 春节 2/15–2/23 (make-up 2/14 Sat, 2/28 Sat); 清明 4/4–4/6;
 *       劳动节 5/1–5/5 (make-up 5/9 Sat); 端午 6/19–6/21; 中秋 9/25–9/27; 国庆 10/1–10/7 (make-up 9/20 Sun, 10/10 Sat).
 */
export const CHINA_2025_2026_HOLIDAYS: Readonly<{ holidays: readonly string[]; makeUpWorkdays: readonly string[] }> =
  Object.freeze({
    holidays: Object.freeze([
      // 2025
      '2025-01-01',
      ...dateRange('2025-01-28', '2025-02-04'),
      ...dateRange('2025-04-04', '2025-04-06'),
      ...dateRange('2025-05-01', '2025-05-05'),
      ...dateRange('2025-05-31', '2025-06-02'),
      ...dateRange('2025-10-01', '2025-10-08'),
      // 2026
      ...dateRange('2026-01-01', '2026-01-03'),
      ...dateRange('2026-02-15', '2026-02-23'),
      ...dateRange('2026-04-04', '2026-04-06'),
      ...dateRange('2026-05-01', '2026-05-05'),
      ...dateRange('2026-06-19', '2026-06-21'),
      ...dateRange('2026-09-25', '2026-09-27'),
      ...dateRange('2026-10-01', '2026-10-07'),
    ]),
    makeUpWorkdays: Object.freeze([
      // 2025
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
      // 2026
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]),
  });
