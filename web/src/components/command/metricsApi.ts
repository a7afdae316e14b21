// The command centre's client for /api/v1/metrics (src/modules/metrics/metrics.routes.ts): figures of a
// node and period, rankings, per-grid values for the map, trends, the cases behind a figure, hot topics.
import { ApiError, boardApi, qs, type Abilities } from '../../api.ts';
import { currentLang, translate } from '../../i18n.ts';

/** The session's abilities as the server sends them (the command-centre ones are newer than the Abilities type). */
export type CommandAbilities = Abilities & { viewCommandCentre?: boolean; configureMetrics?: boolean; importCaseHistory?: boolean };

export type RankingLevel = 'district' | 'street' | 'community' | 'grid' | 'department';
export type RankingSort = 'composite' | 'response' | 'resolution' | 'satisfaction' | 'received' | 'backlog' | 'overdue_open';
export type TrendGranularity = 'day' | 'week' | 'month';
export type RateName = 'response' | 'resolution' | 'satisfaction';

/** A node the figures are for: `region:<id>` (city … grid) or `department:<id>`. */
export interface MetricNodeInfo {
  ref: string;
  kind: 'region' | 'department';
  id: number;
  name: string;
  level: string;
}

export interface Rate {
  value: number | null;
  numerator: number;
  denominator: number;
  numeratorMeasures: string[];
  denominatorMeasure: string;
}

export interface Rates {
  response: Rate;
  resolution: Rate;
  satisfaction: Rate;
  ratingCoverage: Rate;
  composite: number | null;
}

export type Counters = Record<string, number>;

export interface Summary {
  counters: Counters;
  rates: Rates;
  averages: { dispatchSeconds: number | null; contactSeconds: number | null; replySeconds: number | null };
}

export interface MetricSettings {
  satisfactionIncludesBasic: boolean;
  weights: { response: number; resolution: number; satisfaction: number };
}

export interface Period {
  from: string;
  to: string;
}

export interface NodeMetrics extends Summary {
  node: MetricNodeInfo;
  period: Period;
  settings: MetricSettings;
  byChannel: { channel: string; measure: string; count: number }[];
  byColor: { color: string; measure: string; count: number }[];
  byCategory: (Summary & { categoryId: number; name: string })[];
  byMonth: (Summary & { month: string })[];
  measures: { name: string; zh: string; en: string }[];
}

export interface RankingItem extends Summary {
  rank: number;
  node: MetricNodeInfo;
  sortValue: number | null;
}

export interface Rankings {
  parent: MetricNodeInfo;
  level: RankingLevel;
  period: Period;
  sort: RankingSort;
  items: RankingItem[];
}

export interface GridFigure {
  id: number;
  name: string;
  received: number;
  backlog: number;
  overdueOpen: number;
  response: number | null;
  resolution: number | null;
  satisfaction: number | null;
  composite: number | null;
}

export interface GridFigures {
  parent: MetricNodeInfo;
  period: Period;
  grids: GridFigure[];
}

export interface TrendResult {
  node: MetricNodeInfo;
  granularity: TrendGranularity;
  points: (Summary & { bucket: string })[];
}

export interface FigureCase {
  id: number;
  number: string;
  title: string;
  status: string;
  channel: string;
  triageColor: string;
  holderLevel: string;
  overdue: boolean;
  category: string | null;
  grid: string | null;
  createdAt: string;
  contactedAt: string | null;
  repliedAt: string | null;
  closedAt: string | null;
  ratingSatisfaction: string | null;
  ratingResolved: boolean | null;
}

export interface FigureCases {
  node: MetricNodeInfo;
  measure: string;
  total: number;
  page: number;
  pageSize: number;
  items: FigureCase[];
}

export interface HotTopic {
  word: string;
  count: number;
  previousCount: number;
  trend: 'up' | 'down' | 'flat';
}

export interface HotTopics {
  topics: HotTopic[];
  casesRead?: number;
  previousCasesRead?: number;
}

/** Which node, which months (the query every figure is asked with). */
export interface FigureScope {
  node?: string;
  from: string;
  to?: string;
}

type Query = Record<string, string | number | boolean | null | undefined>;

const BASE = '/api/v1';

/** GET with the console's error shape; a dead session sends the console to /login (via the session check). */
async function get<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(BASE + path + qs(query), { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', translate(currentLang(), 'networkError'));
  }
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
  if (!res.ok) {
    const code = data?.error?.code ?? `http_${res.status}`;
    // The shared client's 401 handler is private to it: asking it who we are sends a dead session to /login.
    if (res.status === 401) boardApi.sessionCheck().catch(() => undefined);
    throw new ApiError(res.status, code, data?.error?.message ?? `${translate(currentLang(), 'requestFailed')} (HTTP ${res.status})`, data?.error?.details);
  }
  return data as T;
}

const scopeQuery = (s: FigureScope): Query => ({ node: s.node, from: s.from, to: s.to && s.to !== s.from ? s.to : undefined });

export const metricsApi = {
  node: (s: FigureScope) => get<NodeMetrics>('/metrics', scopeQuery(s)),
  rankings: (s: FigureScope & { level: RankingLevel; sort?: RankingSort }) => get<Rankings>('/metrics/rankings', { ...scopeQuery(s), level: s.level, sort: s.sort }),
  grids: (s: FigureScope) => get<GridFigures>('/metrics/grids', scopeQuery(s)),
  trend: (q: { node?: string; granularity: TrendGranularity; from: string; to: string }) => get<TrendResult>('/metrics/trend', q),
  cases: (s: FigureScope & { measure: string; categoryId?: number; page?: number; pageSize?: number }) =>
    get<FigureCases>('/metrics/cases', { ...scopeQuery(s), measure: s.measure, categoryId: s.categoryId, page: s.page, pageSize: s.pageSize }),
  settings: () => get<{ settings: MetricSettings }>('/metrics/settings', {}),
  hotTopics: (s: FigureScope & { limit?: number }) => get<HotTopics>('/metrics/hot-topics', { ...scopeQuery(s), limit: s.limit }),
  /** The streamed spreadsheet of the cases behind a figure (same query as `cases`, without paging). */
  casesXlsxUrl: (s: FigureScope & { measure: string; categoryId?: number }) =>
    `${BASE}/metrics/cases.xlsx${qs({ ...scopeQuery(s), measure: s.measure, categoryId: s.categoryId })}`,
  /** The metrics ledger of a node and period as a spreadsheet. */
  exportXlsxUrl: (s: FigureScope) => `${BASE}/metrics/export.xlsx${qs(scopeQuery(s))}`,
};

/** The level whose nodes rank under a node (grids have none; departments rank among departments). */
export function childLevelOf(level: string): RankingLevel | null {
  return ({ city: 'district', district: 'street', street: 'community', community: 'grid' } as Record<string, RankingLevel>)[level] ?? null;
}
