import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { defaultCaseCategories } from './triage.ts';

/** Gives a new city the default request categories (editable afterwards). */
export async function insertDefaultCategories(database: Database, executor: Executor, cityId: number): Promise<number> {
  for (const category of defaultCaseCategories) {
    await executor.execute(sql`INSERT INTO case_categories (city_id, code, name, default_color, raise_keywords)
      VALUES (${cityId}, ${category.code}, ${category.name}, ${category.defaultColor}, ${JSON.stringify(category.raiseKeywords)}::jsonb)
      ON CONFLICT (city_id, code) DO NOTHING`);
  }
  const [{ count }] = await database.rows<{ count: number }>(sql`SELECT count(*)::int AS count FROM case_categories WHERE city_id = ${cityId}`, executor);
  return Number(count);
}
