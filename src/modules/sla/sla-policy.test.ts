import { describe, expect, it } from 'vitest';
import {
  CLOCK_KINDS,
  DEFAULT_SLA_RULES,
  DEFAULT_SLA_RULE_SET,
  TRIAGE_COLORS,
  clockDeadline,
  deadlineFor,
  resolveRule,
  type ClockRule,
  type SlaRuleSet,
} from './sla-policy.ts';
import { WorkingCalendar, chinaWorkingCalendar2025_2026, shanghaiInstant as at } from './working-calendar.ts';

const cal = chinaWorkingCalendar2025_2026();

describe('DEFAULT_SLA_RULES', () => {
  it('matches the issue', () => {
    expect(DEFAULT_SLA_RULES.dispatch).toEqual({
      red: { amount: 10, unit: 'minutes' },
      orange: { amount: 10, unit: 'working_minutes' },
      yellow: { amount: 10, unit: 'working_minutes' },
      green: { amount: 10, unit: 'working_minutes' },
    });
    for (const c of TRIAGE_COLORS) {
      expect(DEFAULT_SLA_RULES.contact[c]).toEqual({ amount: 30, unit: 'minutes' });
      expect(DEFAULT_SLA_RULES.report_in[c]).toEqual({ amount: 2, unit: 'working_hours' });
      expect(DEFAULT_SLA_RULES.callback[c]).toEqual({ amount: 1, unit: 'working_days' });
    }
    expect(DEFAULT_SLA_RULES.resolve).toEqual({
      red: { amount: 24, unit: 'hours' },
      orange: { amount: 3, unit: 'working_days' },
      yellow: { amount: 7, unit: 'working_days' },
      green: { amount: 15, unit: 'working_days' },
    });
  });
  it('covers every clock and colour and is frozen', () => {
    for (const k of CLOCK_KINDS) for (const c of TRIAGE_COLORS) expect(() => resolveRule(DEFAULT_SLA_RULE_SET, k, c)).not.toThrow();
    expect(Object.isFrozen(DEFAULT_SLA_RULES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SLA_RULES.resolve)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SLA_RULES.resolve.red)).toBe(true);
  });
});

describe('resolveRule', () => {
  const rules: SlaRuleSet = {
    defaults: DEFAULT_SLA_RULES,
    byCategory: {
      gas_leak: { resolve: { orange: { amount: 4, unit: 'hours' } }, dispatch: { yellow: { amount: 5, unit: 'minutes' } } },
      noise: {},
    },
  };
  it('a category override wins over the default', () => {
    expect(resolveRule(rules, 'resolve', 'orange', 'gas_leak')).toEqual({ amount: 4, unit: 'hours' });
    expect(resolveRule(rules, 'dispatch', 'yellow', 'gas_leak')).toEqual({ amount: 5, unit: 'minutes' });
  });
  it('falls back to the default for other colours, clocks, categories, or no category', () => {
    expect(resolveRule(rules, 'resolve', 'yellow', 'gas_leak')).toBe(DEFAULT_SLA_RULES.resolve.yellow);
    expect(resolveRule(rules, 'callback', 'orange', 'gas_leak')).toBe(DEFAULT_SLA_RULES.callback.orange);
    expect(resolveRule(rules, 'resolve', 'orange', 'noise')).toBe(DEFAULT_SLA_RULES.resolve.orange);
    expect(resolveRule(rules, 'resolve', 'orange', 'unknown_category')).toBe(DEFAULT_SLA_RULES.resolve.orange);
    expect(resolveRule(rules, 'resolve', 'orange')).toBe(DEFAULT_SLA_RULES.resolve.orange);
  });
  it('per-city defaults: a city passes its own rule set', () => {
    const city: SlaRuleSet = { defaults: { ...DEFAULT_SLA_RULES, contact: { ...DEFAULT_SLA_RULES.contact, green: { amount: 60, unit: 'minutes' } } } };
    expect(resolveRule(city, 'contact', 'green')).toEqual({ amount: 60, unit: 'minutes' });
    expect(resolveRule(city, 'contact', 'red')).toEqual({ amount: 30, unit: 'minutes' });
  });
  it('rejects unknown kinds/colours and malformed overrides', () => {
    expect(() => resolveRule(rules, 'nope' as 'resolve', 'red')).toThrow(/unknown clock kind/);
    expect(() => resolveRule(rules, 'resolve', 'blue' as 'red')).toThrow(/unknown triage colour/);
    const bad: SlaRuleSet = {
      defaults: DEFAULT_SLA_RULES,
      byCategory: { x: { resolve: { red: { amount: -1, unit: 'hours' } } }, y: { resolve: { red: { amount: 1, unit: 'weeks' as 'hours' } } } },
    };
    expect(() => resolveRule(bad, 'resolve', 'red', 'x')).toThrow(/category 'x'.*non-negative/);
    expect(() => resolveRule(bad, 'resolve', 'red', 'y')).toThrow(/unknown unit 'weeks'/);
  });
});

describe('deadlineFor', () => {
  it('red resolve is exactly 24 h later regardless of the calendar (holiday, weekend, night)', () => {
    const r = DEFAULT_SLA_RULES.resolve.red;
    for (const start of [at('2025-10-01', '03:17'), at('2025-09-27', '23:59'), new Date(at('2025-09-22', '10:00').getTime() + 123)]) {
      expect(deadlineFor(cal, r, start).getTime() - start.getTime()).toBe(24 * 3_600_000);
    }
  });
  it('red dispatch is 10 minutes around the clock; other colours 10 working minutes', () => {
    const sat = at('2025-09-27', '22:00');
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.dispatch.red, sat)).toEqual(at('2025-09-27', '22:10'));
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.dispatch.orange, sat)).toEqual(at('2025-09-28', '09:10')); // make-up Sunday
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.dispatch.green, at('2025-09-22', '11:55'))).toEqual(at('2025-09-22', '13:35'));
  });
  it('contact is 30 minutes after dispatch around the clock', () => {
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.contact.green, at('2025-10-03', '23:45'))).toEqual(at('2025-10-04', '00:15'));
  });
  it('orange resolve: 3 working days over a weekend', () => {
    // Thu 2025-09-18 15:00 → Fri, Mon, Tue → Tue 2025-09-23 15:00
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.resolve.orange, at('2025-09-18', '15:00'))).toEqual(at('2025-09-23', '15:00'));
    // Fri 2025-09-19 16:00 → Mon, Tue, Wed 16:00
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.resolve.orange, at('2025-09-19', '16:00'))).toEqual(at('2025-09-24', '16:00'));
  });
  it('yellow and green resolve over 国庆', () => {
    // Tue 2025-09-30 10:00 + 7 working days: 10-09, 10-10, 10-11 (make-up), 10-13, 10-14, 10-15, 10-16
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.resolve.yellow, at('2025-09-30', '10:00'))).toEqual(at('2025-10-16', '10:00'));
    const green = deadlineFor(cal, DEFAULT_SLA_RULES.resolve.green, at('2025-09-25', '10:00'));
    expect(green).toEqual(at('2025-10-22', '10:00'));
  });
  it('report-in: 2 working hours, across lunch and overnight', () => {
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.report_in.red, at('2025-09-22', '11:00'))).toEqual(at('2025-09-22', '14:30'));
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.report_in.red, at('2025-09-22', '17:00'))).toEqual(at('2025-09-23', '10:30'));
  });
  it('callback: 1 working day after the reply (over 国庆)', () => {
    expect(deadlineFor(cal, DEFAULT_SLA_RULES.callback.yellow, at('2025-09-30', '17:00'))).toEqual(at('2025-10-09', '17:00'));
  });
  it('zero amount is the start itself', () => {
    const s = at('2025-09-22', '10:00');
    for (const unit of ['minutes', 'hours', 'working_minutes', 'working_hours', 'working_days'] as const) {
      expect(deadlineFor(cal, { amount: 0, unit }, s)).toEqual(s);
    }
  });
  it('uses the calendar it is given', () => {
    const noHolidays = new WorkingCalendar();
    expect(deadlineFor(noHolidays, DEFAULT_SLA_RULES.callback.green, at('2025-09-30', '17:00'))).toEqual(at('2025-10-01', '17:00'));
  });
  it('rejects malformed rules and starts', () => {
    expect(() => deadlineFor(cal, { amount: -5, unit: 'minutes' }, at('2025-09-22'))).toThrow(/non-negative/);
    expect(() => deadlineFor(cal, { amount: Number.NaN, unit: 'minutes' }, at('2025-09-22'))).toThrow(/finite/);
    expect(() => deadlineFor(cal, { amount: 1, unit: 'days' } as unknown as ClockRule, at('2025-09-22'))).toThrow(/unknown unit/);
    expect(() => deadlineFor(cal, { amount: 1, unit: 'minutes' }, new Date('x'))).toThrow(/valid start Date/);
  });
});

describe('clockDeadline', () => {
  it('resolves the rule with category and computes the deadline', () => {
    const rules: SlaRuleSet = { defaults: DEFAULT_SLA_RULES, byCategory: { gas_leak: { resolve: { orange: { amount: 4, unit: 'hours' } } } } };
    const s = at('2025-10-02', '22:00');
    expect(clockDeadline(cal, rules, 'resolve', 'orange', s, 'gas_leak')).toEqual(at('2025-10-03', '02:00'));
    // Starts on a holiday night: 3 full working days 10-09, 10-10, 10-11 (make-up Saturday) → close of 10-11.
    expect(clockDeadline(cal, rules, 'resolve', 'orange', s)).toEqual(at('2025-10-11', '17:30'));
  });
});
