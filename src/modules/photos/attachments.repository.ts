import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Database, Executor } from '../../db/client.ts';
import { AppError } from '../../shared/errors.ts';

/** Every case may carry at most this many photos per report or action. */
export const MAX_ATTACHMENTS = 6;

export const photoUrl = (token: string) => `/api/v1/photos/${token}`;

export interface AttachmentRow {
  id: number;
  cityId: number | null;
  caseId: number | null;
  caseEventId: number | null;
  uploadToken: string;
  storageKey: string;
  bytes: number;
  width: number | null;
  height: number | null;
  uploadedByUserId: number | null;
  uploadedFromIp: string | null;
}

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const toRow = (r: Record<string, unknown>): AttachmentRow => ({
  id: Number(r.id),
  cityId: num(r.city_id),
  caseId: num(r.case_id),
  caseEventId: num(r.case_event_id),
  uploadToken: r.upload_token as string,
  storageKey: r.storage_key as string,
  bytes: Number(r.bytes),
  width: num(r.width),
  height: num(r.height),
  uploadedByUserId: num(r.uploaded_by_user_id),
  uploadedFromIp: (r.uploaded_from_ip as string | null) ?? null,
});

export async function insertAttachment(
  database: Database,
  executor: Executor,
  row: { cityId: number | null; uploadToken: string; storageKey: string; bytes: number; width: number; height: number; sha256: string; uploadedByUserId: number | null; uploadedFromIp: string | null },
): Promise<number> {
  const [inserted] = await database.rows<{ id: number }>(sql`
    INSERT INTO attachments (city_id, upload_token, storage_key, content_type, bytes, width, height, sha256, uploaded_by_user_id, uploaded_from_ip)
    VALUES (${row.cityId}, ${row.uploadToken}, ${row.storageKey}, 'image/jpeg', ${row.bytes}, ${row.width}, ${row.height}, ${row.sha256}, ${row.uploadedByUserId}, ${row.uploadedFromIp})
    RETURNING id`, executor);
  return Number(inserted.id);
}

export async function findAttachmentByToken(database: Database, token: string): Promise<AttachmentRow | null> {
  const [row] = await database.rows<Record<string, unknown>>(sql`SELECT * FROM attachments WHERE upload_token = ${token}`);
  return row ? toRow(row) : null;
}

export interface LinkInput {
  cityId: number;
  caseId: number;
  caseEventId: number | null;
  tokens: string[];
  /** The staff user attaching their own uploads, or null for an anonymous (resident) report … */
  uploaderUserId: number | null;
  /** … whose uploads must then come from the same client IP. */
  uploaderIp: string | null;
}

/**
 * Attaches uploaded photos to a case (and the event of the action that carried them), inside the
 * caller's transaction. Every token must exist, belong to this uploader (same user; for anonymous
 * uploads the same IP) and be unattached — or already attached to this very case and event, so a
 * retried request is harmless. Anything else refuses the whole set with `validation_failed`.
 */
export async function linkAttachments(context: AppContext, tx: Executor, input: LinkInput): Promise<Array<{ token: string; url: string }>> {
  const tokens = [...new Set(input.tokens)];
  if (tokens.length === 0) return [];
  if (tokens.length > MAX_ATTACHMENTS) throw new AppError('validation_failed', `At most ${MAX_ATTACHMENTS} photos`, { max: MAX_ATTACHMENTS, given: tokens.length });
  const rows = (
    await context.database.rows<Record<string, unknown>>(
      sql`SELECT * FROM attachments WHERE upload_token IN (${sql.join(tokens.map((t) => sql`${t}`), sql`, `)}) ORDER BY id FOR UPDATE`,
      tx,
    )
  ).map(toRow);
  const byToken = new Map(rows.map((row) => [row.uploadToken, row]));
  const problems: Array<{ token: string; reason: string }> = [];
  for (const token of tokens) {
    const row = byToken.get(token);
    const ownRow = row && (input.uploaderUserId !== null
      ? row.uploadedByUserId === input.uploaderUserId
      : row.uploadedByUserId === null && input.uploaderIp !== null && row.uploadedFromIp === input.uploaderIp);
    if (!row || !ownRow) problems.push({ token, reason: 'unknown' }); // another uploader's token is as good as unknown
    else if (row.cityId !== null && row.cityId !== input.cityId) problems.push({ token, reason: 'unknown' });
    else if (row.caseId !== null && (row.caseId !== input.caseId || row.caseEventId !== input.caseEventId)) problems.push({ token, reason: 'already_attached' });
  }
  if (problems.length) throw new AppError('validation_failed', 'Some photos cannot be attached: upload them again', problems);
  const ids = rows.filter((row) => row.caseId === null).map((row) => sql`${row.id}`);
  if (ids.length) {
    await tx.execute(sql`UPDATE attachments SET city_id = ${input.cityId}, case_id = ${input.caseId}, case_event_id = ${input.caseEventId}
      WHERE id IN (${sql.join(ids, sql`, `)})`);
  }
  return tokens.map((token) => ({ token, url: photoUrl(token) }));
}

/** The photos of a case, oldest first (staff case detail; the tracking page filters by event). */
export async function attachmentsOfCase(context: AppContext, caseId: number) {
  const rows = await context.database.rows<Record<string, unknown>>(sql`
    SELECT upload_token, case_event_id, width, height, bytes, created_at FROM attachments WHERE case_id = ${caseId} ORDER BY id`);
  return rows.map((r) => ({
    token: r.upload_token as string,
    url: photoUrl(r.upload_token as string),
    caseEventId: num(r.case_event_id),
    width: num(r.width),
    height: num(r.height),
    bytes: Number(r.bytes),
    createdAt: new Date(r.created_at as string).toISOString(),
  }));
}
