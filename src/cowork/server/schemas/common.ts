import { z } from 'zod';
import { ERROR_CODES } from '../error-body.js';

/**
 * Shapes shared by every route contract. Response objects are open (`looseObject`): the contract names the fields
 * the client reads, and a field added later is never a contract break. Runtime serialization never strips through
 * these schemas (see `serializer.ts`); tests validate every answer against them.
 */

/** One item of a FastAPI/pydantic validation error (what the client joins into its error message). */
export const ValidationIssue = z.looseObject({
  type: z.string(),
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
});

/** The stable, machine-readable kind of an error (docs/api.md lists what each means). */
export const ErrorCode = z.enum(ERROR_CODES).meta({ id: 'ErrorCode', description: 'Stable machine-readable error kind; `detail` is for people.' });

/** Every 4xx/5xx answer: `{detail, code}`; `detail` is a message or (422) a list of issues. */
export const ErrorBody = z
  .object({ detail: z.union([z.string(), z.array(ValidationIssue)]), code: ErrorCode })
  .meta({ id: 'ErrorBody', description: 'An error: `detail` is a message, or a list of validation issues (422); `code` says which kind.' });

export const ValidationErrorBody = z
  .object({ detail: z.array(ValidationIssue), code: z.literal('validation_failed') })
  .meta({ id: 'ValidationErrorBody', description: 'Request validation failed (pydantic v2 shape).' });

/** The error answers every route may give, declared once. */
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
export const ERROR_RESPONSES = {
  '4xx': json('A refused request: `detail` says why (400 bad input, 404 unknown item, 409 busy, 413/415 content).', ErrorBody),
  422: json('The request did not match its schema.', ValidationErrorBody),
  '5xx': json('A server-side failure (503: a required part such as Python is missing).', ErrorBody),
} as const;

export const Ok = z.looseObject({ ok: z.literal(true) });
export const StatusOk = z.looseObject({ status: z.literal('ok') });

/** Bytes of a file (downloads, previews): documented, never serialized. */
export const Bytes = z.string().meta({ format: 'binary' });

export const isoTime = z.string().describe('ISO 8601 time');
