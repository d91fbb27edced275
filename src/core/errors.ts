/**
 * Errors a domain service throws when a request cannot be done, independent of any transport. The HTTP layer maps
 * each kind to its status in one place (cowork/server/errors.ts), and the kind is the stable `code` of the error
 * body; the terminal prints the message.
 */
export type DomainErrorKind =
  | 'bad_input'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media'
  | 'validation_failed'
  | 'rate_limited'
  | 'upstream_failed'
  | 'unavailable';

/** One field of the request that failed validation: where (`path` inside the request's input), what, and why. */
export interface FieldIssue {
  path: (string | number)[];
  /** A short machine name of the problem (`missing`, `string_type`…). */
  type: string;
  message: string;
}

export class DomainError extends Error {
  /** For `validation_failed`: the fields at fault. */
  readonly issues?: FieldIssue[];

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    opts: { issues?: FieldIssue[] } = {},
  ) {
    super(message);
    if (opts.issues) this.issues = opts.issues;
  }
}

/** Required fields of a form were left empty; `fields` names them (no message parsing needed). */
export class MissingFieldsError extends DomainError {
  constructor(readonly fields: string[]) {
    super('bad_input', `Missing required fields: ${fields.join(', ')}`);
  }
}
