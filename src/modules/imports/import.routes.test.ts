import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import type { AppContext } from '../../context.ts';
import { openDatabase, type Database } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { buildApp } from '../../http/app.ts';
import type { App } from '../../http/types.ts';
import { PersonalDataCipher } from '../../shared/personal-data.ts';
import { hashToken } from '../auth/auth.service.ts';
import { waitForImport } from './import.service.ts';

let database: Database;
let app: App;
const token = 'test-session-token';
const cookie = `cg_session=${token}`;

function multipart(fields: Record<string, string>, file?: { name: string; content: Buffer | string }) {
  const boundary = '----civicgrid-test';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie } };
}

beforeAll(async () => {
  database = await openDatabase({ databaseUrl: null });
  await runMigrations(database);
  const config = loadConfig({} as NodeJS.ProcessEnv, { requireAdminTotp: false });
  const context: AppContext = { config, database, cipher: new PersonalDataCipher('0'.repeat(64)) };
  await database.db.execute(sql`INSERT INTO cities (id, code, name) VALUES (1, '520300000000', '遵义市')`);
  await database.db.execute(sql`INSERT INTO region_nodes (id, city_id, level, code, name, path) VALUES (1, 1, 'city', '520300000000', '遵义市', '/1/')`);
  await database.db.execute(sql`INSERT INTO region_nodes (id, city_id, parent_id, level, code, name, path) VALUES (2, 1, 1, 'building', 'B1', '1栋', '/1/2/')`);
  await database.db.execute(sql`INSERT INTO households (city_id, building_id, region_path, code, door_number) VALUES (1, 2, '/1/2/', 'H1', '101')`);
  await database.db.execute(sql`INSERT INTO users (id, city_id, username, display_name, password_hash) VALUES (1, 1, 'admin', '管理员', 'x')`);
  await database.db.execute(sql`INSERT INTO role_assignments (city_id, user_id, role, region_node_id) VALUES (1, 1, 'city_admin', 1)`);
  await database.db.execute(sql`INSERT INTO sessions (city_id, token_hash, user_id) VALUES (1, ${hashToken(token)}, 1)`);
  app = await buildApp(context);
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.close();
});

describe('import routes', () => {
  it('lists kinds', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/imports/kinds', headers: { cookie } });
    expect(response.statusCode).toBe(200);
    const kinds = response.json() as Array<{ kind: string; formats: string[]; fields: Array<{ name: string; required: boolean }> }>;
    expect(kinds.map((k) => k.kind)).toEqual(['regions', 'buildings', 'households', 'residents', 'party_members', 'staff', 'case_history']);
    expect(kinds.find((k) => k.kind === 'residents')!.fields.find((f) => f.name === 'name')).toMatchObject({ required: true });
  });

  it('previews and imports through multipart, then shows the job', async () => {
    const content = 'hh,name,gender,birthDate\nH1,张三,男,1980-01-01\n';
    const preview = await app.inject({ method: 'POST', url: '/api/v1/imports/preview', ...multipart({}, { name: 'r.csv', content }) });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toEqual({ headers: ['hh', 'name', 'gender', 'birthDate'], sampleRows: [['H1', '张三', '男', '1980-01-01']] });
    const started = await app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      ...multipart({ kind: 'residents', mapping: JSON.stringify({ householdCode: 'hh' }) }, { name: 'r.csv', content }),
    });
    expect(started.statusCode).toBe(202);
    const { id } = started.json() as { id: number };
    await waitForImport(id);
    const job = await app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: { cookie } });
    expect(job.json()).toMatchObject({ id, kind: 'residents', fileName: 'r.csv', status: 'succeeded', total: 1, processed: 1, errors: [], summary: { inserted: 1 } });
    const list = await app.inject({ method: 'GET', url: '/api/v1/imports?page=1&pageSize=5', headers: { cookie } });
    expect(list.json()).toMatchObject({ page: 1, pageSize: 5, total: 1 });
  });

  it('answers 4xx JSON for bad requests', async () => {
    const cases = [
      multipart({ kind: 'residents', mapping: '{bad json' }, { name: 'r.csv', content: 'a\n1\n' }),
      multipart({ kind: 'cats' }, { name: 'r.csv', content: 'a\n1\n' }),
      multipart({ kind: 'residents' }),
      multipart({ kind: 'residents' }, { name: 'r.exe', content: 'MZ\u0000\u0000' }),
      multipart({ kind: 'residents' }, { name: 'r.csv', content: '' }),
      multipart({ kind: 'regions' }, { name: 'r.csv', content: 'a\n1\n' }),
    ];
    for (const request of cases) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/imports', ...request });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const notMultipart = await app.inject({ method: 'POST', url: '/api/v1/imports', headers: { cookie, 'content-type': 'application/json' }, payload: '{}' });
    expect(notMultipart.statusCode).toBeGreaterThanOrEqual(400);
    expect(notMultipart.statusCode).toBeLessThan(500);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/imports/999', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    const badId = await app.inject({ method: 'GET', url: '/api/v1/imports/abc', headers: { cookie } });
    expect(badId.statusCode).toBe(400);
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/imports' });
    expect(anonymous.statusCode).toBe(401);
  });
});
