import type { AppContext } from '../../context.ts';
import type { ClientInfo } from '../auth/auth.service.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import { maskAddress } from '../../shared/personal-data.ts';
import type { TransactionHooks } from '../cases/case-action.command.ts';
import { intakeCase, type IntakeResult } from '../cases/intake.command.ts';
import { enforceRateLimit } from '../../shared/rate-limit.ts';
import { findApiClientByKey, touchApiClient } from './api-clients.repository.ts';
import { maskPhonesInText, parseW3cDateTime, w3cDateTime } from './open311-format.ts';
import { activeCategories, caseNumberByToken, findCases, findCityByCode, firstCities, loadCaseExtras, type CaseExtras, type CaseRow, type City } from './open311.repository.ts';

export const SPECIFICATION_URL = 'http://wiki.open311.org/GeoReport_v2';
/** When this interface last changed (discovery `changeset`). */
const CHANGESET = '2026-11-25T00:00:00+08:00';
const MAX_REQUESTS = 1000;
const MAX_SPAN_MS = 90 * 24 * 3600_000;

/**
 * Open311 status of each lifecycle status. A case is "closed" once the loop is finished for now:
 * closed, declined (spam / not a government matter), merged into another case, or rated by the
 * resident (a dissatisfied resident may still reopen it once, and it is "open" again).
 */
export const closedStatuses = ['closed', 'declined', 'merged', 'rated'] as const;
const open311Status = (status: string): 'open' | 'closed' => ((closedStatuses as readonly string[]).includes(status) ? 'closed' : 'open');

const badRequest = (description: string) => new AppError('validation_failed', description);

/** Empty parameters count as absent (spec: "Optional Arguments"). */
const present = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/**
 * jurisdiction_id is the city code. It may be left out while the server holds exactly one city;
 * with several it is required (400), and an unknown one is 404.
 */
export async function resolveJurisdiction(context: AppContext, jurisdictionId: string | undefined): Promise<City> {
  const code = present(jurisdictionId);
  if (code) {
    const city = await findCityByCode(context.database, code);
    if (!city) throw notFound(`jurisdiction_id ${code}`);
    return city;
  }
  const cities = await firstCities(context.database);
  if (cities.length === 1) return cities[0];
  if (cities.length === 0) throw notFound('Jurisdiction');
  throw badRequest('jurisdiction_id was not provided: this endpoint serves several cities, give the city code');
}

export function discovery(context: AppContext, baseUrl: string) {
  return {
    changeset: CHANGESET,
    contact: 'CivicGrid 网格通: contact the city\'s grid management centre (城市网格化服务管理中心)',
    key_service: 'API keys for POST are issued per city by the CivicGrid system administrator',
    endpoints: [
      {
        specification: SPECIFICATION_URL,
        url: baseUrl,
        changeset: CHANGESET,
        type: context.config.demo ? 'test' : 'production',
        formats: ['application/json', 'text/xml'],
      },
    ],
  };
}

const keywordsOf = (name: string, raiseKeywords: unknown): string => {
  const parsed = (typeof raiseKeywords === 'string' ? JSON.parse(raiseKeywords) : raiseKeywords) as Record<string, string[]> | null;
  const words = Object.values(parsed ?? {}).flat().filter((word): word is string => typeof word === 'string' && word.length > 0);
  return [...new Set([name, ...words])].join(', ');
};

/**
 * The city's active request categories as Open311 services. `group` is the category's default triage
 * colour (分色治理: red, orange, yellow, green); keywords are its name and the words that raise the colour.
 */
export async function listServices(context: AppContext, city: City) {
  const categories = await activeCategories(context.database, city.id);
  return categories.map((category) => ({
    service_code: category.code,
    service_name: category.name,
    description: category.name,
    metadata: false,
    type: 'realtime',
    keywords: keywordsOf(category.name, category.raise_keywords),
    group: category.default_color,
  }));
}

const servicePattern = /^[a-z_]{1,40}$/;

/** No category has extra attributes (metadata is false), so every definition has an empty attribute list. */
export async function serviceDefinition(context: AppContext, city: City, code: string) {
  const [category] = servicePattern.test(code) ? await activeCategories(context.database, city.id, code) : [];
  if (!category) throw notFound(`service_code ${code}`);
  return { service_code: category.code, attributes: [] as unknown[] };
}

/**
 * Who holds the case now: the departments summoned and still to answer; otherwise the level holding
 * it — its grid, or the grid's community or street. A case not yet dispatched waits in the community
 * dispatcher's queue, so the community holds it.
 */
function agencyResponsible(row: CaseRow, extras: CaseExtras): string | null {
  const departments = extras.openSummonses.get(Number(row.id));
  if (row.status === 'summoned' && departments?.length) return departments.join(', ');
  const level = row.status === 'submitted' ? 'community' : row.holder_level;
  if (level === 'grid') return row.grid_name;
  const ancestors = row.grid_path ? row.grid_path.split('/').filter(Boolean).map(Number) : [];
  const node = ancestors.map((id) => extras.regionNames.get(id)).find((candidate) => candidate?.level === level);
  return node?.name ?? null;
}

/** Addresses keep the place but not a door: anything finer than the building is masked. */
const publicAddress = (address: string | null) => (address && /单元|室|户|门牌/.test(address) ? maskAddress(address) : address);

const coordinate = (value: number | null) => (value === null || value === undefined ? null : Number(value));

/** One case as an Open311 service request. Never carries the reporter's name, phone or tracking token. */
function presentRequest(row: CaseRow, extras: CaseExtras) {
  const hasPoint = row.lng !== null && row.lat !== null;
  return {
    service_request_id: row.number,
    status: open311Status(row.status),
    status_notes: maskPhonesInText(extras.lastPublicNote.get(Number(row.id)) ?? null),
    service_name: row.service_name,
    service_code: row.service_code,
    description: maskPhonesInText(row.description),
    agency_responsible: agencyResponsible(row, extras),
    service_notice: null,
    requested_datetime: w3cDateTime(row.created_at),
    updated_datetime: w3cDateTime(row.updated_at),
    expected_datetime: w3cDateTime(extras.nextDeadline.get(Number(row.id)) ?? null),
    address: maskPhonesInText(publicAddress(row.address ?? row.building_address)),
    address_id: null,
    zipcode: null,
    lat: coordinate(hasPoint ? row.lat : row.building_lat),
    long: coordinate(hasPoint ? row.lng : row.building_lng),
    media_url: null,
  };
}

const commaList = (value: string | undefined): string[] | undefined => {
  const items = present(value)?.split(',').map((item) => item.trim()).filter(Boolean);
  return items?.length ? [...new Set(items)] : undefined;
};

export interface RequestQuery {
  service_request_id?: string;
  service_code?: string;
  start_date?: string;
  end_date?: string;
  status?: string;
}

function dateArgument(name: string, value: string | undefined): Date | undefined {
  const text = present(value);
  if (text === undefined) return undefined;
  const date = parseW3cDateTime(text);
  if (!date) throw badRequest(`${name} must be a W3C date-time, e.g. 2010-01-01T00:00:00Z`);
  return date;
}

/**
 * GET requests: by service_request_id (overrides every other argument), or by service code, status
 * and a requested_datetime range of at most 90 days (default: the last 90 days); at most 1000, newest first.
 */
export async function listRequests(context: AppContext, city: City, query: RequestQuery, now = new Date()) {
  const numbers = commaList(query.service_request_id);
  if (numbers) {
    if (numbers.length > MAX_REQUESTS) throw badRequest(`At most ${MAX_REQUESTS} service_request_id values at once`);
    return presentRows(context, await findCases(context.database, { cityId: city.id, numbers, limit: MAX_REQUESTS }));
  }
  let from = dateArgument('start_date', query.start_date);
  let to = dateArgument('end_date', query.end_date);
  if (from && to && to < from) throw badRequest('end_date is before start_date');
  if (from && to && to.getTime() - from.getTime() > MAX_SPAN_MS) throw badRequest('start_date and end_date may not span more than 90 days');
  if (!from && !to) to = now;
  if (!from) from = new Date(to!.getTime() - MAX_SPAN_MS);
  if (!to) to = new Date(from.getTime() + MAX_SPAN_MS);
  const statusValues = commaList(query.status);
  if (statusValues?.some((status) => status !== 'open' && status !== 'closed')) throw badRequest('status must be open or closed (comma delimited)');
  const statuses = statusValues && statusValues.length === 1 ? { include: statusValues[0] === 'closed', values: closedStatuses } : undefined;
  const rows = await findCases(context.database, { cityId: city.id, serviceCodes: commaList(query.service_code), from, to, statuses, limit: MAX_REQUESTS });
  return presentRows(context, rows);
}

async function presentRows(context: AppContext, rows: CaseRow[]) {
  const extras = await loadCaseExtras(context.database, rows);
  return rows.map((row) => presentRequest(row, extras));
}

export async function getRequest(context: AppContext, city: City, number: string) {
  const rows = number.length <= 40 ? await findCases(context.database, { cityId: city.id, numbers: [number], limit: 1 }) : [];
  if (rows.length === 0) throw notFound(`service_request_id ${number}`);
  return presentRows(context, rows);
}

const tokenPattern = /^[A-Za-z0-9_-]{16,64}$/;

export async function requestIdFromToken(context: AppContext, city: City, token: string) {
  const number = tokenPattern.test(token) ? await caseNumberByToken(context.database, city.id, token) : null;
  if (!number) throw notFound(`token ${token.slice(0, 64)}`);
  return [{ service_request_id: number, token }];
}

/** POST fields after parsing: form fields are text; JSON may send lat/long as numbers. */
export type PostFields = Partial<Record<string, string | number>>;

const text = (fields: PostFields, name: string): string | undefined => {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  return present(String(value));
};

function coordinateArgument(name: 'lat' | 'long', value: string | number | undefined, limit: number): number | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  const number = typeof value === 'number' ? value : /^\s*[+-]?(\d{1,3}(\.\d{1,15})?|\.\d{1,15})\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || Math.abs(number) > limit) throw badRequest(`${name} must be a WGS-84 decimal degree between -${limit} and ${limit}`);
  return number;
}

/** +86 138-1234-1234 → 13812341234; anything that is then not a mainland mobile number is refused. */
function phoneArgument(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const digits = value.replace(/[\s\-().]/g, '').replace(/^(\+86|0086)/, '');
  if (!/^1[3-9]\d{9}$/.test(digits)) throw badRequest('phone must be an 11-digit mainland mobile number');
  return digits;
}

const cjk = /[\u3400-\u9fff]/;

function reporterName(first: string | undefined, last: string | undefined): string | undefined {
  if (!first && !last) return undefined;
  // Chinese names put the family name first, without a space.
  const name = cjk.test(`${first ?? ''}${last ?? ''}`) ? `${last ?? ''}${first ?? ''}` : [first, last].filter(Boolean).join(' ');
  if (Array.from(name).length > 40) throw badRequest('first_name and last_name together may have at most 40 characters');
  return name;
}

/**
 * POST requests: the Open311 client's key decides the city it may post into; the report then enters
 * the same intake as every other channel (route by point or by building/grid code, triage, clocks).
 * Contact details sent by a client imply the reporter's consent, given in the client's own app.
 */
export async function createRequest(context: AppContext, fields: PostFields, queryApiKey: string | undefined, client: ClientInfo, hooks: TransactionHooks<IntakeResult> = {}) {
  // The spec sends api_key with the form; some clients put it in the query string.
  const apiClient = await findApiClientByKey(context, text(fields, 'api_key') ?? present(queryApiKey));
  if (!apiClient) throw new AppError('forbidden', 'api_key was not provided or is not valid');
  const city = await resolveJurisdiction(context, text(fields, 'jurisdiction_id'));
  if (city.id !== apiClient.cityId) throw new AppError('forbidden', `This api_key may not post into jurisdiction ${city.code}`);
  const serviceCode = text(fields, 'service_code');
  if (!serviceCode) throw badRequest('service_code was not provided');
  const [category] = servicePattern.test(serviceCode) ? await activeCategories(context.database, city.id, serviceCode) : [];
  if (!category) throw notFound(`service_code ${serviceCode}`);

  const lat = coordinateArgument('lat', fields.lat, 90);
  const lng = coordinateArgument('long', fields.long, 180);
  if ((lat === undefined) !== (lng === undefined)) throw badRequest('Give both lat and long');
  const addressId = text(fields, 'address_id');
  if (addressId !== undefined && !/^[0-9A-Za-z_-]{1,40}$/.test(addressId)) throw badRequest('address_id must be the code of a building or a grid');
  const addressString = text(fields, 'address_string');
  if (lat === undefined && addressId === undefined) {
    throw badRequest(addressString ? 'lat and long (or address_id, a building or grid code) are required: an address_string alone cannot be routed to a grid' : 'A location is required: lat and long, or address_id');
  }
  if (addressString && Array.from(addressString).length > 200) throw badRequest('address_string may have at most 200 characters');
  const given = text(fields, 'description');
  if (given && Array.from(given).length > 4000) throw badRequest('description may have at most 4000 characters');
  const description = given ?? (addressString ? `${category.name}：${addressString}` : category.name);
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.includes('\u0000')) throw badRequest(`${name} must not contain NUL characters`);
  }
  const name = reporterName(text(fields, 'first_name'), text(fields, 'last_name'));
  const phone = phoneArgument(text(fields, 'phone'));

  // Each client has its own budget, shared by every server process.
  await enforceRateLimit(context, `open311:${apiClient.id}`, context.config.open311LimitPerMinute, 60, 'Too many requests from this API key: please slow down');
  const created = await intakeCase(
    context,
    null,
    {
      channel: 'open311',
      cityCode: city.code,
      placeCode: addressId,
      lng,
      lat,
      crs: 'wgs84',
      address: addressString,
      categoryCode: category.code,
      description,
      reporterName: name,
      reporterPhone: phone,
      consent: Boolean(name || phone),
    },
    client,
    hooks,
  );
  await touchApiClient(context, apiClient.id);
  return postAnswer(created);
}

/** What POST requests answers: the case number is the service_request_id, the tracking token the token. */
export function postAnswer(created: IntakeResult) {
  return [
    {
      service_request_id: created.number,
      token: created.trackingToken,
      service_notice: `已受理，工单号 ${created.number}。社区接线员将尽快分派网格员处理，办理进展可凭此工单号查询。`,
      account_id: null,
    },
  ];
}
