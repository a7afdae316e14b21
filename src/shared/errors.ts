/** Every error code the API can answer with. Clients switch on `code`; `message` is for people. */
export const errorCodes = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthenticated: 401,
  session_expired: 401,
  invalid_credentials: 401,
  totp_required: 401,
  totp_invalid: 401,
  mfa_enrolment_required: 403,
  account_locked: 423,
  account_disabled: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  role_conflict: 409,
  invalid_transition: 409,
  version_conflict: 409,
  idempotency_in_progress: 409,
  idempotency_key_reused: 422,
  location_required: 422,
  weak_password: 422,
  import_invalid: 422,
  /** Well formed, but names someone who may not take the record (a party member not reported to its community). */
  not_assignable: 422,
  rate_limited: 429,
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.status = errorCodes[code];
    this.details = details ?? null;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this here') => new AppError('forbidden', message);

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
export const errorBody = (code: string, message: string, details: unknown = null): ErrorBody => ({ error: { code, message, details } });
