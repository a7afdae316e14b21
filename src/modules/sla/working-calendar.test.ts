import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import {
  CHINA_2025_2026_HOLIDAYS,
  WorkingCalendar,
  chinaWorkingCalendar2025_2026,
  dateRange,
  parseDateString,
  shanghaiInstant,
  toShanghaiDateString,
} from './working-calendar.ts';

const at = shanghaiInstant;
const cal = chinaWorkingCalendar2025_2026();
const plain = new WorkingCalendar();

/** Deterministic PRNG (mulberry32). */
const rng = mulberry32;

/** Independent reference: walk minute by minute (start must be minute-aligned; intervals are minute-aligned). */
function naiveAdd(c: WorkingCalendar, start: Date, minutes: number): Date {
  if (minutes === 0) return start;
  let t = start.getTime();
  let counted = 0;
  for (;;) {
    if (c.isWorkingTime(new Date(t))) {
      counted++;
      if (counted === minutes) return new Date(t + 60_000);
    }
    t += 60_000;
  }
}

describe('time zone arithmetic (UTC+8)', () => {
  it('09:00 Beijing is 01:00Z', () => {
    expect(at('2025-10-09', '09:00').toISOString()).toBe('2025-10-09T01:00:00.000Z');
    expect(at('2025-01-01').toISOString()).toBe('2024-12-31T16:00:00.000Z');
  });
  it('local date of an instant crosses midnight at 16:00Z', () => {
    expect(toShanghaiDateString(new Date('2025-10-08T15:59:59.999Z'))).toBe('2025-10-08');
    expect(toShanghaiDateString(new Date('2025-10-08T16:00:00.000Z'))).toBe('2025-10-09');
  });
  it('dateRange is inclusive and crosses month ends', () => {
    expect(dateRange('2025-01-28', '2025-02-04')).toEqual([
      '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04',
    ]);
  });
});

describe('isWorkingDay', () => {
  it('weekdays work, weekends do not (no holiday data)', () => {
    expect(plain.isWorkingDay('2025-09-26')).toBe(true); // Friday
    expect(plain.isWorkingDay('2025-09-27')).toBe(false); // Saturday
    expect(plain.isWorkingDay('2025-09-28')).toBe(false); // Sunday
    expect(plain.isWorkingDay('2025-10-01')).toBe(true); // Wednesday, but no holiday data
  });
  it('make-up Sunday 2025-09-28 and Saturday 2025-10-11 are working days', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true);
    expect(cal.isWorkingDay('2025-10-11')).toBe(true);
    expect(cal.isWorkingDay('2025-09-27')).toBe(false); // ordinary Saturday
  });
  it('国庆 2025-10-01..08 are days off, 10-09 works', () => {
    for (const d of dateRange('2025-10-01', '2025-10-08')) expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
  });
  it('春节 2025 and 2026', () => {
    for (const d of dateRange('2025-01-28', '2025-02-04')) expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.isWorkingDay('2025-01-26')).toBe(true);
    expect(cal.isWorkingDay('2025-02-08')).toBe(true);
    for (const d of dateRange('2026-02-15', '2026-02-23')) expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
  });
  it('custom weekend days', () => {
    const c = new WorkingCalendar({ weekendDays: [5] }); // Friday off only
    expect(c.isWorkingDay('2025-09-26')).toBe(false);
    expect(c.isWorkingDay('2025-09-27')).toBe(true);
  });
});

describe('CHINA_2025_2026_HOLIDAYS data', () => {
  const weekday = (d: string) => (((parseDateString(d) + 4) % 7) + 7) % 7;
  it('every make-up day falls on a weekend, none is a holiday', () => {
    for (const d of CHINA_2025_2026_HOLIDAYS.makeUpWorkdays) {
      expect([0, 6], d).toContain(weekday(d));
      expect(CHINA_2025_2026_HOLIDAYS.holidays).not.toContain(d);
    }
  });
  it('counts: 2025 lists 28 days off and 5 make-up days; 2026 lists 33 days off and 6 make-up days', () => {
    const h25 = CHINA_2025_2026_HOLIDAYS.holidays.filter((d) => d.startsWith('2025'));
    const h26 = CHINA_2025_2026_HOLIDAYS.holidays.filter((d) => d.startsWith('2026'));
    expect(h25.length).toBe(1 + 8 + 3 + 5 + 3 + 8);
    expect(h26.length).toBe(3 + 9 + 3 + 5 + 3 + 3 + 7);
    expect(CHINA_2025_2026_HOLIDAYS.makeUpWorkdays.filter((d) => d.startsWith('2025'))).toHaveLength(5);
    expect(CHINA_2025_2026_HOLIDAYS.makeUpWorkdays.filter((d) => d.startsWith('2026'))).toHaveLength(6);
    expect(new Set(CHINA_2025_2026_HOLIDAYS.holidays).size).toBe(CHINA_2025_2026_HOLIDAYS.holidays.length);
  });
  it('is frozen', () => {
    expect(Object.isFrozen(CHINA_2025_2026_HOLIDAYS.holidays)).toBe(true);
  });
});

describe('isWorkingTime', () => {
  it('intervals are half-open and the lunch break is off', () => {
    expect(cal.isWorkingTime(at('2025-10-09', '08:59'))).toBe(false);
    expect(cal.isWorkingTime(at('2025-10-09', '09:00'))).toBe(true);
    expect(cal.isWorkingTime(at('2025-10-09', '11:59'))).toBe(true);
    expect(cal.isWorkingTime(at('2025-10-09', '12:00'))).toBe(false);
    expect(cal.isWorkingTime(at('2025-10-09', '13:29'))).toBe(false);
    expect(cal.isWorkingTime(at('2025-10-09', '13:30'))).toBe(true);
    expect(cal.isWorkingTime(new Date(at('2025-10-09', '17:30').getTime() - 1))).toBe(true);
    expect(cal.isWorkingTime(at('2025-10-09', '17:30'))).toBe(false);
  });
  it('not on weekends or holidays, yes on make-up days', () => {
    expect(cal.isWorkingTime(at('2025-10-04', '10:00'))).toBe(false);
    expect(cal.isWorkingTime(at('2025-09-27', '10:00'))).toBe(false);
    expect(cal.isWorkingTime(at('2025-09-28', '10:00'))).toBe(true);
  });
});

describe('addWorkingMinutes', () => {
  it('Friday 17:00 + 60 → Monday 09:30', () => {
    expect(plain.addWorkingMinutes(at('2025-09-19', '17:00'), 60)).toEqual(at('2025-09-22', '09:30'));
  });
  it('lunch break skipped: 11:50 + 20 → 13:40', () => {
    expect(plain.addWorkingMinutes(at('2025-09-22', '11:50'), 20)).toEqual(at('2025-09-22', '13:40'));
  });
  it('a budget that ends exactly at an interval end lands on the end, not the next start', () => {
    expect(plain.addWorkingMinutes(at('2025-09-22', '11:50'), 10)).toEqual(at('2025-09-22', '12:00'));
    expect(plain.addWorkingMinutes(at('2025-09-19', '17:00'), 30)).toEqual(at('2025-09-19', '17:30'));
    expect(plain.addWorkingMinutes(at('2025-09-22', '09:00'), 420)).toEqual(at('2025-09-22', '17:30'));
  });
  it('start on Saturday → Monday 09:00 + n', () => {
    expect(plain.addWorkingMinutes(at('2025-09-20', '10:15'), 1)).toEqual(at('2025-09-22', '09:01'));
    expect(plain.addWorkingMinutes(at('2025-09-20', '10:15'), 45)).toEqual(at('2025-09-22', '09:45'));
    expect(plain.addWorkingMinutes(at('2025-09-20', '10:15'), 200)).toEqual(at('2025-09-22', '13:50'));
  });
  it('starts outside working time count from the next interval start', () => {
    expect(plain.addWorkingMinutes(at('2025-09-22', '07:00'), 10)).toEqual(at('2025-09-22', '09:10'));
    expect(plain.addWorkingMinutes(at('2025-09-22', '12:30'), 10)).toEqual(at('2025-09-22', '13:40'));
    expect(plain.addWorkingMinutes(at('2025-09-22', '20:00'), 10)).toEqual(at('2025-09-23', '09:10'));
  });
  it('zero minutes returns the start unchanged (even outside working time)', () => {
    expect(plain.addWorkingMinutes(at('2025-09-20', '10:15'), 0)).toEqual(at('2025-09-20', '10:15'));
  });
  it('is exact to the millisecond', () => {
    const start = new Date(at('2025-09-22', '11:59').getTime() + 30_500);
    // 29.5 s left before lunch, then 30.5 s after 13:30 → 13:30:30.500
    expect(plain.addWorkingMinutes(start, 1)).toEqual(new Date(at('2025-09-22', '13:30').getTime() + 30_500));
    expect(plain.addWorkingMinutes(at('2025-09-22', '09:00'), 0.0005)).toEqual(new Date(at('2025-09-22', '09:00').getTime() + 30));
  });
  it('make-up Sunday 2025-09-28 counts as a working day', () => {
    expect(cal.addWorkingMinutes(at('2025-09-26', '17:00'), 60)).toEqual(at('2025-09-28', '09:30'));
    expect(plain.addWorkingMinutes(at('2025-09-26', '17:00'), 60)).toEqual(at('2025-09-29', '09:30'));
  });
  it('国庆 2025-10-01..08 is skipped', () => {
    expect(cal.addWorkingMinutes(at('2025-09-30', '17:00'), 60)).toEqual(at('2025-10-09', '09:30'));
  });
  it('does not mutate its input', () => {
    const s = at('2025-09-22', '10:00');
    cal.addWorkingMinutes(s, 100);
    expect(s).toEqual(at('2025-09-22', '10:00'));
  });
  it('matches a minute-by-minute reference over holidays and weekends (seeded)', () => {
    const r = rng(42);
    const base = at('2024-12-20').getTime();
    const span = at('2027-01-10').getTime() - base;
    for (let i = 0; i < 120; i++) {
      const start = new Date(base + Math.floor((r() * span) / 60_000) * 60_000);
      const m = Math.floor(r() * 7000); // up to ~16.7 working days
      expect(cal.addWorkingMinutes(start, m), `${start.toISOString()} + ${m}`).toEqual(naiveAdd(cal, start, m));
    }
  });
  it('is fast for long spans (no minute walking)', () => {
    const t0 = performance.now();
    const end = plain.addWorkingMinutes(at('2025-01-01'), 420 * 250 * 40); // ~40 years
    expect(performance.now() - t0).toBeLessThan(200);
    expect(plain.workingMinutesBetween(at('2025-01-01'), end)).toBe(420 * 250 * 40);
  });
});

describe('addWorkingDays', () => {
  it('a working day is 420 working minutes with the default hours', () => {
    expect(plain.workingMinutesPerDay).toBe(420);
  });
  it('2025-09-30 17:00 + 1 working day → 2025-10-09 17:00 (over 国庆)', () => {
    expect(cal.addWorkingDays(at('2025-09-30', '17:00'), 1)).toEqual(at('2025-10-09', '17:00'));
  });
  it('same time of day N working days later when starting in working time', () => {
    expect(plain.addWorkingDays(at('2025-09-24', '10:00'), 3)).toEqual(at('2025-09-29', '10:00')); // Wed → Mon
  });
  it('starting outside working time ends at the close of the Nth working day', () => {
    expect(plain.addWorkingDays(at('2025-09-20', '10:00'), 1)).toEqual(at('2025-09-22', '17:30')); // Sat → Mon
    expect(plain.addWorkingDays(at('2025-09-22', '18:00'), 2)).toEqual(at('2025-09-24', '17:30'));
  });
  it('15 working days over 国庆 with make-up days', () => {
    // From Thu 2025-09-25 10:00: 9-26, 9-28 (make-up Sun), 9-29, 9-30, then 10-09, 10-10, 10-11 (make-up Sat), 10-13…
    const end = cal.addWorkingDays(at('2025-09-25', '10:00'), 15);
    expect(end).toEqual(at('2025-10-22', '10:00'));
    expect(cal.workingMinutesBetween(at('2025-09-25', '10:00'), end)).toBe(15 * 420);
  });
  it('fractional days', () => {
    expect(plain.addWorkingDays(at('2025-09-22', '09:00'), 0.5)).toEqual(at('2025-09-22', '14:00'));
  });
});

describe('workingMinutesBetween', () => {
  it('counts only working intervals', () => {
    expect(plain.workingMinutesBetween(at('2025-09-22', '11:50'), at('2025-09-22', '13:40'))).toBe(20);
    expect(plain.workingMinutesBetween(at('2025-09-19', '17:00'), at('2025-09-22', '09:30'))).toBe(60);
    expect(plain.workingMinutesBetween(at('2025-09-20', '00:00'), at('2025-09-21', '23:59'))).toBe(0);
    expect(plain.workingMinutesBetween(at('2025-09-22'), at('2025-09-29'))).toBe(5 * 420);
    expect(cal.workingMinutesBetween(at('2025-09-22'), at('2025-10-13'))).toBe((5 + 3 + 1 + 2) * 420);
  });
  it('is zero for equal instants and negative when reversed', () => {
    const a = at('2025-09-22', '10:00');
    expect(plain.workingMinutesBetween(a, a)).toBe(0);
    expect(plain.workingMinutesBetween(at('2025-09-22', '11:00'), a)).toBe(-60);
  });
  it('is fractional for sub-minute spans', () => {
    expect(plain.workingMinutesBetween(at('2025-09-22', '10:00'), new Date(at('2025-09-22', '10:00').getTime() + 30_000))).toBe(0.5);
  });
  it('round trip: 1,000 seeded starts in working time', () => {
    const r = rng(20250930);
    const base = at('2025-01-01').getTime();
    const span = at('2026-12-31').getTime() - base;
    let checked = 0;
    while (checked < 1000) {
      const start = new Date(base + Math.floor(r() * span));
      if (!cal.isWorkingTime(start)) continue;
      const m = Math.floor(r() * 20_000);
      const end = cal.addWorkingMinutes(start, m);
      expect(cal.workingMinutesBetween(start, end), `${start.toISOString()} + ${m}`).toBe(m);
      expect(end.getTime()).toBeGreaterThanOrEqual(start.getTime());
      checked++;
    }
  });
  it('round trip also holds from arbitrary (non-working) starts, ms-precise', () => {
    const r = rng(7);
    const base = at('2025-01-01').getTime();
    const span = at('2026-12-31').getTime() - base;
    for (let i = 0; i < 1000; i++) {
      const start = new Date(base + Math.floor(r() * span));
      const ms = Math.floor(r() * 20_000 * 60_000);
      const end = cal.addWorkingMinutes(start, ms / 60_000);
      expect(Math.round(cal.workingMinutesBetween(start, end) * 60_000)).toBe(ms);
    }
  });
});

describe('validation', () => {
  it('rejects bad working hours', () => {
    expect(() => new WorkingCalendar({ workingHours: [{ start: '9:00', end: '12:00' }] })).toThrow(/invalid time '9:00'/);
    expect(() => new WorkingCalendar({ workingHours: [{ start: '09:60', end: '12:00' }] })).toThrow(/invalid time/);
    expect(() => new WorkingCalendar({ workingHours: [{ start: '24:00', end: '24:00' }] })).toThrow(/invalid time/);
    expect(() => new WorkingCalendar({ workingHours: [{ start: '12:00', end: '12:00' }] })).toThrow(/must be after start/);
    expect(() => new WorkingCalendar({ workingHours: [{ start: '13:00', end: '12:00' }] })).toThrow(/must be after start/);
    expect(() => new WorkingCalendar({ workingHours: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '14:00' }] })).toThrow(/overlap/);
    expect(() => new WorkingCalendar({ workingHours: [] })).toThrow(/non-empty/);
  });
  it('accepts 24:00 as an end and adjacent intervals', () => {
    const c = new WorkingCalendar({ workingHours: [{ start: '00:00', end: '12:00' }, { start: '12:00', end: '24:00' }], weekendDays: [] });
    expect(c.workingMinutesPerDay).toBe(1440);
    expect(c.addWorkingMinutes(at('2025-09-20', '23:00'), 120)).toEqual(at('2025-09-21', '01:00'));
  });
  it('rejects bad dates and conflicts', () => {
    expect(() => new WorkingCalendar({ holidays: ['2025-02-30'] })).toThrow(/no such calendar day/);
    expect(() => new WorkingCalendar({ holidays: ['2025/10/01'] })).toThrow(/invalid date/);
    expect(() => new WorkingCalendar({ makeUpWorkdays: ['2025-9-28'] })).toThrow(/invalid date/);
    expect(() => new WorkingCalendar({ holidays: ['2025-10-01'], makeUpWorkdays: ['2025-10-01'] })).toThrow(/both/);
    expect(() => plain.isWorkingDay('2025-13-01')).toThrow(/invalid date/);
  });
  it('rejects bad weekend days and time zones', () => {
    expect(() => new WorkingCalendar({ weekendDays: [7] })).toThrow(/invalid weekend day/);
    expect(() => new WorkingCalendar({ weekendDays: [0, 0] })).toThrow(/twice/);
    expect(() => new WorkingCalendar({ weekendDays: [0, 1, 2, 3, 4, 5, 6] })).toThrow(/no working time/);
    expect(() => new WorkingCalendar({ timeZone: 'UTC' as 'Asia/Shanghai' })).toThrow(/unsupported time zone/);
  });
  it('rejects negative or non-finite amounts and invalid dates', () => {
    const s = at('2025-09-22', '10:00');
    expect(() => plain.addWorkingMinutes(s, -1)).toThrow(/negative/);
    expect(() => plain.addWorkingMinutes(s, Number.NaN)).toThrow(/finite/);
    expect(() => plain.addWorkingMinutes(s, Number.POSITIVE_INFINITY)).toThrow(/finite/);
    expect(() => plain.addWorkingDays(s, -0.5)).toThrow(/negative/);
    expect(() => plain.addWorkingMinutes(new Date('nope'), 1)).toThrow(/valid Date/);
    expect(() => plain.workingMinutesBetween(s, new Date(Number.NaN))).toThrow(/valid Date/);
    expect(() => plain.isWorkingTime(new Date(Number.NaN))).toThrow(/valid Date/);
  });
});
