import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import type { App } from '../../http/types.ts';
import { authenticate } from '../../http/request-context.ts';
import { AppError } from '../../shared/errors.ts';
import { PaginationQuery, pageOf } from '../../shared/pagination.ts';
import { describeKinds, kindSpec } from './import-kinds.ts';
import { getImport, listImports, mayImportSomewhere, previewTable, requireSomeImport, startImport } from './import.service.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9007199254740991 }) }, { additionalProperties: false });
const ListQuery = Type.Object({ ...PaginationQuery.properties }, { additionalProperties: false });

interface Upload {
  fields: Record<string, string>;
  fileName: string | null;
  buffer: Buffer | null;
}

const invalid = (message: string, details?: unknown) => new AppError('validation_failed', message, details);

/** Reads a multipart upload: text fields and the one file part (`file`), kept in memory (limit 50 MB). */
async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (!request.isMultipart()) throw new AppError('unsupported_media_type', '请以 multipart/form-data 上传文件 / Upload the file as multipart/form-data');
  const upload: Upload = { fields: {}, fileName: null, buffer: null };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          await part.toBuffer();
          throw invalid(`未知的文件字段“${part.fieldname}”，应为 file / Unexpected file field "${part.fieldname}"; send it as "file"`);
        }
        upload.buffer = await part.toBuffer();
        upload.fileName = part.filename || 'upload';
      } else if (typeof part.value === 'string') {
        upload.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const e = error as { statusCode?: number; code?: string; message?: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.statusCode === 413) throw new AppError('payload_too_large', '文件超过 50 MB / The file is larger than 50 MB');
    if (typeof e.statusCode === 'number' && e.statusCode < 500) throw invalid(`上传格式错误 / Malformed upload: ${e.message}`);
    throw error;
  }
  return upload;
}

function requireFile(upload: Upload): { fileName: string; buffer: Buffer } {
  if (!upload.buffer || upload.fileName === null) throw invalid('缺少文件（字段名 file） / The file is missing (form field "file")');
  if (upload.buffer.length === 0) throw invalid('文件为空 / The file is empty');
  return { fileName: upload.fileName, buffer: upload.buffer };
}

function parseMapping(raw: string | undefined): Record<string, string> | null {
  if (raw === undefined || raw.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('mapping 不是有效的 JSON / mapping is not valid JSON');
  }
  if (parsed === null) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('mapping 应为 { 目标字段: 源列名 } 对象 / mapping must be an object { targetField: sourceColumn }');
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') throw invalid(`mapping 中“${key}”的值应为列名文本 / mapping value of "${key}" must be a column name`, { field: key });
  }
  return parsed as Record<string, string>;
}

function parseOptions(raw: string | undefined): Record<string, unknown> | null {
  if (raw === undefined || raw.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('options 不是有效的 JSON / options is not valid JSON');
  }
  if (parsed === null) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('options 应为对象 / options must be an object');
  return parsed as Record<string, unknown>;
}

function parseRegionId(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw invalid('regionId 应为正整数 / regionId must be a positive integer');
  return value;
}

export function importRoutes(app: App, context: AppContext) {
  const tags = ['imports'];

  app.get('/api/v1/imports/kinds', { schema: { tags } }, async (request) => {
    const actor = await authenticate(context, request);
    requireSomeImport(actor);
    return describeKinds((spec) => mayImportSomewhere(actor, spec));
  });

  app.post('/api/v1/imports/preview', { schema: { tags, consumes: ['multipart/form-data'] } }, async (request) => {
    const actor = await authenticate(context, request);
    requireSomeImport(actor);
    const { fileName, buffer } = requireFile(await readUpload(request));
    return previewTable(buffer, fileName);
  });

  app.post('/api/v1/imports', { schema: { tags, consumes: ['multipart/form-data'] } }, async (request, reply) => {
    const actor = await authenticate(context, request);
    requireSomeImport(actor);
    const upload = await readUpload(request);
    const kind = upload.fields.kind?.trim();
    if (!kind) throw invalid('缺少导入类型 kind / The field "kind" is missing');
    if (!kindSpec(kind)) throw invalid(`未知的导入类型“${kind}” / Unknown import kind "${kind}"`, { kind });
    const mapping = parseMapping(upload.fields.mapping);
    const regionId = parseRegionId(upload.fields.regionId);
    const options = parseOptions(upload.fields.options);
    const { fileName, buffer } = requireFile(upload);
    const { id } = await startImport(context, actor, { kind, fileName, buffer, mapping, regionId, options });
    return reply.status(202).send({ id });
  });

  app.get('/api/v1/imports/:id', { schema: { tags, params: IdParams } }, async (request) => {
    const actor = await authenticate(context, request);
    return getImport(context, actor, request.params.id);
  });

  app.get('/api/v1/imports', { schema: { tags, querystring: ListQuery } }, async (request) => {
    const actor = await authenticate(context, request);
    const { page, pageSize } = pageOf(request.query);
    return listImports(context, actor, page, pageSize);
  });
}
