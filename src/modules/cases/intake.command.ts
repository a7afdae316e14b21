import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import { isValidMobilePhone } from '../../shared/personal-data.ts';
import type { ClientInfo } from '../auth/auth.service.ts';
import { auditOf } from '../auth/auth.service.ts';
import { locatePoint } from '../geography/geography.service.ts';
import { toWgs84, type Crs } from '../geography/coordinates.ts';
import type { Actor } from '../policy/actor.ts';
import { authorize } from '../policy/authorize.ts';
import { triageColor, type TriageColor } from './triage.ts';
import { clockDueAt } from '../sla/sla-clocks.ts';
import { citySla } from '../sla/sla-settings.service.ts';
import { ensureAuditHead, type AuditEntry } from '../audit/audit.service.ts';
import { insertNewCase, type NewCaseRow } from './intake.repository.ts';
import { intakeCaches } from './intake-cache.ts';
import { announceCaseEvents } from '../realtime/case-event-announcer.ts';
import { enforceRateLimit } from '../../shared/rate-limit.ts';
import { linkAttachments } from '../photos/attachments.repository.ts';
import type { TransactionHooks } from './case-action.command.ts';

export interface IntakeInput {
  channel: 'qr' | 'h5' | 'grid_worker' | 'hotline' | 'open311';
  cityCode?: string;
  /** The code printed in the QR (a building's or a grid's region code). */
  placeCode?: string;
  lng?: number;
  lat?: number;
  crs?: Crs;
  address?: string;
  categoryCode: string;
  title?: string;
  description: string;
  reporterName?: string;
  reporterPhone?: string;
  consent?: boolean;
  photoTokens?: string[];
}

export interface IntakeResult {
  id: number;
  number: string;
  trackingToken: string;
  triageColor: TriageColor;
  gridId: number;
  buildingId: number | null;
}

interface Place {
  cityId: number;
  gridId: number;
  buildingId: number | null;
  regionPath: string;
}

async function findNodeByCode(context: AppContext, code: string, cityCode?: string) {
  const rows = await context.database.rows<{ id: number; city_id: number; level: string; path: string; parent_id: number | null }>(sql`
    SELECT rn.id, rn.city_id, rn.level, rn.path, rn.parent_id FROM region_nodes rn JOIN cities c ON c.id = rn.city_id
    WHERE rn.code = ${code} AND rn.valid_to IS NULL ${cityCode ? sql`AND c.code = ${cityCode}` : sql``} LIMIT 2`);
  if (rows.length > 1) throw new AppError('validation_failed', 'The place code exists in several cities: give cityCode');
  return rows[0] ?? null;
}

/** Routes the report to a grid (and building) from the QR code or, failing that, from the point. */
async function resolvePlace(context: AppContext, input: IntakeInput, actorCityId: number | null): Promise<Place> {
  if (input.placeCode) {
    const code = input.placeCode;
    const node = (await intakeCaches(context).places.get(`${input.cityCode ?? ''}|${code}`, () => findNodeByCode(context, code, input.cityCode))) as Awaited<ReturnType<typeof findNodeByCode>>;
    if (!node || (actorCityId !== null && Number(node.city_id) !== actorCityId)) throw new AppError('validation_failed', `Unknown place code ${input.placeCode}`);
    if (node.level === 'building') return { cityId: Number(node.city_id), gridId: Number(node.parent_id), buildingId: Number(node.id), regionPath: node.path };
    if (node.level === 'grid') return { cityId: Number(node.city_id), gridId: Number(node.id), buildingId: null, regionPath: node.path };
    throw new AppError('validation_failed', 'The place code must be a building or a grid');
  }
  if (input.lng !== undefined && input.lat !== undefined) {
    let cityId = actorCityId;
    if (cityId === null) {
      if (!input.cityCode) throw new AppError('validation_failed', 'Give cityCode with coordinates');
      const [city] = await context.database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${input.cityCode}`);
      if (!city) throw new AppError('validation_failed', `Unknown city ${input.cityCode}`);
      cityId = Number(city.id);
    }
    const found = await locatePoint(context, cityId, input.lng, input.lat, input.crs ?? 'wgs84');
    if (found.gridId === null) throw new AppError('location_required', 'The point is outside every grid of the city');
    const [grid] = await context.database.rows<{ path: string }>(sql`SELECT path FROM region_nodes WHERE id = ${found.gridId}`);
    const nearBuilding = found.nearestBuilding && found.nearestBuilding.distanceMeters <= 50 ? found.nearestBuilding.id : null;
    const [building] = nearBuilding ? await context.database.rows<{ path: string; parent_id: number }>(sql`SELECT path, parent_id FROM region_nodes WHERE id = ${nearBuilding}`) : [];
    if (building && Number(building.parent_id) === found.gridId) return { cityId, gridId: found.gridId, buildingId: nearBuilding, regionPath: building.path };
    return { cityId, gridId: found.gridId, buildingId: null, regionPath: grid.path };
  }
  throw new AppError('location_required', 'A report needs a place: scan a building or grid code, or share a location');
}

/**
 * One intake for every channel: validate, route by geography, triage, then write the case, its first
 * event and the audit record in one transaction.
 */
export async function intakeCase(context: AppContext, actor: Actor | null, input: IntakeInput, client: ClientInfo, hooks: TransactionHooks<IntakeResult> = {}): Promise<IntakeResult> {
  const description = input.description.trim();
  if (description.length < 2) throw new AppError('validation_failed', 'Describe the problem in a few words');
  if (input.reporterPhone && !isValidMobilePhone(input.reporterPhone)) throw new AppError('validation_failed', 'Phone must be an 11-digit mainland mobile number');
  if ((input.reporterPhone || input.reporterName) && !input.consent) {
    throw new AppError('validation_failed', 'Contact details are kept only with the reporter\'s consent');
  }
  // Anonymous reports are limited per client and per place (a QR code), counted across all server processes.
  const anonymous = actor === null && (input.channel === 'qr' || input.channel === 'h5');
  const { intakeLimitPerClient, intakeLimitPerPlace, intakeLimitWindowSeconds } = context.config;
  if (anonymous) await enforceRateLimit(context, `intake-client:${client.ip ?? 'unknown'}`, intakeLimitPerClient, intakeLimitWindowSeconds, 'Too many reports from here: please try again later');
  const place = await resolvePlace(context, input, actor?.cityId ?? null);
  // Stored in WGS-84 whatever the phone sent (GCJ-02 from Chinese map SDKs is converted).
  const point = input.lng !== undefined && input.lat !== undefined ? toWgs84(input.lng, input.lat, input.crs ?? 'wgs84') : null;
  if (anonymous) await enforceRateLimit(context, `intake-place:${place.buildingId ?? place.gridId}`, intakeLimitPerPlace, intakeLimitWindowSeconds, 'Too many reports about this place right now: please try again later');
  if (actor) authorize(actor, 'case', 'create', { cityId: place.cityId, regionPath: place.regionPath });
  const category = (await intakeCaches(context).categories.get(`${place.cityId}|${input.categoryCode}`, async () => {
    const [found] = await context.database.rows<{ id: number; default_color: TriageColor; raise_keywords: unknown; sla_overrides: unknown }>(
      sql`SELECT id, default_color, raise_keywords, sla_overrides FROM case_categories WHERE city_id = ${place.cityId} AND code = ${input.categoryCode} AND active`,
    );
    return found ?? null;
  })) as { id: number; default_color: TriageColor; raise_keywords: unknown; sla_overrides: unknown } | null;
  if (!category) throw new AppError('validation_failed', `Unknown category ${input.categoryCode}`);
  const keywords = (typeof category.raise_keywords === 'string' ? JSON.parse(category.raise_keywords) : category.raise_keywords) as Partial<Record<TriageColor, string[]>>;
  const triage = triageColor(category.default_color, keywords, `${input.title ?? ''} ${description}`);
  const title = (input.title?.trim() || description).slice(0, 60);
  const trackingToken = crypto.randomBytes(18).toString('base64url');
  const id = await intakeCaches(context).caseIds.next();
  const number = `${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '')}-${String(id).padStart(6, '0')}`;
  const slaOverrides = typeof category.sla_overrides === 'string' ? JSON.parse(category.sla_overrides) : category.sla_overrides;
  const audit: AuditEntry = actor
    ? auditOf(actor, 'case.submit', 'case', id, { channel: input.channel })
    : { cityId: place.cityId, actorUserId: null, actorName: 'resident', action: 'case.submit', resourceType: 'case', resourceId: id, outcome: 'success', ...client, details: { channel: input.channel } };
  const row: NewCaseRow = {
    id, cityId: place.cityId, number, trackingToken, channel: input.channel, triageColor: triage.color, categoryId: Number(category.id), title, description,
    regionPath: place.regionPath, gridId: place.gridId, buildingId: place.buildingId, lng: point?.[0] ?? null, lat: point?.[1] ?? null,
    address: input.address ?? null, reporterName: input.reporterName ?? null, reporterPhone: input.reporterPhone ?? null, reporterConsent: Boolean(input.consent),
    createdBy: actor?.userId ?? null, actorLabel: actor ? actor.displayName : '居民',
    eventDetails: { channel: input.channel, triageColor: triage.color, raisedBy: triage.matched },
    // The dispatch clock starts when the case is collected.
    dispatchDueAt: clockDueAt(triage.color, slaOverrides ?? null, 'dispatch', new Date(), await citySla(context.database, place.cityId)),
    ancestorNodeIds: place.regionPath.split('/').filter(Boolean).map(Number),
    notificationPayload: { caseId: id, caseNumber: number, title, action: 'submit', trackingToken: null },
    audit,
  };
  const result: IntakeResult = { id, number, trackingToken, triageColor: triage.color, gridId: place.gridId, buildingId: place.buildingId };
  const photoTokens = input.photoTokens ?? [];
  let event: { eventId: number; at: string };
  if (photoTokens.length === 0 && !hooks.beforeCommit) {
    // The common case: written by the group-commit batcher (alone when the server is idle).
    event = await intakeCaches(context).batcher.submit(row);
  } else {
    await ensureAuditHead(context.database, place.cityId);
    event = await context.database.db.transaction(async (tx) => {
      const inserted = await insertNewCase(context.database, tx, row);
      const photos = await linkAttachments(context, tx, { cityId: place.cityId, caseId: id, caseEventId: inserted.eventId, tokens: photoTokens, uploaderUserId: actor?.userId ?? null, uploaderIp: client.ip });
      if (photos.length) await tx.execute(sql`UPDATE case_events SET attachments = ${JSON.stringify(photos)}::jsonb WHERE id = ${inserted.eventId}`);
      await hooks.beforeCommit?.(tx, result);
      return inserted;
    });
  }
  announceCaseEvents(context.database, [{ eventId: event.eventId, caseId: id, cityId: place.cityId, action: 'submit', toStatus: 'submitted', regionPath: place.regionPath, at: event.at }]);
  return result;
}
