import { parseArgs } from 'node:util';
import { loadConfig, DEFAULT_DEMO_PASSWORD, type Config } from '../config.ts';
import { createContext, startServer } from '../server.ts';
import type { AppContext } from '../context.ts';

const usage = `Usage: civicgrid <command> [options]

Commands:
  serve [--demo] [--scale small|city|zunyi]   run the server (npm start = serve --demo)
  seed --demo [--scale small|city|zunyi]      create the demo city in an empty database
  seed --cases N [--months M] [--demo] [--scale S]
                                              add N cases of realistic history (M months up to now, default 24) to the
                                              demo city; --demo first creates the demo city if there is none
  migrate                                     apply database migrations and exit
  admin create --username U --role R [--display-name N] [--city-code C --city-name N]
                                              create an administrator (password from CIVICGRID_ADMIN_PASSWORD or prompted)
  audit verify                                check the audit log's hash chain
  api-client create --city-code C --name N    register an Open311 client and print its API key (shown once)
  backup --out FILE                           write a full logical backup of the database
  restore --in FILE                           restore a backup into an empty database

Environment: DATABASE_URL (PostgreSQL; default embedded PGlite in ./data), PORT (8080), CIVICGRID_DATA_KEY,
CIVICGRID_DEMO_PASSWORD (demo accounts; default ${DEFAULT_DEMO_PASSWORD}). See README.md and docs/deploy.md.`;

type Command = (args: string[], config: Config) => Promise<number>;

function refuseDemoInProduction(config: Config) {
  if (config.production) throw new Error('Demo mode is refused with NODE_ENV=production: the demo accounts share a published password');
}

async function withContext<T>(config: Config, run: (context: AppContext) => Promise<T>): Promise<T> {
  const context = await createContext(config);
  try {
    return await run(context);
  } finally {
    await context.database.close();
  }
}

const commands: Record<string, Command> = {
  async serve(args, baseConfig) {
    const { values } = parseArgs({ args, options: { demo: { type: 'boolean' }, scale: { type: 'string' } } });
    const config: Config = { ...baseConfig, demo: Boolean(values.demo) };
    if (config.demo) refuseDemoInProduction(config);
    const context = await createContext(config);
    const { bootstrap } = await import('./bootstrap.ts');
    await bootstrap(context, { scale: (values.scale as never) ?? 'small' });
    await startServer(context);
    return 0;
  },
  async seed(args, baseConfig) {
    const { values } = parseArgs({
      args,
      options: { demo: { type: 'boolean' }, scale: { type: 'string', default: 'small' }, cases: { type: 'string' }, months: { type: 'string', default: '24' } },
    });
    if (!values.demo && values.cases === undefined) throw new Error('Usage: civicgrid seed --demo [--scale S] | seed --cases N [--months M] [--demo] [--scale S]');
    const config: Config = { ...baseConfig, demo: true };
    refuseDemoInProduction(config);
    const scale = values.scale as 'small' | 'city' | 'zunyi';
    if (!['small', 'city', 'zunyi'].includes(scale)) throw new Error('--scale must be small, city or zunyi');
    const cases = values.cases === undefined ? null : Number(values.cases.replaceAll('_', ''));
    if (cases !== null && !(Number.isInteger(cases) && cases > 0)) throw new Error('--cases must be a positive whole number');
    const months = Number(values.months);
    if (!(Number.isInteger(months) && months >= 1 && months <= 120)) throw new Error('--months must be a whole number from 1 to 120');
    return withContext(config, async (context) => {
      const { seedDemoWithConsole } = await import('./bootstrap.ts');
      if (cases === null) {
        await seedDemoWithConsole(context, scale);
        return 0;
      }
      const { sql } = await import('drizzle-orm');
      const { DEMO_CITY_CODE } = await import('../modules/demo/seed-demo.ts');
      const [city] = await context.database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${DEMO_CITY_CODE}`);
      if (!city) {
        if (!values.demo) throw new Error('There is no demo city in this database: add --demo to create it first');
        await seedDemoWithConsole(context, scale);
      } else if (values.demo) {
        console.log(`the demo city is already there (--demo and --scale ignored); adding ${cases.toLocaleString('en-US')} cases of history`);
      }
      const { seedCaseHistory, progressBar } = await import('../modules/demo/seed-history.ts');
      const result = await seedCaseHistory(context.database, { cases, months, onProgress: progressBar('history') });
      console.log(
        `${result.cases.toLocaleString('en-US')} history cases (${result.fromMonth} … ${result.toMonth}) and ${result.summonses.toLocaleString('en-US')} summonses ` +
          `inserted in ${result.insertSeconds.toFixed(1)} s; rollups compacted and tables vacuumed in ${result.compactSeconds.toFixed(1)} s`,
      );
      return 0;
    });
  },
  async migrate(_args, config) {
    const { openDatabase } = await import('../db/client.ts');
    const { runMigrations } = await import('../db/migrate.ts');
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir + '/pglite' });
    try {
      await runMigrations(database);
    } finally {
      await database.close();
    }
    console.log('migrations applied');
    return 0;
  },
  async admin(args, config) {
    const [sub, ...rest] = args;
    if (sub !== 'create') throw new Error('Usage: civicgrid admin create --username U --role system_admin|security_admin|audit_admin|city_admin');
    const { values } = parseArgs({
      args: rest,
      options: { username: { type: 'string' }, role: { type: 'string', default: 'system_admin' }, 'display-name': { type: 'string' }, 'city-code': { type: 'string' }, 'city-name': { type: 'string' } },
    });
    if (!values.username) throw new Error('--username is required');
    const password = process.env.CIVICGRID_ADMIN_PASSWORD ?? (await prompt(`Password for ${values.username}: `));
    return withContext(config, async (context) => {
      const { createAdministrator } = await import('../modules/users/users.service.ts');
      const user = await createAdministrator(context, {
        username: values.username!,
        password,
        role: values.role as never,
        displayName: values['display-name'] ?? values.username!,
        cityCode: values['city-code'],
        cityName: values['city-name'],
      });
      console.log(`created ${values.role} ${user.username} (id ${user.id}); the first login asks them to set up TOTP`);
      return 0;
    });
  },
  async 'api-client'(args, config) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'city-code': { type: 'string' }, name: { type: 'string' } } });
    if (positionals[0] !== 'create' || !values['city-code'] || !values.name) throw new Error('Usage: civicgrid api-client create --city-code C --name N');
    return withContext(config, async (context) => {
      const { sql } = await import('drizzle-orm');
      const [city] = await context.database.rows<{ id: number }>(sql`SELECT id FROM cities WHERE code = ${values['city-code']}`);
      if (!city) throw new Error(`No city with code ${values['city-code']}`);
      const { registerApiClient } = await import('../modules/open311/api-clients.repository.ts');
      const key = await registerApiClient(context, Number(city.id), values.name!);
      console.log(`Open311 client "${values.name}" registered for ${values['city-code']}. API key (store it now, it is not shown again):\n${key}`);
      return 0;
    });
  },
  async audit(args, config) {
    if (args[0] !== 'verify') throw new Error('Usage: civicgrid audit verify');
    return withContext(config, async (context) => {
      const { verifyAuditChain } = await import('../modules/audit/audit.service.ts');
      const result = await verifyAuditChain(context.database);
      if (result.ok) {
        console.log(`audit log intact: ${result.checked} records verified`);
        return 0;
      }
      console.error(`AUDIT LOG TAMPERED: record ${result.firstBrokenId}: ${result.reason} (${result.checked} records verified before it)`);
      return 1;
    });
  },
  async backup(args, config) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    if (!values.out) throw new Error('--out FILE is required');
    return withContext(config, async (context) => {
      const { writeBackup } = await import('../modules/backup/backup.service.ts');
      const summary = await writeBackup(context.database, values.out!);
      console.log(`backup written to ${values.out}: ${summary.rows} rows in ${summary.tables} tables`);
      return 0;
    });
  },
  async restore(args, config) {
    const { values } = parseArgs({ args, options: { in: { type: 'string' } } });
    if (!values.in) throw new Error('--in FILE is required');
    return withContext(config, async (context) => {
      const { restoreBackup } = await import('../modules/backup/backup.service.ts');
      const summary = await restoreBackup(context.database, values.in!);
      console.log(`restored ${summary.rows} rows into ${summary.tables} tables`);
      return 0;
    });
  },
};

async function prompt(question: string): Promise<string> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || !(name in commands)) {
    console.log(usage);
    return name && name !== 'help' && name !== '--help' ? 2 : 0;
  }
  try {
    return await commands[name](args, loadConfig());
  } catch (error) {
    console.error(`civicgrid ${name}: ${(error as Error).message}`);
    return 1;
  }
}
