import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Database, Executor } from '../../db/client.ts';
import { AppError } from '../../shared/errors.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize } from '../policy/authorize.ts';
import { CLOCK_KINDS, DEFAULT_SLA_RULES, TRIAGE_COLORS, validateClockRule, type CategoryOverrides, type ClockRule, type SlaRuleSet, type SlaRules } from './sla-policy.ts';
import { CHINA_2025_2026_HOLIDAYS, WorkingCalendar, type WorkingHoursInterval } from './working-calendar.ts';

/** A city's clocks and calendar as the SLA code uses them. */
export interface CitySla {
  rules: SlaRuleSet;
  calendar: WorkingCalendar;
}

interface SettingsRow {
  rules: unknown;
  working_hours: unknown;
  weekend_days: unknown;
  holidays: unknown;
  make_up_workdays: unknown;
}

const json = <T>(value: unknown): T | null => (value === null || value === undefined ? null : ((typeof value === 'string' ? JSON.parse(value) : value) as T));

/** National defaults, overridden by whatever the city entered (throws on malformed data). */
export function buildCitySla(row: SettingsRow | null): CitySla {
  const overrides = json<CategoryOverrides>(row?.rules) ?? {};
  const defaults = Object.fromEntries(
    CLOCK_KINDS.map((kind) => [kind, Object.fromEntries(TRIAGE_COLORS.map((color) => [color, overrides[kind]?.[color] ?? DEFAULT_SLA_RULES[kind][color]]))]),
  ) as SlaRules;
  const calendar = new WorkingCalendar({
    workingHours: json<WorkingHoursInterval[]>(row?.working_hours) ?? undefined,
    weekendDays: json<number[]>(row?.weekend_days) ?? undefined,
    holidays: json<string[]>(row?.holidays) ?? [...CHINA_2025_2026_HOLIDAYS.holidays],
    makeUpWorkdays: json<string[]>(row?.make_up_workdays) ?? [...CHINA_2025_2026_HOLIDAYS.makeUpWorkdays],
  });
  return { rules: { defaults }, calendar };
}

const NATIONAL = buildCitySla(null);
const TTL_MS = 30_000;
const caches = new WeakMap<Database, Map<number, { value: CitySla; until: number }>>();

/** The city's clocks and calendar, cached per process for 30 s (an edit here clears this process's copy at once). */
export async function citySla(database: Database, cityId: number, executor?: Executor): Promise<CitySla> {
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new Map()));
  const hit = cache.get(cityId);
  if (hit && hit.until > Date.now()) return hit.value;
  const [row] = await database.rows<SettingsRow>(sql`SELECT rules, working_hours, weekend_days, holidays, make_up_workdays FROM city_sla_settings WHERE city_id = ${cityId}`, executor);
  let value = NATIONAL;
  if (row) {
    try {
      value = buildCitySla(row);
    } catch {
      value = NATIONAL; // stored settings are validated on save; never stop the clocks over them
    }
  }
  cache.set(cityId, { value, until: Date.now() + TTL_MS });
  return value;
}

export interface SlaSettingsInput {
  rules?: Partial<Record<string, Partial<Record<string, ClockRule>>>> | null;
  workingHours?: WorkingHoursInterval[] | null;
  weekendDays?: number[] | null;
  holidays?: string[] | null;
  makeUpWorkdays?: string[] | null;
}

async function cityNode(context: AppContext, cityId: number) {
  const [node] = await context.database.rows<{ path: string }>(sql`SELECT path FROM region_nodes WHERE city_id = ${cityId} AND level = 'city' AND valid_to IS NULL LIMIT 1`);
  if (!node) throw new AppError('not_found', 'The city has no region tree yet');
  return node;
}

function present(row: SettingsRow | null) {
  const effective = buildCitySla(row);
  return {
    rules: json(row?.rules),
    workingHours: json(row?.working_hours),
    weekendDays: json(row?.weekend_days),
    holidays: json(row?.holidays),
    makeUpWorkdays: json(row?.make_up_workdays),
    /** What the clocks use now: the city's entries over the national defaults. */
    effective: { rules: effective.rules.defaults, ...effective.calendar.data },
  };
}

export async function getSlaSettings(context: AppContext, actor: Actor) {
  const [row] = await context.database.rows<SettingsRow>(sql`SELECT rules, working_hours, weekend_days, holidays, make_up_workdays FROM city_sla_settings WHERE city_id = ${actor.cityId}`);
  return present(row ?? null);
}

/** The city administrator enters the city's clocks and calendar; everything is validated before it is stored. */
export async function updateSlaSettings(context: AppContext, actor: Actor, input: SlaSettingsInput) {
  const node = await cityNode(context, actor.cityId);
  authorize(actor, 'region', 'update', { cityId: actor.cityId, regionPath: node.path });
  for (const [kind, byColor] of Object.entries(input.rules ?? {})) {
    if (!(CLOCK_KINDS as readonly string[]).includes(kind)) throw new AppError('validation_failed', `Unknown clock '${kind}' (${CLOCK_KINDS.join(', ')})`);
    for (const [color, rule] of Object.entries(byColor ?? {})) {
      if (!(TRIAGE_COLORS as readonly string[]).includes(color)) throw new AppError('validation_failed', `Unknown colour '${color}' (${TRIAGE_COLORS.join(', ')})`);
      try {
        validateClockRule(rule, `${kind}/${color}`);
      } catch (error) {
        throw new AppError('validation_failed', (error as Error).message);
      }
    }
  }
  const row: SettingsRow = {
    rules: input.rules ?? null,
    working_hours: input.workingHours ?? null,
    weekend_days: input.weekendDays ?? null,
    holidays: input.holidays ?? null,
    make_up_workdays: input.makeUpWorkdays ?? null,
  };
  try {
    buildCitySla(row);
  } catch (error) {
    throw new AppError('validation_failed', (error as Error).message.replace(/^WorkingCalendar: /, ''));
  }
  const value = (v: unknown) => (v === null ? null : JSON.stringify(v));
  await context.database.db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO city_sla_settings (city_id, rules, working_hours, weekend_days, holidays, make_up_workdays, updated_at, updated_by)
      VALUES (${actor.cityId}, ${value(row.rules)}::jsonb, ${value(row.working_hours)}::jsonb, ${value(row.weekend_days)}::jsonb, ${value(row.holidays)}::jsonb,
        ${value(row.make_up_workdays)}::jsonb, now(), ${actor.userId})
      ON CONFLICT (city_id) DO UPDATE SET rules = EXCLUDED.rules, working_hours = EXCLUDED.working_hours, weekend_days = EXCLUDED.weekend_days,
        holidays = EXCLUDED.holidays, make_up_workdays = EXCLUDED.make_up_workdays, updated_at = now(), updated_by = EXCLUDED.updated_by`);
    await appendAudit(context.database, tx, auditOf(actor, 'sla_settings.update', 'city', actor.cityId, { fields: Object.keys(input) }));
  });
  caches.get(context.database)?.delete(actor.cityId);
  return present(row);
}
