import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { getSlaSettings, updateSlaSettings, type SlaSettingsInput } from './sla-settings.service.ts';

const Rule = Type.Object(
  { amount: Type.Number({ minimum: 0, maximum: 100000 }), unit: Type.Union(['minutes', 'hours', 'working_minutes', 'working_hours', 'working_days'].map((u) => Type.Literal(u))) },
  { additionalProperties: false },
);
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const SlaSettingsBody = Type.Object(
  {
    rules: Type.Optional(Type.Union([Type.Null(), Type.Record(Type.String({ maxLength: 20 }), Type.Record(Type.String({ maxLength: 10 }), Rule))])),
    workingHours: Type.Optional(
      Type.Union([Type.Null(), Type.Array(Type.Object({ start: Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' }), end: Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$' }) }, { additionalProperties: false }), { minItems: 1, maxItems: 6 })]),
    ),
    weekendDays: Type.Optional(Type.Union([Type.Null(), Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })])),
    holidays: Type.Optional(Type.Union([Type.Null(), Type.Array(Day, { maxItems: 2000 })])),
    makeUpWorkdays: Type.Optional(Type.Union([Type.Null(), Type.Array(Day, { maxItems: 2000 })])),
  },
  { additionalProperties: false },
);

/** The city's SLA clocks and working calendar (holidays, 调休 make-up days, office hours), entered as data. */
export function slaRoutes(app: App, context: AppContext) {
  const tags = ['sla'];
  app.get('/api/v1/sla-settings', { schema: { tags, summary: "Your city's SLA clocks and working calendar (entries and what is in effect)" } }, async (request) =>
    getSlaSettings(context, await authenticate(context, request)),
  );
  app.put('/api/v1/sla-settings', { schema: { tags, body: SlaSettingsBody, summary: 'Enter the city\'s SLA clocks and working calendar (city administrator)' } }, async (request) =>
    updateSlaSettings(context, await authenticate(context, request), request.body as SlaSettingsInput),
  );
}
