import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { sendLedger } from '../community/list-export.ts';
import { IdParams } from '../regions/regions.schemas.ts';
import { AdjustmentBody, BalanceExportQuery, BalanceQuery, EntryExportQuery, EntryQuery, RulesBody, SettingsBody } from './unit-points.schemas.ts';
import * as service from './unit-points.service.ts';

/** 量化积分管理: a community's settings and rules, the balances of its units, one unit's ledger, manual adjustments. */
export function unitPointRoutes(app: App, context: AppContext) {
  const tags = ['unit-points'];
  app.get('/api/v1/unit-points/communities/:id/settings', { schema: { tags, params: IdParams, summary: "A community's base points, thresholds and rules (defaults where unset)" } }, async (request) =>
    service.getSettings(context, await authenticate(context, request), request.params.id),
  );
  app.put('/api/v1/unit-points/communities/:id/settings', { schema: { tags, params: IdParams, body: SettingsBody, summary: 'Set base points, booking minimum and honour threshold (minimum < threshold)' } }, async (request) =>
    service.updateSettings(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.put('/api/v1/unit-points/communities/:id/rules', { schema: { tags, params: IdParams, body: RulesBody, summary: 'Set the points each kind of participation earns (or costs)' } }, async (request) =>
    service.updateRules(context, await authenticate(context, request), request.params.id, request.body),
  );
  app.get('/api/v1/unit-points/balances', { schema: { tags, querystring: BalanceQuery, summary: 'Balances of units with their standing (restricted < minimum, honoured > threshold)' } }, async (request) =>
    service.listBalances(context, await authenticate(context, request), request.query),
  );
  app.get('/api/v1/unit-points/balances/export.xlsx', { schema: { tags, querystring: BalanceExportQuery, summary: 'The balances as an Excel ledger (same filters)' } }, async (request, reply) =>
    sendLedger(request, reply, await service.balanceLedger(context, await authenticate(context, request), request.query)),
  );
  app.get('/api/v1/unit-points/units/:id/entries', { schema: { tags, params: IdParams, querystring: EntryQuery, summary: "One unit's balance and ledger entries in a community" } }, async (request) =>
    service.unitLedger(context, await authenticate(context, request), request.params.id, request.query),
  );
  app.get('/api/v1/unit-points/units/:id/entries/export.xlsx', { schema: { tags, params: IdParams, querystring: EntryExportQuery, summary: "One unit's ledger entries as Excel" } }, async (request, reply) =>
    sendLedger(request, reply, await service.unitEntryLedger(context, await authenticate(context, request), request.params.id, request.query)),
  );
  app.post('/api/v1/unit-points/units/:id/adjustments', { schema: { tags, params: IdParams, body: AdjustmentBody, summary: 'Add or take points by hand, with a required note (audited)' } }, async (request) =>
    service.adjust(context, await authenticate(context, request), request.params.id, request.body),
  );
}
