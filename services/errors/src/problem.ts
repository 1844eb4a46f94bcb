import { ERROR_CODES } from './codes.js';
import { IesError } from './ies-error.js';

/** RFC 9457 problem details as served with `application/problem+json`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  retriable: boolean;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem `type` URI of a code; docs/errors.md has one anchor per code. */
export function problemType(code: string): string {
  return `urn:ies-backbone:error:${code}`;
}

/**
 * Maps any thrown value to problem details. Unknown errors become IES_ERR_INTERNAL with a
 * generic detail: their message may carry internals, so it is logged, never returned.
 */
export function toProblem(err: unknown, instance?: string): ProblemDetails {
  const known = err instanceof IesError ? err : undefined;
  const code = known?.code ?? 'IES_ERR_INTERNAL';
  const spec = ERROR_CODES[code];
  const problem: ProblemDetails = {
    ...(known?.details ?? {}),
    type: problemType(code),
    title: spec.title,
    status: spec.status,
    detail: known?.message ?? 'An unexpected error occurred; it has been logged.',
    code,
    retriable: known?.retriable ?? false,
  };
  if (instance !== undefined) problem.instance = instance;
  return problem;
}
