import { IesError, type ErrorCode } from '@ies/errors';

/** The DR domain's codes: their status, title and retry decision live in the one registry (@ies/errors, docs/errors.md). */
export type DrErrorCode = Extract<ErrorCode, `IES_ERR_DR_${string}`>;

/** One problem found while validating a document, with the JSON path it concerns. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export function drError(code: DrErrorCode, message: string, details: Record<string, unknown> = {}): IesError {
  return new IesError(code, message, { details });
}

/** Throws one error listing every problem (message = the first few, details.problems = all). */
export function throwProblems(code: DrErrorCode, what: string, problems: readonly Problem[]): never {
  const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  throw drError(code, `${what}: ${shown}${more}`, { problems });
}
