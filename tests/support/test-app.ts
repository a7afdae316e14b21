import { loadConfig, type Config } from '../../src/config.ts';
import type { AppContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import type { App } from '../../src/http/types.ts';
import { PersonalDataCipher } from '../../src/shared/personal-data.ts';
import { createTestDatabase } from './test-database.ts';
import { TEST_PASSWORD } from './factories.ts';

export const TEST_DATA_KEY = 'a'.repeat(64);

export interface TestApp {
  app: App;
  context: AppContext;
  close(): Promise<void>;
  /** Logs in and returns the Cookie header value for later requests. */
  login(username: string, password?: string, totpCode?: string): Promise<string>;
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // Intake rate limits are off unless a test turns them on (tests/api/intake-limits.test.ts).
  const config = loadConfig({ NODE_ENV: 'test', CIVICGRID_INTAKE_RATE_LIMIT: 'off' }, { requireAdminTotp: false, dataKey: TEST_DATA_KEY, ...overrides });
  const context: AppContext = { config, database, cipher: new PersonalDataCipher(TEST_DATA_KEY) };
  const app = await buildApp(context);
  await app.ready();
  return {
    app,
    context,
    close: async () => {
      await app.close();
      await database.drop();
    },
    async login(username, password = TEST_PASSWORD, totpCode) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password, ...(totpCode ? { totpCode } : {}) } });
      if (response.statusCode !== 200) throw new Error(`login ${username} failed: ${response.statusCode} ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === 'cg_session');
      return `cg_session=${cookie!.value}`;
    },
  };
}
