/**
 * The body of every error answer: FastAPI's `{"detail": …}` (what the client shows) plus a stable, machine-readable
 * `code`. Kept free of imports: the early listener's security hook uses it before the app loads.
 */

/** Every `code` an error answer can carry (docs/api.md explains each). A domain error's kind is its code. */
export const ERROR_CODES = [
  'bad_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'too_large',
  'unsupported_media',
  'validation_failed',
  'rate_limited',
  'internal',
  'upstream_failed',
  'unavailable',
  'disk_full',
  'read_only',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  detail: unknown;
  code: ErrorCode;
}

/** The code an answer of this status carries when nothing more specific is known. */
const STATUS_CODE: Record<number, ErrorCode> = {
  400: 'bad_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media',
  422: 'validation_failed',
  429: 'rate_limited',
  500: 'internal',
  502: 'upstream_failed',
  503: 'unavailable',
  507: 'disk_full',
};

export function codeForStatus(status: number): ErrorCode {
  return STATUS_CODE[status] ?? (status >= 500 ? 'internal' : 'bad_input');
}

export function errorBody(detail: unknown, code: ErrorCode): ErrorBody {
  return { detail, code };
}
