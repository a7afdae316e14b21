/**
 * SLA clocks for the resident-request loop (pure: no database, no I/O).
 *
 * Each clock (dispatch, contact, resolve, department report-in, callback) has a rule per triage colour.
 * Rules are configurable per city (each city passes its own `SlaRuleSet` and `WorkingCalendar`) and per
 * category (`byCategory` overrides win over `defaults`).
 *
 * Clock starts (for callers): dispatch — request received; contact — dispatch; resolve — request received;
 * report_in — summons issued; callback — department reply.
 */
import type { WorkingCalendar } from './working-calendar.ts';

export type TriageColor = 'red' | 'orange' | 'yellow' | 'green';
export type ClockKind = 'dispatch' | 'contact' | 'resolve' | 'report_in' | 'callback';

export const TRIAGE_COLORS: readonly TriageColor[] = Object.freeze(['red', 'orange', 'yellow', 'green']);
export const CLOCK_KINDS: readonly ClockKind[] = Object.freeze(['dispatch', 'contact', 'resolve', 'report_in', 'callback']);

export type ClockUnit = 'minutes' | 'hours' | 'working_minutes' | 'working_hours' | 'working_days';
export const CLOCK_UNITS: readonly ClockUnit[] = Object.freeze(['minutes', 'hours', 'working_minutes', 'working_hours', 'working_days']);

/** 'minutes' / 'hours' run around the clock; 'working_*' run on the working calendar. */
export interface ClockRule {
  amount: number;
  unit: ClockUnit;
}

export type SlaRules = Record<ClockKind, Record<TriageColor, ClockRule>>;

const rule = (amount: number, unit: ClockUnit): ClockRule => Object.freeze({ amount, unit });
const allColors = (r: ClockRule): Record<TriageColor, ClockRule> => Object.freeze({ red: r, orange: r, yellow: r, green: r });

/**
 * Defaults from the issue: dispatch within 10 working minutes (red: 10 minutes around the clock); contact
 * within 30 minutes of dispatch (around the clock); resolve red 24 h, orange 3 / yellow 7 / green 15 working
 * days; department report-in within 2 working hours of a summons; callback within 1 working day of the reply.
 */
export const DEFAULT_SLA_RULES: SlaRules = Object.freeze({
  dispatch: Object.freeze({
    red: rule(10, 'minutes'),
    orange: rule(10, 'working_minutes'),
    yellow: rule(10, 'working_minutes'),
    green: rule(10, 'working_minutes'),
  }),
  contact: allColors(rule(30, 'minutes')),
  resolve: Object.freeze({
    red: rule(24, 'hours'),
    orange: rule(3, 'working_days'),
    yellow: rule(7, 'working_days'),
    green: rule(15, 'working_days'),
  }),
  report_in: allColors(rule(2, 'working_hours')),
  callback: allColors(rule(1, 'working_days')),
});

export type CategoryOverrides = Partial<Record<ClockKind, Partial<Record<TriageColor, ClockRule>>>>;

export interface SlaRuleSet {
  defaults: typeof DEFAULT_SLA_RULES;
  /** Category code → overrides; an override for (kind, colour) wins over the default. */
  byCategory?: Record<string, CategoryOverrides>;
}

export const DEFAULT_SLA_RULE_SET: SlaRuleSet = Object.freeze({ defaults: DEFAULT_SLA_RULES });

/** Throws a clear error when a rule is malformed (unknown unit, negative or non-finite amount). */
export function validateClockRule(r: unknown, what = 'ClockRule'): asserts r is ClockRule {
  if (r === null || typeof r !== 'object') throw new Error(`${what}: expected { amount, unit }, got ${String(r)}`);
  const { amount, unit } = r as { amount: unknown; unit: unknown };
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    throw new Error(`${what}: amount must be a finite non-negative number, got ${String(amount)}`);
  }
  if (typeof unit !== 'string' || !(CLOCK_UNITS as readonly string[]).includes(unit)) {
    throw new Error(`${what}: unknown unit '${String(unit)}' (expected one of ${CLOCK_UNITS.join(', ')})`);
  }
}

function assertKindAndColor(kind: unknown, color: unknown): void {
  if (!(CLOCK_KINDS as readonly unknown[]).includes(kind)) throw new Error(`unknown clock kind '${String(kind)}'`);
  if (!(TRIAGE_COLORS as readonly unknown[]).includes(color)) throw new Error(`unknown triage colour '${String(color)}'`);
}

/** The rule for a clock and colour: the category override if there is one, else the default. */
export function resolveRule(rules: SlaRuleSet, kind: ClockKind, color: TriageColor, category?: string): ClockRule {
  assertKindAndColor(kind, color);
  const override = category !== undefined ? rules.byCategory?.[category]?.[kind]?.[color] : undefined;
  const chosen = override ?? rules.defaults[kind]?.[color];
  validateClockRule(chosen, `SLA rule ${kind}/${color}${override ? ` (category '${category}')` : ''}`);
  return chosen;
}

/** The deadline of a clock that starts at `start` under `rule`. */
export function deadlineFor(calendar: WorkingCalendar, r: ClockRule, start: Date): Date {
  validateClockRule(r);
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) throw new Error(`deadlineFor: expected a valid start Date, got ${String(start)}`);
  switch (r.unit) {
    case 'minutes':
      return new Date(start.getTime() + Math.round(r.amount * 60_000));
    case 'hours':
      return new Date(start.getTime() + Math.round(r.amount * 3_600_000));
    case 'working_minutes':
      return calendar.addWorkingMinutes(start, r.amount);
    case 'working_hours':
      return calendar.addWorkingMinutes(start, r.amount * 60);
    case 'working_days':
      return calendar.addWorkingDays(start, r.amount);
  }
}

/** Convenience: resolve the rule for (kind, colour, category) and compute its deadline from `start`. */
export function clockDeadline(
  calendar: WorkingCalendar,
  rules: SlaRuleSet,
  kind: ClockKind,
  color: TriageColor,
  start: Date,
  category?: string,
): Date {
  return deadlineFor(calendar, resolveRule(rules, kind, color, category), start);
}
