import { ERROR_CODES, type ErrorCode } from './codes.js';

/** An error with a stable code, the numbers that explain it, and a retry decision. */
export class IesError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IesError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    this.details = options.details === undefined ? undefined : Object.freeze({ ...options.details });
  }
}

export function isIesError(err: unknown): err is IesError {
  return err instanceof IesError;
}
