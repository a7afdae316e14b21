import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate, clientOf, SESSION_COOKIE } from '../../http/request-context.ts';
import { AppError } from '../../shared/errors.ts';
import { ImageProcessor } from './image-processor.ts';
import { PhotoCreated, PhotoParams, PhotoQuery } from './photos.schemas.ts';
import { enforcePhotoRateLimit, MAX_PHOTO_BYTES, readPhoto, uploadPhoto } from './photos.service.ts';

/** The one file part `file` of a multipart upload, at most MAX_PHOTO_BYTES. */
async function readPhotoPart(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', '请以 multipart/form-data 上传照片（字段 file） / Upload the photo as multipart/form-data, field "file"');
  let photo: Buffer | null = null;
  try {
    for await (const part of request.parts({ limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 4, parts: 5 } })) {
      if (part.type !== 'file') continue;
      const bytes = await part.toBuffer();
      if (part.fieldname === 'file') photo = bytes;
    }
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('payload_too_large', `照片不能超过 ${MAX_PHOTO_BYTES / 1024 / 1024} MB / The photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB`);
    if (error instanceof AppError) throw error;
    // Everything else here comes from parsing the client's bytes (e.g. "Boundary not found"): their mistake, not ours.
    throw new AppError(e.statusCode === 413 ? 'payload_too_large' : 'validation_failed', `上传格式错误 / Malformed upload: ${e.message ?? 'unreadable multipart body'}`);
  }
  if (!photo) throw new AppError('validation_failed', '缺少照片（字段 file） / The photo is missing (form field "file")');
  return photo;
}

const upload = { tags: ['photos'], consumes: ['multipart/form-data'], response: { 201: PhotoCreated } };

/** Photo upload (residents anonymously, staff signed in) and safe serving. */
export function photoRoutes(app: App, context: AppContext) {
  const images = new ImageProcessor();
  app.addHook('onClose', async () => images.close());

  app.post('/api/v1/public/photos', { schema: { ...upload, summary: 'Upload a photo for a report (no login; JPEG or PNG, ≤ 8 MB; re-encoded without EXIF)' } }, async (request, reply) => {
    const uploader = { actor: null, client: clientOf(request) };
    await enforcePhotoRateLimit(context, uploader);
    return reply.status(201).send(await uploadPhoto(context, images, uploader, await readPhotoPart(request)));
  });
  app.post('/api/v1/photos', { schema: { ...upload, summary: 'Upload a photo for a case action (staff)' } }, async (request, reply) => {
    const uploader = { actor: await authenticate(context, request), client: clientOf(request) };
    await enforcePhotoRateLimit(context, uploader);
    return reply.status(201).send(await uploadPhoto(context, images, uploader, await readPhotoPart(request)));
  });

  app.get('/api/v1/photos/:token', {
    schema: { tags: ['photos'], params: PhotoParams, querystring: PhotoQuery, summary: 'A photo: its uploader while unattached; then staff who may read the case, or ?t=<tracking token>' },
  }, async (request, reply) => {
    const bytes = await readPhoto(context, request.params.token, {
      trackingToken: request.query.t,
      actor: async () => (request.cookies?.[SESSION_COOKIE] ? authenticate(context, request) : null),
    });
    return reply
      .type('image/jpeg')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', 'inline; filename="photo.jpg"')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .header('Cache-Control', 'private, max-age=3600')
      .send(bytes);
  });
}
