import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { checkHours, checkNotFuture, chinaDate, reportingPeriod } from './reporting-period.ts';

describe('reporting periods (Asia/Shanghai)', () => {
  it('defaults to the quarter of the China date, which is a day ahead of UTC late in the evening', () => {
    const lateEvening = new Date('2026-03-31T17:30:00Z'); // 2026-04-01 01:30 in Shanghai
    expect(chinaDate(lateEvening)).toBe('2026-04-01');
    expect(reportingPeriod({}, lateEvening)).toMatchObject({ year: 2026, quarter: 2, from: '2026-04-01', until: '2026-07-01', key: '2026Q2', label: '2026年第2季度' });
  });
  it('a fourth quarter ends at the next new year; a year alone is the whole year', () => {
    expect(reportingPeriod({ year: 2025, quarter: 4 })).toMatchObject({ from: '2025-10-01', until: '2026-01-01' });
    expect(reportingPeriod({ year: 2025 })).toMatchObject({ quarter: null, from: '2025-01-01', until: '2026-01-01', key: '2025', label: '2025年度' });
  });
  it('hours: more than 0, at most 24, two decimals', () => {
    for (const ok of [0.01, 2.5, 24]) expect(() => checkHours(ok)).not.toThrow();
    for (const bad of [0, -1, 24.01, 1.005, Number.NaN]) expect(() => checkHours(bad)).toThrow(AppError);
  });
  it('a day after the China date is in the future', () => {
    const now = new Date('2026-11-25T02:00:00Z');
    expect(() => checkNotFuture('2026-11-25', 'servedOn', now)).not.toThrow();
    expect(() => checkNotFuture('2026-11-26', 'servedOn', now)).toThrow(/future/);
  });
});
