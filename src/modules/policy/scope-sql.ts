import { sql, type SQL, type Column } from 'drizzle-orm';
import type { ListScope } from './authorize.ts';

/** WHERE fragment restricting a path column to a list scope (prefix scans on a text_pattern_ops index). */
export function regionPathFilter(pathColumn: Column | SQL, scope: ListScope, unitColumn?: Column | SQL): SQL {
  if (scope.cityWide) return sql`true`;
  const parts: SQL[] = scope.regionPaths.map((path) => sql`${pathColumn} LIKE ${path + '%'}`);
  if (unitColumn) for (const unitId of scope.unitIds) parts.push(sql`${unitColumn} = ${unitId}`);
  if (parts.length === 0) return sql`false`;
  return sql`(${sql.join(parts, sql` OR `)})`;
}
