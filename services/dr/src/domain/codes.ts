import { IesError } from '@ies/errors';

/** Error codes of the DR domain (registered in services/errors/src/codes.ts, docs/errors.md). */
export const DR_ERROR_CODES = {
  IES_ERR_DR_EVENT_INVALID: { status: 422, retriable: false, title: 'DR event request is invalid' },
  IES_ERR_DR_POLICY_PACK_INVALID: { status: 422, retriable: false, title: 'Baseline policy pack is invalid' },
  IES_ERR_DR_POLICY_UNKNOWN: { status: 422, retriable: false, title: 'Baseline methodology is not a loaded policy pack' },
  IES_ERR_DR_INPUT_INVALID: { status: 422, retriable: false, title: 'Baseline or performance input is malformed' },
  IES_ERR_DR_TRANSITION_INVALID: { status: 409, retriable: false, title: 'DR event lifecycle transition not allowed' },
  IES_ERR_DR_EVENT_LATE: { status: 422, retriable: false, title: 'DR event window has already started; only the DISCOM may enter it late' },
} as const satisfies Record<string, { status: number; retriable: boolean; title: string }>;

export type DrErrorCode = keyof typeof DR_ERROR_CODES;

/** One problem found while validating a document, with the JSON path it concerns. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export function drError(code: DrErrorCode, message: string, details: Record<string, unknown> = {}): IesError {
  const spec = DR_ERROR_CODES[code];
  return new IesError(code, message, { details, retriable: spec.retriable });
}

/** Throws one error listing every problem (message = the first few, details.problems = all). */
export function throwProblems(code: DrErrorCode, what: string, problems: readonly Problem[]): never {
  const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  throw drError(code, `${what}: ${shown}${more}`, { problems });
}
