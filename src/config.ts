import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  /** Connections to a PostgreSQL server (concurrent transactions, so group commit can batch their WAL flushes). */
  databasePoolSize: number;
  dataDir: string;
  /** The built web apps (vite build's outDir); tests point a private build here. */
  webDir: string;
  demo: boolean;
  production: boolean;
  /** 32-byte key for personal data encryption and keyed hashes (base64 or hex). */
  dataKey: string | null;
  passwordMinLength: number;
  passwordMinClasses: number;
  sessionIdleMinutes: number;
  maxFailedLogins: number;
  lockMinutes: number;
  requireAdminTotp: boolean;
  secureCookies: boolean;
  trustProxy: boolean;
  mapTileUrl: string | null;
  mapTileAttribution: string | null;
  logLevel: string;
  demoPassword: string;
  /** Cases of generated history the demo city gets on its first start (the command centre has something to show). */
  demoHistoryCases: number;
  bodyLimitBytes: number;
  /** Anonymous intake limits (reports per window) per client IP and per building/grid; 0 turns a limit off. */
  intakeLimitPerClient: number;
  intakeLimitPerPlace: number;
  intakeLimitWindowSeconds: number;
  /** Open311 POSTs per client per minute; 0 turns the limit off. */
  open311LimitPerMinute: number;
  /** Key of the Open311 client registered in demo mode. */
  demoOpen311Key: string;
}

const intFromEnv = (value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const parsed = Number.parseInt(value, 10);
  if (!Number.isFinite(parsed)) throw new Error(`expected an integer, got "${value}"`);
  return parsed;
};

/** The documented default demo password; demo mode only, refused in production. */
export const DEFAULT_DEMO_PASSWORD = 'Civic-Grid-2024';

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const production = env.NODE_ENV === 'production';
  const config: Config = {
    port: intFromEnv(env.PORT, 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    databasePoolSize: intFromEnv(env.CIVICGRID_DATABASE_POOL_SIZE, 20),
    dataDir: path.resolve(env.CIVICGRID_DATA_DIR ?? 'data'),
    webDir: path.resolve(env.CIVICGRID_WEB_DIR ?? 'web/dist'),
    demo: false,
    production,
    dataKey: env.CIVICGRID_DATA_KEY || null,
    passwordMinLength: intFromEnv(env.CIVICGRID_PASSWORD_MIN_LENGTH, 10),
    passwordMinClasses: intFromEnv(env.CIVICGRID_PASSWORD_MIN_CLASSES, 3),
    sessionIdleMinutes: intFromEnv(env.CIVICGRID_SESSION_IDLE_MINUTES, 30),
    maxFailedLogins: intFromEnv(env.CIVICGRID_MAX_FAILED_LOGINS, 5),
    lockMinutes: intFromEnv(env.CIVICGRID_LOCK_MINUTES, 30),
    requireAdminTotp: env.CIVICGRID_REQUIRE_ADMIN_TOTP !== 'false',
    secureCookies: env.CIVICGRID_SECURE_COOKIES === 'true' || (production && env.CIVICGRID_SECURE_COOKIES !== 'false'),
    trustProxy: env.CIVICGRID_TRUST_PROXY === 'true',
    mapTileUrl: env.CIVICGRID_MAP_TILE_URL || null,
    mapTileAttribution: env.CIVICGRID_MAP_TILE_ATTRIBUTION || null,
    logLevel: env.LOG_LEVEL ?? 'info',
    demoPassword: env.CIVICGRID_DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD,
    demoHistoryCases: Math.max(0, intFromEnv(env.CIVICGRID_DEMO_HISTORY_CASES, 20_000)),
    bodyLimitBytes: intFromEnv(env.CIVICGRID_BODY_LIMIT_BYTES, 1024 * 1024),
    intakeLimitPerClient: env.CIVICGRID_INTAKE_RATE_LIMIT === 'off' ? 0 : intFromEnv(env.CIVICGRID_INTAKE_LIMIT_PER_CLIENT, 20),
    intakeLimitPerPlace: env.CIVICGRID_INTAKE_RATE_LIMIT === 'off' ? 0 : intFromEnv(env.CIVICGRID_INTAKE_LIMIT_PER_PLACE, 30),
    intakeLimitWindowSeconds: intFromEnv(env.CIVICGRID_INTAKE_LIMIT_WINDOW_SECONDS, 600),
    open311LimitPerMinute: env.CIVICGRID_INTAKE_RATE_LIMIT === 'off' ? 0 : intFromEnv(env.CIVICGRID_OPEN311_LIMIT_PER_MINUTE, 600),
    demoOpen311Key: env.CIVICGRID_DEMO_OPEN311_KEY || 'civicgrid-demo-open311-key',
    ...overrides,
  };
  return config;
}
