import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import type { PersonalDataCipher } from './shared/personal-data.ts';

/** What every service needs, built once at start-up and handed down (no module-level singletons). */
export interface AppContext {
  config: Config;
  database: Database;
  cipher: PersonalDataCipher;
}
