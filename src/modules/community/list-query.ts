import { sql, type SQL } from 'drizzle-orm';
import { Type, type TSchema } from 'typebox';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../shared/errors.ts';
import type { Actor } from '../policy/actor.ts';
import { findNode } from '../regions/regions.repository.ts';

/**
 * The query every community-service list accepts: search, a region node to narrow to, a status,
 * a period and pages. Modules add their own filters beside these (`listQuery({ kind: … })`).
 */
export const listQueryFields = {
  q: Type.Optional(Type.String({ maxLength: 50, description: 'Words in the title or name' })),
  regionId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only records under this region node' })),
  status: Type.Optional(Type.String({ maxLength: 20, pattern: '^[a-z_]+$' })),
  from: Type.Optional(Type.String({ format: 'date', description: 'Created on or after (YYYY-MM-DD, Asia/Shanghai)' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'Created on or before (YYYY-MM-DD, Asia/Shanghai)' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
};

export const listQuery = <T extends Record<string, TSchema>>(extra: T) => Type.Object({ ...listQueryFields, ...extra }, { additionalProperties: false });
/** The same filters for the Excel export: every page. */
export const exportQuery = <T extends Record<string, TSchema>>(extra: T) => {
  const { page: _page, pageSize: _pageSize, ...fields } = listQueryFields;
  return Type.Object({ ...fields, ...extra }, { additionalProperties: false });
};

export interface ListFilters {
  q?: string;
  regionId?: number;
  status?: string;
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

export const pageOfList = (query: ListFilters) => {
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 20;
  return { page, pageSize, offset: (page - 1) * pageSize };
};

/** `%words%` for LIKE, with the wildcards in the words escaped. */
export const likePattern = (q: string) => `%${q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;

/**
 * The path of a region node of the actor's own city, to narrow a list to a subtree. The list is still
 * filtered by the actor's scope, so this grants nothing; an unknown or foreign node is a clear 400.
 */
export async function regionPathOf(context: AppContext, actor: Actor, regionId: number): Promise<string> {
  const node = await findNode(context.database, regionId);
  if (!node || node.cityId !== actor.cityId) throw new AppError('validation_failed', 'regionId is not a region node of your city', { regionId });
  return node.path;
}

/** Common WHERE parts: q over the given text columns, regionId subtree, status, created_at period. */
export async function commonFilters(context: AppContext, actor: Actor, query: ListFilters, columns: { path: SQL; search: SQL[]; status?: SQL; createdAt?: SQL }): Promise<SQL[]> {
  const parts: SQL[] = [];
  if (query.q?.trim() && columns.search.length) {
    const pattern = likePattern(query.q);
    parts.push(sql`(${sql.join(columns.search.map((c) => sql`${c} LIKE ${pattern}`), sql` OR `)})`);
  }
  if (query.regionId) parts.push(sql`${columns.path} LIKE ${(await regionPathOf(context, actor, query.regionId)) + '%'}`);
  if (query.status && columns.status) parts.push(sql`${columns.status} = ${query.status}`);
  if (query.from && columns.createdAt) parts.push(sql`${columns.createdAt} >= (${query.from}::date)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (query.to && columns.createdAt) parts.push(sql`${columns.createdAt} < (${query.to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  return parts;
}

/** The community (or other node) a record is created under, checked to be of `level`s and in the actor's city. */
export async function nodeOf(context: AppContext, actor: Actor, id: number, levels: readonly string[], executor?: Parameters<AppContext['database']['rows']>[1]) {
  const node = await findNode(context.database, id, executor);
  if (!node || node.cityId !== actor.cityId) throw new AppError('validation_failed', 'Unknown region node', { id });
  if (!levels.includes(node.level)) throw new AppError('validation_failed', `The node must be a ${levels.join(' or ')}, not a ${node.level}`, { id, level: node.level });
  return { id: node.id, path: node.path, level: node.level, name: node.name };
}

/** The community above a path ('/1/5/23/40/…' → the node whose level is community), or null. */
export async function communityOfPath(context: AppContext, path: string, executor?: Parameters<AppContext['database']['rows']>[1]) {
  const ids = path.split('/').filter(Boolean).map(Number);
  if (ids.length === 0) return null;
  const [row] = await context.database.rows<{ id: number; path: string; name: string }>(
    sql`SELECT id, path, name FROM region_nodes WHERE id IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)}) AND level = 'community' LIMIT 1`,
    executor,
  );
  return row ? { id: Number(row.id), path: row.path, name: row.name } : null;
}
