/**
 * Errors a domain service throws when a request cannot be done, independent of any transport. The HTTP layer maps
 * each kind to its status in one place (cowork/server/errors.ts); the terminal prints the message.
 */
export type DomainErrorKind = 'bad_input' | 'not_found' | 'conflict' | 'too_large' | 'unsupported_media' | 'rate_limited' | 'upstream_failed' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Required fields of a form were left empty; `fields` names them (no message parsing needed). */
export class MissingFieldsError extends DomainError {
  constructor(readonly fields: string[]) {
    super('bad_input', `Missing required fields: ${fields.join(', ')}`);
  }
}
