import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type DomainErrorKind, type FieldIssue } from '../../core/errors.js';
import { codeForStatus, errorBody, type ErrorCode } from './error-body.js';
import { isMalformedMultipartMessage } from './services/uploads.js';

/**
 * An error with a status code and a FastAPI-style `detail` body, for what is purely HTTP (a content type, a header);
 * services throw `DomainError` instead. `errorCode` defaults to the status's code (error-body.ts).
 */
export class HttpError extends Error {
  readonly errorCode: ErrorCode;

  constructor(
    readonly statusCode: number,
    readonly detail: unknown,
    readonly headers: Record<string, string> = {},
    errorCode?: ErrorCode,
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
    this.errorCode = errorCode ?? codeForStatus(statusCode);
  }
}

export const badRequest = (detail: string) => new HttpError(400, detail);
export const notFound = (detail = 'Not Found') => new HttpError(404, detail);

/** The one place a domain error kind becomes an HTTP status (its `code` is the kind itself). */
export const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
  bad_input: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  validation_failed: 422,
  rate_limited: 429,
  upstream_failed: 502,
  unavailable: 503,
};

const LOC_PREFIX: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

interface PydanticIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

function zodIssueType(code: string, params: Record<string, unknown>): string {
  if (code === 'invalid_type') return params.input === undefined ? 'missing' : `${String(params.expected)}_type`;
  if (code === 'too_big') return params.origin === 'string' ? 'string_too_long' : 'too_big';
  if (code === 'too_small') return params.origin === 'string' ? 'string_too_short' : 'too_small';
  return code;
}

/** A domain error's `detail`: its message, or (validation) the fields at fault in the pydantic shape. */
function domainDetail(err: DomainError): unknown {
  if (!err.issues?.length) return err.message;
  return err.issues.map((i: FieldIssue) => ({ type: i.type, loc: ['body', ...i.path], msg: i.message }));
}

/** Map request-validation failures to the pydantic v2 shape the client already parses: 422 {detail:[{loc,msg,type}]}. */
function validationDetail(err: FastifyError): PydanticIssue[] {
  const where = LOC_PREFIX[err.validationContext ?? 'body'] ?? 'body';
  return (err.validation ?? []).map((v) => {
    const params = (v.params ?? {}) as Record<string, unknown>;
    const path = String(v.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const missing = v.keyword === 'invalid_type' && params.input === undefined;
    return {
      type: zodIssueType(String(v.keyword), params),
      loc: [where, ...path],
      msg: missing ? 'Field required' : String(v.message ?? 'Invalid value'),
      ...(params.input !== undefined ? { input: params.input } : {}),
    };
  });
}

/**
 * Operating-system and SQLite failures that are not bugs: each gets its own status and a `detail` that says what to
 * do, instead of a bare 500. (A full disk is 507 Insufficient Storage, a read-only or unwritable one 503.)
 */
const DISK_FULL = 'The disk is full (no space left for Anton\'s data). Free some space and try again.';
const READ_ONLY = 'Anton\'s data folder is read-only or not writable. Check the disk and folder permissions, then try again.';
export function systemErrorResponse(err: { code?: unknown; message?: string }): { status: number; detail: string; code: ErrorCode } | null {
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return { status: 507, detail: DISK_FULL, code: 'disk_full' };
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return { status: 503, detail: READ_ONLY, code: 'read_only' };
  if (code === 'EACCES' || code === 'EPERM') return { status: 503, detail: READ_ONLY, code: 'read_only' };
  if (code === 'EMFILE' || code === 'ENFILE') return { status: 503, detail: 'Too many open files; try again in a moment.', code: 'unavailable' };
  if (code === 'ENAMETOOLONG') return { status: 400, detail: 'A file or folder name is too long for the file system (at most 255 bytes per name).', code: 'bad_input' };
  if (isMalformedMultipartMessage(err.message)) return { status: 400, detail: `Malformed multipart body: ${err.message}`, code: 'bad_input' };
  return null;
}


export function installErrorHandling(app: FastifyInstance, fallback?: (req: FastifyRequest, reply: FastifyReply) => boolean): void {
  // Remember every route pattern so an unknown method on a known path answers 405, as FastAPI does.
  const routes: { methods: string[]; re: RegExp }[] = [];
  app.addHook('onRoute', (r) => {
    const methods = ([] as string[]).concat(r.method).filter((m) => m !== 'OPTIONS' && m !== 'HEAD');
    if (!methods.length || r.url === '*' || r.url === '/*') return; // CORS preflight / catch-alls
    const pattern = r.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ methods, re: new RegExp(`^${pattern}/?$`) });
  });

  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    if (fallback?.(req, reply)) return reply;
    const path = req.url.split('?')[0];
    const allowed = routes.filter((r) => r.re.test(path)).flatMap((r) => r.methods);
    if (allowed.length && !allowed.includes(req.method)) {
      return reply.code(405).header('allow', [...new Set(allowed)].join(', ')).send(errorBody('Method Not Allowed', 'method_not_allowed'));
    }
    return reply.code(404).send(errorBody('Not Found', 'not_found'));
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof DomainError) return reply.code(DOMAIN_STATUS[err.kind]).send(errorBody(domainDetail(err), err.kind));
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).headers(err.headers).send(errorBody(err.detail, err.errorCode));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.code(422).send(errorBody(validationDetail(err), 'validation_failed'));
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      return reply.code(422).send(errorBody([{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }], 'validation_failed'));
    }
    const sys = systemErrorResponse(err);
    if (sys) {
      if (sys.status >= 500) req.log.warn({ err }, sys.detail);
      return reply.code(sys.status).send(errorBody(sys.detail, sys.code));
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return reply.code(status).send(errorBody(err.message, codeForStatus(status)));
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('Internal Server Error', 'internal'));
  });
}
