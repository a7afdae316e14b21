import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorBody } from '../shared/errors.ts';

/** Maps every failure to `{ error: { code, message, details } }`; only genuine bugs become 500. */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError & { validation?: unknown[]; code?: string }, request, reply) => {
    if (error instanceof AppError) {
      const retryAfter = (error.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
      if (error.code === 'rate_limited' && retryAfter) reply.header('Retry-After', String(retryAfter));
      return reply.status(error.status).send(errorBody(error.code, error.message, error.details));
    }
    if (error.validation) {
      const details = (error.validation as Array<{ instancePath?: string; message?: string; params?: unknown; keyword?: string }>).map((issue) => ({
        path: `${(error as { validationContext?: string }).validationContext ?? ''}${issue.instancePath ?? ''}`,
        message: issue.message,
        keyword: issue.keyword,
        params: issue.params,
      }));
      return reply.status(400).send(errorBody('validation_failed', `Invalid request: ${error.message}`, details));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send(errorBody('malformed_json', 'The request body is not valid JSON'));
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(errorBody('payload_too_large', 'The request body is too large'));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.status(415).send(errorBody('unsupported_media_type', 'Unsupported content type'));
    }
    if (error instanceof SyntaxError) return reply.status(400).send(errorBody('malformed_json', 'The request body is not valid JSON'));
    // Drizzle wraps driver errors (DrizzleQueryError); the PostgreSQL error with its SQLSTATE is the cause.
    const databaseError = ((error as { cause?: unknown }).cause ?? error) as { code?: string; constraint?: string };
    const pgCode = databaseError.code;
    if (pgCode === '23505') return reply.status(409).send(errorBody('conflict', 'A record with the same unique value already exists', { constraint: databaseError.constraint ?? null }));
    // An exclusion constraint (a booking overlapping another) and a check constraint are the database's rules.
    if (pgCode === '23P01') return reply.status(409).send(errorBody('conflict', 'This overlaps an existing record', { constraint: databaseError.constraint ?? null }));
    if (pgCode === '23514') return reply.status(422).send(errorBody('validation_failed', 'A value breaks a rule of the record', { constraint: databaseError.constraint ?? null }));
    // invalid text, numeric out of range, bad datetime format/field, NUL byte in text, statement too complex
    if (pgCode === '22P02' || pgCode === '22003' || pgCode === '22007' || pgCode === '22008' || pgCode === '22021' || pgCode === '54000') {
      return reply.status(400).send(errorBody('bad_request', 'A value in the request is out of range or malformed'));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.status(error.statusCode).send(errorBody('bad_request', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'Something went wrong on our side; the error was logged'));
  });
}
