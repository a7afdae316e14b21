import type { CaseAction } from '../../src/modules/cases/case-lifecycle.ts';
// Typed client for the CivicGrid /api/v1 contract.
import { currentLang, translate } from './i18n.ts';

export type RegionLevel = 'city' | 'district' | 'street' | 'community' | 'compound' | 'grid' | 'building';
export type LngLat = [number, number];

export interface Abilities {
  viewMap: boolean;
  viewResidents: boolean;
  viewPartyMembers: boolean;
  viewUnits: boolean;
  viewPartyOrganizations: boolean;
  importData: boolean;
  manageUsers: boolean;
  assignRoles: boolean;
  readAudit: boolean;
  /** Case abilities (policy `case`): the board, hotline entry, street and department work lists. */
  readCases: boolean;
  dispatchCases: boolean;
  createCases: boolean;
  handleCases: boolean;
  viewStreetCases: boolean;
  answerSummonses: boolean;
  /** The command centre (policy `metrics`) and the history import (policy `case_history`). */
  viewCommandCentre: boolean;
  configureMetrics: boolean;
  importCaseHistory: boolean;
  /** Community services and co-building (issue 5): one per menu entry, from the same policies. */
  viewCommunityLists: boolean;
  manageCommunityLists: boolean;
  claimListItems: boolean;
  viewServiceOrders: boolean;
  dispatchServiceOrders: boolean;
  serveOrders: boolean;
  viewMicroWishes: boolean;
  claimMicroWishes: boolean;
  viewDualReporting: boolean;
  manageDualReporting: boolean;
  claimPosts: boolean;
  viewVolunteers: boolean;
  manageVolunteers: boolean;
  viewUnitPoints: boolean;
  configureUnitPoints: boolean;
  viewSharedResources: boolean;
  bookSharedResources: boolean;
  manageSharedResources: boolean;
  viewJointMeetings: boolean;
  manageJointMeetings: boolean;
  viewIncentives: boolean;
  manageIncentives: boolean;
  verifyShopCodes: boolean;
  viewGridWork: boolean;
  recordGridWork: boolean;
  manageGridWork: boolean;
  viewNotices: boolean;
  publishNotices: boolean;
  viewDeliberations: boolean;
  manageDeliberations: boolean;
}

export interface MeRole {
  id: number | string;
  /** 'dual_registration': placed in a community by an active 双报到 registration. */
  source: 'assignment' | 'dual_registration';
  role: string;
  regionNodeId: number | string | null;
  regionName: string | null;
  regionLevel: string | null;
  unitId: number | string | null;
  unitName: string | null;
}

export interface Me {
  id: number | string;
  username: string;
  displayName: string;
  cityId: number | string | null;
  cityName: string | null;
  roles: MeRole[];
  partyMemberId: number | string | null;
  abilities: Abilities;
  mfa: { required: boolean; enrolled: boolean };
}

export type Id = number | string;

export interface RegionNode {
  id: Id;
  code: string;
  name: string;
  level: RegionLevel;
  parentId: Id | null;
  hasChildren: boolean;
  centroid: LngLat | null;
}

export interface Paged<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface GridFeatureProps {
  id: Id;
  code: string;
  name: string;
  communityName: string;
}

export interface GeoJsonFeature<P> {
  type: 'Feature';
  id?: Id;
  properties: P;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
}

export interface FeatureCollection<P> {
  type: 'FeatureCollection';
  features: GeoJsonFeature<P>[];
}

export interface AppConfig {
  mapTileUrl: string | null;
  mapTileAttribution?: string | null;
}

export interface GridSummary {
  grid: RegionNode;
  community: RegionNode | null;
  gridWorkers: { id: Id; displayName: string }[];
  partyOrganization: { id: Id; name: string; kind: string } | null;
  householdCount: number;
  residentCount: number;
  buildings: { id: Id; code: string; name: string; point: LngLat | null; householdCount: number }[];
}

export interface HouseholdRow {
  id: Id;
  doorNumber: string;
  headName: string | null;
  phone: string | null;
  memberCount: number;
  tags: string[];
}

export interface BuildingDetail {
  building: RegionNode & { point: LngLat | null };
  grid: RegionNode;
  households: HouseholdRow[];
}

export interface ResidentTag {
  tag: string;
  setOn: string | null;
}

export interface HouseholdResident {
  id: Id;
  name: string;
  gender: string | null;
  birthDate: string | null;
  phone: string | null;
  idNumber: string | null;
  relationToHead: string | null;
  tags: ResidentTag[];
  abilities: { reveal: boolean };
}

export interface HouseholdDetailData {
  household: { id: Id; doorNumber: string; address: string | null; buildingId: Id; gridId: Id };
  residents: HouseholdResident[];
}

export interface RevealResult {
  name?: string;
  phone?: string | null;
  idNumber?: string | null;
}

export interface ResidentItem {
  id: Id;
  name: string;
  gender: string | null;
  phone: string | null;
  idNumber: string | null;
  householdId: Id | null;
  buildingName: string | null;
  gridName: string | null;
  tags: (string | ResidentTag)[];
}

export interface PartyMemberItem {
  id: Id;
  name: string;
  phone: string | null;
  partyOrganizationName: string | null;
  servingUnitName: string | null;
  isServing: boolean;
  linkedHouseholdCount: number;
}

export interface UnitItem {
  id: Id;
  kind: string;
  name: string;
  regionName: string | null;
  contactName: string | null;
  contactPhone: string | null;
}

export interface PartyOrgItem {
  id: Id;
  kind: string;
  name: string;
  regionNodeId: Id | null;
  regionName: string | null;
  parentId: Id | null;
  memberCount: number;
}

export interface ImportField {
  name: string;
  label: string;
  required: boolean;
}

export interface ImportKind {
  kind: string;
  formats: string[];
  fields: ImportField[];
}

export type ImportStatus = 'queued' | 'validating' | 'importing' | 'succeeded' | 'failed';

export interface ImportError {
  line: number;
  reason: string;
  column?: string | null;
}

export interface ImportJob {
  id: Id;
  kind: string;
  status: ImportStatus;
  total: number;
  processed: number;
  errors: ImportError[];
  createdAt: string;
  finishedAt: string | null;
  fileName?: string;
  errorCount?: number;
}

export interface UserRole {
  id: Id;
  role: string;
  regionNodeId: Id | null;
  regionName: string | null;
  unitId: Id | null;
  unitName: string | null;
}

export interface UserItem {
  id: Id;
  username: string;
  displayName: string;
  phone: string | null;
  status: 'active' | 'disabled' | 'locked';
  lockedUntil: string | null;
  roles: UserRole[];
}

export interface RoleDef {
  role: string;
  label: string;
  scopeLevel: 'grid' | 'building' | 'community' | 'street' | 'district' | 'city' | 'department' | 'unit' | 'registration' | null;
}

export interface AuditItem {
  id: Id;
  at: string;
  actorUserId: Id | null;
  actorName: string | null;
  action: string;
  resourceType: string | null;
  resourceId: Id | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  details: unknown;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  firstBrokenId: Id | null;
}

// ---------------------------------------------------------------------------

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function isForbidden(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403;
}

/** True for errors already handled globally (redirect to login). */
export function isAuthRedirect(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401 && (err.code === 'unauthenticated' || err.code === 'session_expired');
}

let unauthenticatedHandler: ((code: string) => void) | null = null;
export function setUnauthenticatedHandler(fn: ((code: string) => void) | null): void {
  unauthenticatedHandler = fn;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function qs(query?: Query): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  form?: FormData;
  /** Do not trigger the global redirect to /login on 401. */
  noAuthRedirect?: boolean;
  signal?: AbortSignal;
}

const BASE = '/api/v1';

/** The one JSON client of the console: modules with their own API files (community/*) call it too. */
export const apiRequest = <T,>(method: string, path: string, opts: RequestOptions = {}) => request<T>(method, path, opts);

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.form) {
    body = opts.form; // browser sets multipart boundary
  } else if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(BASE + path + qs(opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', translate(currentLang(), 'networkError'));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const errObj = (data && typeof data === 'object' && 'error' in data ? (data as { error: unknown }).error : null) as
      | { code?: string; message?: string; details?: unknown }
      | null;
    const code = errObj?.code ?? `http_${res.status}`;
    const message = errObj?.message ?? `${translate(currentLang(), 'requestFailed')} (HTTP ${res.status})`;
    const err = new ApiError(res.status, code, message, errObj?.details);
    if (res.status === 401 && (code === 'unauthenticated' || code === 'session_expired') && !opts.noAuthRedirect) {
      unauthenticatedHandler?.(code);
    }
    throw err;
  }
  return data as T;
}

export const api = {
  // command centre (the reads live in components/command/metricsApi.ts, in the lazy chunk)
  updateMetricSettings: (body: { satisfactionIncludesBasic: boolean; weights: { response: number; resolution: number; satisfaction: number } }) =>
    request<{ settings: typeof body }>('PUT', '/metrics/settings', { body }),
  // auth
  login: (body: { username: string; password: string; totpCode?: string }) =>
    request<{ user: Me }>('POST', '/auth/login', { body, noAuthRedirect: true }),
  logout: () => request<void>('POST', '/auth/logout', { noAuthRedirect: true }),
  me: () => request<Me>('GET', '/auth/me', { noAuthRedirect: true }),
  changePassword: (body: { currentPassword: string; newPassword: string }) =>
    request<void>('POST', '/auth/password', { body }),
  totpSetup: () => request<{ secret: string; otpauthUrl: string }>('POST', '/auth/totp/setup'),
  totpConfirm: (code: string) => request<unknown>('POST', '/auth/totp/confirm', { body: { code } }),
  config: () => request<AppConfig>('GET', '/config', { noAuthRedirect: true }),

  // regions & map
  regionRoots: () => request<{ items: RegionNode[] }>('GET', '/regions/roots'),
  regionChildren: (id: Id) => request<Paged<RegionNode>>('GET', `/regions/${encodeURIComponent(String(id))}/children`, { query: { pageSize: 500 } }),
  mapGrids: (regionId?: Id | null) =>
    request<FeatureCollection<GridFeatureProps>>('GET', '/map/grids', { query: { regionId: regionId ?? undefined } }),
  gridSummary: (id: Id) => request<GridSummary>('GET', `/grids/${encodeURIComponent(String(id))}/summary`),
  building: (id: Id) => request<BuildingDetail>('GET', `/buildings/${encodeURIComponent(String(id))}`),
  household: (id: Id) => request<HouseholdDetailData>('GET', `/households/${encodeURIComponent(String(id))}`),
  reveal: (id: Id, fields: string[] = ['name', 'phone', 'idNumber']) =>
    request<RevealResult & { fields?: RevealResult; resident?: RevealResult }>('POST', `/residents/${encodeURIComponent(String(id))}/reveal`, {
      body: { fields },
    }),

  // lists
  residents: (query: Query) => request<Paged<ResidentItem>>('GET', '/residents', { query }),
  partyMembers: (query: Query) => request<Paged<PartyMemberItem>>('GET', '/party-members', { query }),
  units: (query: Query) => request<Paged<UnitItem>>('GET', '/units', { query }),
  partyOrganizations: (query: Query) => request<Paged<PartyOrgItem>>('GET', '/party-organizations', { query }),

  // imports
  importKinds: () => request<ImportKind[] | { items: ImportKind[] }>('GET', '/imports/kinds'),
  importPreview: (form: FormData) => request<{ headers: string[]; sampleRows: string[][] }>('POST', '/imports/preview', { form }),
  importStart: (form: FormData) => request<{ id: Id }>('POST', '/imports', { form }),
  importJob: (id: Id) => request<ImportJob>('GET', `/imports/${encodeURIComponent(String(id))}`),
  imports: (query: Query) => request<Paged<ImportJob>>('GET', '/imports', { query }),

  // users & roles
  users: (query: Query) => request<Paged<UserItem>>('GET', '/users', { query }),
  createUser: (body: { username: string; displayName: string; phone?: string; password: string; partyMemberId?: number }) =>
    request<UserItem>('POST', '/users', { body }),
  updateUser: (id: Id, body: { status: 'active' | 'disabled' }) =>
    request<UserItem>('PATCH', `/users/${encodeURIComponent(String(id))}`, { body }),
  unlockUser: (id: Id) => request<unknown>('POST', `/users/${encodeURIComponent(String(id))}/unlock`),
  assignRole: (id: Id, body: { role: string; regionNodeId?: Id; unitId?: Id }) =>
    request<UserRole>('POST', `/users/${encodeURIComponent(String(id))}/roles`, { body }),
  revokeRole: (assignmentId: Id) => request<void>('DELETE', `/role-assignments/${encodeURIComponent(String(assignmentId))}`),
  roles: () => request<RoleDef[] | { items: RoleDef[] }>('GET', '/roles'),

  // audit
  audit: (query: Query) => request<Paged<AuditItem>>('GET', '/audit', { query }),
  auditVerify: () => request<AuditVerify>('POST', '/audit/verify'),
};

/** Accept either a bare array or `{ items }`. */
export function asArray<T>(v: T[] | { items: T[] } | null | undefined): T[] {
  if (!v) return [];
  return Array.isArray(v) ? v : (v.items ?? []);
}

// ---- street and department work lists (街道吹哨、部门报到) ----------------------------------

export type SummonsState = 'to_report_in' | 'to_reply' | 'done';
export type StreetList = 'escalated' | 'summoned' | 'overdue' | 'extension_requests';

export interface DepartmentSummonsItem {
  summonsId: Id;
  caseId: Id;
  caseNumber: string;
  title: string;
  triageColor: string;
  categoryName: string | null;
  streetName: string | null;
  caseStatus: string;
  caseVersion: number;
  departmentId: Id;
  departmentName: string;
  state: SummonsState;
  summonedAt: string;
  reportInDeadline: string | null;
  resolveDeadline: string | null;
  deadline: string | null;
  reportedInAt: string | null;
  repliedAt: string | null;
  returnedAt: string | null;
  overdue: boolean;
}

export interface StreetDepartmentState {
  departmentId: Id;
  departmentName: string;
  state: 'to_report_in' | 'reported_in' | 'replied' | 'returned';
  summonedAt: string;
  reportInDeadline: string | null;
  reportedInAt: string | null;
  repliedAt: string | null;
  returnedAt: string | null;
  overdue: boolean;
}

export interface StreetCaseItem {
  id: Id;
  number: string;
  title: string;
  triageColor: string;
  categoryName: string | null;
  status: string;
  holderLevel: string;
  version: number;
  gridName: string | null;
  streetName: string | null;
  supervised: boolean;
  overdue: boolean;
  extensionPending: boolean;
  nextDeadline: { kind: string; dueAt: string } | null;
  resolveDeadline: string | null;
  createdAt: string;
  updatedAt: string;
  summonses: StreetDepartmentState[];
}

/** A fresh Idempotency-Key for one user action (a retry of the same click reuses it). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

export const inboxApi = {
  departmentSummonses: (query: Query) => request<Paged<DepartmentSummonsItem>>('GET', '/department/summonses', { query }),
  departmentSummonsCounts: () => request<Record<SummonsState, number>>('GET', '/department/summonses/counts'),
  streetCases: (query: Query) => request<Paged<StreetCaseItem>>('GET', '/street/cases', { query }),
  streetCaseCounts: () => request<Record<StreetList, number>>('GET', '/street/cases/counts'),
  /** 报到: POST /cases/:id/actions with If-Match (the version the row showed) and an Idempotency-Key. */
  reportIn: async (caseId: Id, departmentId: Id, version: number, idempotencyKey = newIdempotencyKey()) => {
    let res: Response;
    try {
      res = await fetch(`${BASE}/cases/${encodeURIComponent(String(caseId))}/actions`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'If-Match': `"${version}"`, 'Idempotency-Key': idempotencyKey },
        body: JSON.stringify({ action: 'report_in', departmentId: Number(departmentId) }),
      });
    } catch {
      throw new ApiError(0, 'network_error', translate(currentLang(), 'networkError'));
    }
    const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
    if (!res.ok) {
      const code = data?.error?.code ?? `http_${res.status}`;
      if (res.status === 401 && (code === 'unauthenticated' || code === 'session_expired')) unauthenticatedHandler?.(code);
      throw new ApiError(res.status, code, data?.error?.message ?? `${translate(currentLang(), 'requestFailed')} (HTTP ${res.status})`, data?.error?.details);
    }
    return data as unknown as { id: Id; status: string; holderLevel: string; version: number };
  },
};

// ---- dispatcher board and case page (受理台) ------------------------------------------------

export type TriageColor = 'red' | 'orange' | 'yellow' | 'green';
export type OpenCaseStatus = 'submitted' | 'dispatched' | 'in_progress' | 'summoned' | 'replied' | 'called_back' | 'rated';
export const OPEN_CASE_STATUSES: OpenCaseStatus[] = ['submitted', 'dispatched', 'in_progress', 'summoned', 'replied', 'called_back', 'rated'];

export interface CaseListItem {
  id: number;
  number: string;
  channel: string;
  status: string;
  holderLevel: string;
  version: number;
  triageColor: TriageColor;
  categoryName: string | null;
  title: string;
  gridId: number | null;
  gridName: string | null;
  buildingId: number | null;
  /** Masked by the server. */
  reporterName: string | null;
  reporterPhone: string | null;
  supervised: boolean;
  overdue: boolean;
  reopenCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface BoardItem extends CaseListItem {
  categoryCode: string | null;
  buildingName: string | null;
  extensionPending: boolean;
  ageSeconds: number;
  /** The running clock that runs out first. */
  clock: { kind: string; dueAt: string; overdue: boolean } | null;
}

export interface BoardResult extends Paged<BoardItem> {
  counts: Record<OpenCaseStatus, number>;
  serverTime: string;
}

export interface CaseMapFeature {
  type: 'Feature';
  id: number;
  geometry: { type: 'Point'; coordinates: LngLat };
  properties: { id: number; number: string; title: string; status: string; triageColor: TriageColor; categoryName: string | null; overdue: boolean; supervised: boolean; located: 'point' | 'building' | 'grid'; createdAt: string };
}

export interface CaseMapResult {
  type: 'FeatureCollection';
  features: CaseMapFeature[];
  truncated: boolean;
  limit: number;
  total: number;
  unlocated: number;
}

export interface CaseSuggestions {
  gridWorkers: { userId: number; displayName: string; openTasks: number }[];
  duplicates: { id: number; number: string; title: string; status: string; triageColor: TriageColor; distanceMeters: number | null; createdAt: string }[];
}

export interface CaseClock {
  kind: string;
  state: 'running' | 'fired' | 'stopped';
  startedAt: string;
  dueAt: string;
  firedAt: string | null;
  stoppedAt: string | null;
  overdue: boolean;
}

export interface CaseClocks {
  caseId: number;
  version: number;
  extensionPending: boolean;
  serverTime: string;
  clocks: CaseClock[];
}

export interface CaseEventItem {
  id: number;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actor: string | null;
  note: string | null;
  /** Photos attached to the event: upload token and the URL that serves it to staff. */
  attachments: Array<{ token: string; url: string }>;
  at: string;
}

export interface CaseSummonsItem {
  departmentId: number;
  departmentName: string;
  reportedIn: boolean;
  replied: boolean;
  reply: string | null;
  returned: boolean;
  returnReason: string | null;
  /** False for a summons of a round before the case was reopened. */
  current: boolean;
}

export interface CaseAbilities {
  dispatch: boolean;
  handle: boolean;
  supervise: boolean;
  answerSummons: boolean;
}

export interface CaseDetailData extends CaseListItem {
  description: string;
  address: string | null;
  location: LngLat | null;
  rating: { resolved: boolean; satisfaction: string; comment: string | null } | null;
  claimedByPartyOrganizationId: number | null;
  summonses: CaseSummonsItem[];
  events: CaseEventItem[];
  abilities: CaseAbilities;
  /** What this user can do now, decided by the server. */
  allowedActions: CaseAction[];
  extensionPending: boolean;
}

export type CaseActionBody = { action: string; note?: string; attachments?: string[] } & Record<string, unknown>;

/** POST with extra headers (If-Match, Idempotency-Key), the same error handling as request(). */
async function postWithHeaders<T>(path: string, body: unknown, extraHeaders: Record<string, string>): Promise<T> {
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...extraHeaders },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', translate(currentLang(), 'networkError'));
  }
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  if (!res.ok) {
    const code = data?.error?.code ?? `http_${res.status}`;
    if (res.status === 401 && (code === 'unauthenticated' || code === 'session_expired')) unauthenticatedHandler?.(code);
    throw new ApiError(res.status, code, data?.error?.message ?? `${translate(currentLang(), 'requestFailed')} (HTTP ${res.status})`, data?.error?.details);
  }
  return data as T;
}

export const boardApi = {
  board: (query: Query) => request<BoardResult>('GET', '/cases/board', { query }),
  watch: (query: Query & { list: 'overdue' | 'supervised' }) => request<BoardResult>('GET', '/cases/watch', { query }),
  map: (query: Query = {}) => request<CaseMapResult>('GET', '/cases/map', { query }),
  caseDetail: (id: Id) => request<CaseDetailData>('GET', `/cases/${encodeURIComponent(String(id))}`),
  suggestions: (id: Id) => request<CaseSuggestions>('GET', `/cases/${encodeURIComponent(String(id))}/suggestions`),
  clocks: (id: Id) => request<CaseClocks>('GET', `/cases/${encodeURIComponent(String(id))}/clocks`),
  departments: () => request<Paged<UnitItem>>('GET', '/units', { query: { kind: 'department', pageSize: 200 } }),
  partyOrganizations: (kind: 'grid_party_org' | 'community_party_org') => request<Paged<PartyOrgItem>>('GET', '/party-organizations', { query: { kind, pageSize: 200 } }),
  /** A lifecycle action with If-Match (the version read) and an Idempotency-Key (reused when the same click is retried). */
  caseAction: (id: Id, body: CaseActionBody, version: number, idempotencyKey = newIdempotencyKey()) =>
    postWithHeaders<{ id: number; status: string; holderLevel: string; version: number }>(`/cases/${encodeURIComponent(String(id))}/actions`, body, {
      'If-Match': `"${version}"`,
      'Idempotency-Key': idempotencyKey,
    }),
  /** Is the session still alive? (a 401 sends the console to the login page, as any request does) */
  sessionCheck: () => request<Me>('GET', '/auth/me'),
  /** The live feed (SSE); the browser reconnects by itself and resumes with Last-Event-ID. */
  streamUrl: `${BASE}/cases/stream`,
};

// ---- hotline / visit entry (登记诉求) and the in-app inbox (站内通知) ---------------------------

/** The building or grid behind a code (GET /public/places/:code), as the QR page shows it. */
export interface PlaceInfo {
  cityCode: string;
  cityName: string;
  level: 'building' | 'grid';
  placeName: string;
  address: string | null;
  gridName: string | null;
  communityName: string | null;
  lng: number | null;
  lat: number | null;
}

export interface CaseCategory {
  code: string;
  name: string;
  defaultColor: TriageColor;
}

export interface LocateResult {
  wgs84: LngLat;
  grid: { id: Id; code: string; name: string } | null;
  outsideScope: boolean;
  nearestBuilding: { id: Id; code: string; name: string; distanceMeters: number } | null;
}

/** Body of POST /cases (StaffReportBody): a place code or a WGS-84 point. */
export interface StaffReport {
  channel: 'hotline' | 'grid_worker';
  placeCode?: string;
  cityCode?: string;
  lng?: number;
  lat?: number;
  crs?: 'wgs84';
  categoryCode: string;
  title?: string;
  description: string;
  reporterName?: string;
  reporterPhone?: string;
  consent?: boolean;
  photoTokens?: string[];
}

export interface NotificationItem {
  id: number;
  caseId: number | null;
  title: string;
  body: string;
  read: boolean;
  createdAt: string;
}

export interface NotificationPage extends Paged<NotificationItem> {
  unread: number;
}

export const intakeApi = {
  place: (code: string, cityCode?: string) => request<PlaceInfo>('GET', `/public/places/${encodeURIComponent(code)}`, { query: { cityCode } }),
  categories: (cityCode: string) => request<{ items: CaseCategory[] }>('GET', `/public/cities/${encodeURIComponent(cityCode)}/case-categories`),
  /** A region node with its ancestors (the city node among them carries the city code). */
  region: (id: Id) => request<RegionNode & { ancestors: { id: Id; code: string; name: string; level: RegionLevel }[] }>('GET', `/regions/${encodeURIComponent(String(id))}`),
  locate: (lng: number, lat: number) => request<LocateResult>('POST', '/geo/locate', { body: { lng, lat, crs: 'wgs84' } }),
  uploadPhoto: (file: Blob, name: string) => {
    const form = new FormData();
    form.append('file', file, name);
    return request<{ token: string; url: string }>('POST', '/photos', { form });
  },
  /** Enter a case for a resident; the key is kept by the caller and reused when a network error hid the answer. */
  createCase: (body: StaffReport, idempotencyKey: string) => postWithHeaders<{ id: number; number: string }>('/cases', body, { 'Idempotency-Key': idempotencyKey }),
};

export const notificationApi = {
  list: (query: { unreadOnly?: boolean; page?: number; pageSize?: number }) => request<NotificationPage>('GET', '/notifications', { query }),
  markRead: (id: Id) => request<{ id: number; read: boolean }>('POST', `/notifications/${encodeURIComponent(String(id))}/read`),
  markAllRead: () => request<{ marked: number }>('POST', '/notifications/read-all'),
};
