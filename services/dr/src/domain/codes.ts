import { IesError, type ErrorCode } from '@ies/errors';

/**
 * Error codes of the DR domain. They are not in the shared registry
 * (services/errors/src/codes.ts) yet; until they are, each one is raised as an IesError
 * under a registered `interim` code with the DR code in `details.drCode`. Registering
 * them is a one-line change in `drError` (pass `code` instead of `spec.interim`).
 */
export const DR_ERROR_CODES = {
  IES_ERR_DR_EVENT_INVALID: { status: 422, retriable: false, interim: 'IES_ERR_VALIDATION', title: 'DR event request is invalid' },
  IES_ERR_DR_POLICY_PACK_INVALID: { status: 422, retriable: false, interim: 'IES_ERR_VALIDATION', title: 'Baseline policy pack is invalid' },
  IES_ERR_DR_POLICY_UNKNOWN: { status: 422, retriable: false, interim: 'IES_ERR_VALIDATION', title: 'Baseline methodology is not a loaded policy pack' },
  IES_ERR_DR_INPUT_INVALID: { status: 422, retriable: false, interim: 'IES_ERR_VALIDATION', title: 'Baseline or performance input is malformed' },
  IES_ERR_DR_TRANSITION_INVALID: { status: 409, retriable: false, interim: 'IES_ERR_VALIDATION', title: 'DR event lifecycle transition not allowed' },
} as const satisfies Record<string, { status: number; retriable: boolean; interim: ErrorCode; title: string }>;

export type DrErrorCode = keyof typeof DR_ERROR_CODES;

/** One problem found while validating a document, with the JSON path it concerns. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export function drError(code: DrErrorCode, message: string, details: Record<string, unknown> = {}): IesError {
  const spec = DR_ERROR_CODES[code];
  return new IesError(spec.interim, message, { details: { ...details, drCode: code }, retriable: spec.retriable });
}

/** Throws one error listing every problem (message = the first few, details.problems = all). */
export function throwProblems(code: DrErrorCode, what: string, problems: readonly Problem[]): never {
  const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  throw drError(code, `${what}: ${shown}${more}`, { problems });
}
