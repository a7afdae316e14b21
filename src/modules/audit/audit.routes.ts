import { Type } from 'typebox';
import { sql, type SQL } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { authorize } from '../policy/authorize.ts';
import { appendAudit, verifyAuditChain } from './audit.service.ts';
import { auditOf } from '../auth/auth.service.ts';

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 64 })),
    actorUserId: Type.Optional(Type.Integer({ minimum: 1 })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

/** Only the audit administrator reads the log; reading it is itself audited. */
export function auditRoutes(app: App, context: AppContext) {
  const tags = ['audit'];
  app.get('/api/v1/audit', { schema: { tags, querystring: AuditQuery } }, async (request) => {
    const actor = await authenticate(context, request);
    authorize(actor, 'audit', 'read', { cityId: actor.cityId });
    const { page = 1, pageSize = 50, action, actorUserId, outcome, from, to } = request.query;
    const conditions: SQL[] = [sql`city_id = ${actor.cityId}`];
    if (action) conditions.push(sql`action = ${action}`);
    if (actorUserId) conditions.push(sql`actor_user_id = ${actorUserId}`);
    if (outcome) conditions.push(sql`outcome = ${outcome}`);
    if (from) conditions.push(sql`at >= ${from}`);
    if (to) conditions.push(sql`at < ${to}`);
    const where = sql.join(conditions, sql` AND `);
    const rows = await context.database.rows<Record<string, unknown>>(
      sql`SELECT id, at, actor_user_id, actor_name, action, resource_type, resource_id, outcome, ip, details FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    );
    const [{ total }] = await context.database.rows<{ total: number }>(sql`SELECT count(*)::int AS total FROM audit_log WHERE ${where}`);
    await context.database.db.transaction((tx) => appendAudit(context.database, tx, auditOf(actor, 'audit.read', 'audit_log', null, { page })));
    return {
      items: rows.map((row) => ({
        id: Number(row.id),
        at: new Date(row.at as string).toISOString(),
        actorUserId: row.actor_user_id === null ? null : Number(row.actor_user_id),
        actorName: row.actor_name as string | null,
        action: row.action as string,
        resourceType: row.resource_type as string,
        resourceId: row.resource_id as string | null,
        outcome: row.outcome as string,
        ip: row.ip as string | null,
        details: typeof row.details === 'string' ? JSON.parse(row.details) : row.details,
      })),
      page,
      pageSize,
      total: Number(total),
    };
  });
  app.post('/api/v1/audit/verify', { schema: { tags } }, async (request) => {
    const actor = await authenticate(context, request);
    authorize(actor, 'audit', 'verify', { cityId: actor.cityId });
    return verifyAuditChain(context.database, actor.cityId);
  });
}
