import { sql } from 'drizzle-orm';
import type { AppContext } from '../context.ts';

type Scale = 'small' | 'city' | 'zunyi';

/** Prints a one-line progress bar that rewrites itself on a terminal. */
export function progressPrinter(label: string) {
  let last = '';
  return (step: string, done: number, total: number) => {
    const width = 30;
    const ratio = total > 0 ? Math.min(done / total, 1) : 1;
    const bar = '█'.repeat(Math.round(ratio * width)).padEnd(width, '░');
    const line = `${label} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}% ${step} ${done}/${total}`;
    if (line === last) return;
    last = line;
    if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(100)}${done >= total ? '\n' : ''}`);
    else if (done >= total) console.log(line);
  };
}

export async function seedDemoWithConsole(context: AppContext, scale: Scale) {
  const { seedDemoCity, DEMO_TOTP_SECRET } = await import('../modules/demo/seed-demo.ts');
  const started = Date.now();
  const result = await seedDemoCity(context, { scale, password: context.config.demoPassword, onProgress: progressPrinter('seeding') });
  const { seedCommunityDemo } = await import('../modules/demo/seed-community.ts');
  result.accounts.push(...(await seedCommunityDemo(context)).accounts);
  console.log(`demo city (${scale}) seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  printAccounts(context, result.accounts, DEMO_TOTP_SECRET);
  return result;
}

function printAccounts(context: AppContext, accounts: Array<{ username: string; role: string; scopeName: string }>, totpSecret: string) {
  const password = context.config.demoPassword;
  console.log('\nDemo accounts (password: %s%s):', password, process.env.CIVICGRID_DEMO_PASSWORD ? ', from CIVICGRID_DEMO_PASSWORD' : ', the documented default');
  for (const account of accounts) console.log(`  ${account.username.padEnd(14)} ${account.role.padEnd(20)} ${account.scopeName}`);
  console.log(`Administrators also need a TOTP code: add secret ${totpSecret} to an authenticator app (demo only).\n`);
}

/**
 * First start: in demo mode an empty database gets the demo city; otherwise, when
 * CIVICGRID_ADMIN_USERNAME and CIVICGRID_ADMIN_PASSWORD are set and no user exists, the first administrator.
 */
export async function bootstrap(context: AppContext, options: { scale: Scale }) {
  const [{ count }] = await context.database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM users`);
  if (context.config.demo) {
    const { isDatabaseEmpty, DEMO_TOTP_SECRET, DEMO_CITY_CODE } = await import('../modules/demo/seed-demo.ts');
    if (await isDatabaseEmpty(context.database)) {
      await seedDemoWithConsole(context, options.scale);
      if (context.config.demoHistoryCases > 0) {
        const { seedCaseHistory, progressBar } = await import('../modules/demo/seed-history.ts');
        const history = await seedCaseHistory(context.database, { cases: context.config.demoHistoryCases, months: 12, onProgress: progressBar('history') });
        console.log(`${history.cases} cases of history (${history.fromMonth} … ${history.toMonth}) for the command centre (CIVICGRID_DEMO_HISTORY_CASES)`);
      }
    } else {
      const accounts = await context.database.rows<{ username: string; role: string; scopeName: string }>(sql`
        SELECT DISTINCT ON (u.id) u.username, ra.role, coalesce(rn.name, un.name, '') AS "scopeName"
        FROM users u JOIN role_assignments ra ON ra.user_id = u.id
        LEFT JOIN region_nodes rn ON rn.id = ra.region_node_id LEFT JOIN units un ON un.id = ra.unit_id
        WHERE u.username NOT LIKE 'gw%' ORDER BY u.id LIMIT 20`);
      printAccounts(context, accounts, DEMO_TOTP_SECRET);
    }
    const open311Key = await (await import('../modules/open311/api-clients.repository.ts')).registerDemoApiClient(context, DEMO_CITY_CODE);
    if (open311Key) console.log(`Open311 demo client key: ${open311Key}${process.env.CIVICGRID_DEMO_OPEN311_KEY ? ' (from CIVICGRID_DEMO_OPEN311_KEY)' : ' (the documented default)'}`);
    // The page behind the QR code of the grid worker's first building: what a resident sees after scanning.
    const [building] = await context.database.rows<{ code: string; name: string }>(sql`
      SELECT b.code, b.name FROM users u JOIN role_assignments ra ON ra.user_id = u.id AND ra.role = 'grid_worker'
      JOIN region_nodes b ON b.parent_id = ra.region_node_id AND b.level = 'building' AND b.valid_to IS NULL
      WHERE u.username = 'gridworker' ORDER BY b.id LIMIT 1`);
    if (building) console.log(`Resident QR page of ${building.name}: http://localhost:${context.config.port}/r/${building.code}\n`);
    return;
  }
  const username = process.env.CIVICGRID_ADMIN_USERNAME;
  const password = process.env.CIVICGRID_ADMIN_PASSWORD;
  if (count === 0 && username && password) {
    const { createAdministrator } = await import('../modules/users/users.service.ts');
    await createAdministrator(context, {
      username,
      password,
      role: (process.env.CIVICGRID_ADMIN_ROLE as never) ?? 'system_admin',
      displayName: username,
      cityCode: process.env.CIVICGRID_CITY_CODE,
      cityName: process.env.CIVICGRID_CITY_NAME,
    });
    console.log(`first administrator ${username} created from the environment`);
  } else if (count === 0) {
    console.log('No users yet: create the first administrator with `civicgrid admin create` or CIVICGRID_ADMIN_USERNAME/CIVICGRID_ADMIN_PASSWORD.');
  }
}
