import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { AppError, forbidden, notFound } from '../../shared/errors.ts';
import { enforceRateLimit } from '../../shared/rate-limit.ts';
import { appendAudit } from '../audit/audit.service.ts';
import { auditOf, type ClientInfo } from '../auth/auth.service.ts';
import type { Actor } from '../policy/actor.ts';
import { can, mayEver, requireAbility } from '../policy/authorize.ts';
import { MAX_ATTACHMENTS, findAttachmentByToken, insertAttachment, photoUrl } from './attachments.repository.ts';
import { detectImageType, ImageError } from './image.ts';
import type { ImageProcessor } from './image-processor.ts';
import { newStorageKey, readPhotoFile, removePhotoFile, storePhoto } from './photo-storage.ts';

/** Upload size limit per photo (the multipart plugin's global limit is larger, for imports). */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
/** Staff uploads per user and window: generous (a synced offline queue), but a bound on disk use. */
const STAFF_PHOTOS_PER_WINDOW = 300;

export interface Uploader {
  actor: Actor | null;
  client: ClientInfo;
}

/**
 * Checked before the body is read. Anonymous: per client IP, six photos for every report the intake
 * limit allows (CIVICGRID_INTAKE_RATE_LIMIT=off turns both off). Staff: per user.
 */
export async function enforcePhotoRateLimit(context: AppContext, uploader: Uploader) {
  const { intakeLimitPerClient, intakeLimitWindowSeconds } = context.config;
  if (uploader.actor) {
    // Staff who work cases, and those who post or fulfil micro-wishes (party members, unit liaisons), upload photos.
    if (!mayEver(uploader.actor, 'micro_wish', 'claim') && !mayEver(uploader.actor, 'micro_wish', 'post')) requireAbility(uploader.actor, 'case', 'read');
    await enforceRateLimit(context, `photo:user:${uploader.actor.userId}`, intakeLimitPerClient > 0 ? STAFF_PHOTOS_PER_WINDOW : 0, intakeLimitWindowSeconds, 'Too many photo uploads: please try again later');
  } else {
    await enforceRateLimit(context, `photo:ip:${uploader.client.ip ?? 'unknown'}`, intakeLimitPerClient * MAX_ATTACHMENTS, intakeLimitWindowSeconds, 'Too many photo uploads from here: please try again later');
  }
}

function imageFailure(error: ImageError): AppError {
  if (error.kind === 'unsupported') return new AppError('unsupported_media_type', '只能上传 JPEG 或 PNG 照片 / Only JPEG and PNG photos are accepted');
  if (error.kind === 'too_large') return new AppError('payload_too_large', `照片尺寸过大 / ${error.message}`);
  return new AppError('validation_failed', `照片已损坏或不完整 / ${error.message}`);
}

/**
 * Stores one photo: the type is checked by content, the picture re-encoded (EXIF/GPS and any trailing
 * bytes dropped) in the image worker, written under a random key, and recorded unattached; the upload
 * token is what the uploader later hands to a report or action (linkAttachments).
 */
export async function uploadPhoto(context: AppContext, images: ImageProcessor, uploader: Uploader, bytes: Buffer) {
  if (bytes.length === 0) throw new AppError('validation_failed', '照片为空 / The file is empty');
  if (!detectImageType(bytes)) throw imageFailure(new ImageError('unsupported', ''));
  let photo;
  try {
    photo = await images.normalize(bytes);
  } catch (error) {
    if (error instanceof ImageError) throw imageFailure(error);
    throw error;
  }
  const token = crypto.randomBytes(24).toString('base64url');
  const storageKey = newStorageKey();
  const sha256 = crypto.createHash('sha256').update(photo.jpeg).digest('hex');
  await storePhoto(context.config, storageKey, photo.jpeg);
  try {
    await context.database.db.transaction(async (tx) => {
      const id = await insertAttachment(context.database, tx, {
        cityId: uploader.actor?.cityId ?? null,
        uploadToken: token,
        storageKey,
        bytes: photo.jpeg.length,
        width: photo.width,
        height: photo.height,
        sha256,
        uploadedByUserId: uploader.actor?.userId ?? null,
        uploadedFromIp: uploader.actor ? null : uploader.client.ip,
      });
      // Anonymous uploads have no city yet: the report that attaches them is audited with its case.
      if (uploader.actor) await appendAudit(context.database, tx, auditOf(uploader.actor, 'attachment.upload', 'attachment', id, { bytes: photo.jpeg.length }));
    });
  } catch (error) {
    await removePhotoFile(context.config, storageKey);
    throw error;
  }
  return { token, url: photoUrl(token), width: photo.width, height: photo.height, bytes: photo.jpeg.length };
}

export interface PhotoViewer {
  /** The tracking token of the case, as the resident's tracking page holds it. */
  trackingToken?: string;
  /** Resolves the staff session, if the request carries one. */
  actor(): Promise<Actor | null>;
}

/**
 * Who may see a photo:
 * - not attached yet: whoever holds its upload token (192 random bits, known only to the uploader);
 * - attached: the resident presenting the case's tracking token, for photos of the report itself or of
 *   a public event (a reply), and staff who may read the case (its area, or a summoned department).
 * Anyone else gets 404 (no hint that the token exists); signed-in staff outside the case's scope 403.
 */
export async function readPhoto(context: AppContext, token: string, viewer: PhotoViewer): Promise<Buffer> {
  const photo = await findAttachmentByToken(context.database, token);
  if (!photo) throw notFound('Photo');
  if (photo.caseId !== null && !(await residentMaySee(context, photo.caseId, photo.caseEventId, viewer.trackingToken))) {
    const actor = await viewer.actor();
    if (!actor) throw notFound('Photo');
    if (!can(actor, 'case', 'read', await caseRecord(context, photo.caseId))) throw forbidden('Not allowed to see the photos of this case');
  }
  const bytes = await readPhotoFile(context.config, photo.storageKey);
  if (!bytes) throw notFound('Photo');
  return bytes;
}

async function residentMaySee(context: AppContext, caseId: number, caseEventId: number | null, trackingToken: string | undefined): Promise<boolean> {
  if (!trackingToken) return false;
  const [row] = await context.database.rows<{ id: number; event_public: boolean | null }>(sql`
    SELECT c.id, (SELECT e.is_public FROM case_events e WHERE e.id = ${caseEventId} AND e.case_id = c.id) AS event_public
    FROM cases c WHERE c.tracking_token = ${trackingToken}`);
  if (!row || Number(row.id) !== caseId) return false;
  return caseEventId === null || row.event_public === true;
}

/** The case as the policy sees it: like the case detail (its area, and the departments summoned to it). */
async function caseRecord(context: AppContext, caseId: number) {
  const [row] = await context.database.rows<{ city_id: number; region_path: string }>(sql`SELECT city_id, region_path FROM cases WHERE id = ${caseId}`);
  if (!row) throw notFound('Photo');
  const summonses = await context.database.rows<{ department_id: number }>(sql`SELECT department_id FROM case_summonses WHERE case_id = ${caseId} AND returned_at IS NULL`);
  return { cityId: Number(row.city_id), regionPath: row.region_path, unitIds: summonses.map((s) => Number(s.department_id)) };
}

/**
 * Photos uploaded but never attached to a report or action (the resident gave up, or removed them) are
 * deleted after a while, rows and files. For the housekeeping loop; returns how many went.
 */
export async function pruneUnattachedPhotos(context: AppContext, olderThan: Date): Promise<number> {
  const rows = await context.database.rows<{ storage_key: string }>(sql`
    DELETE FROM attachments a WHERE a.case_id IS NULL AND a.created_at < ${olderThan.toISOString()}
      -- A micro-wish keeps its photos by upload token (its own and the fulfilment's).
      AND NOT EXISTS (SELECT 1 FROM micro_wishes w WHERE w.photo_key = a.upload_token)
      AND NOT EXISTS (SELECT 1 FROM micro_wishes w WHERE w.fulfilment_photo_key = a.upload_token)
    RETURNING storage_key`);
  for (const row of rows) await removePhotoFile(context.config, row.storage_key);
  return rows.length;
}
