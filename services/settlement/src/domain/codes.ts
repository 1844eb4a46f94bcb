/**
 * Errors of the settlement domain. Their codes are wire contracts registered, with status,
 * title and retry decision, in the one registry (@ies/errors, docs/errors.md).
 */
import { ERROR_CODES, type ErrorCode } from '@ies/errors';

export type SettlementCode = Extract<ErrorCode, `IES_ERR_P2P_${string}` | `IES_ERR_POLICY_${string}` | `IES_ERR_STATEMENT_${string}` | `IES_ERR_DISPUTE_${string}`>;

/** One coded finding with the JSON path it is about ("$.message.contract…"). */
export interface Problem {
  readonly code: SettlementCode;
  readonly path: string;
  readonly message: string;
}

/**
 * A settlement-domain error: stable code, the numbers in the message, retry decision, and
 * every coded finding. Kept apart from IesError on purpose: the HTTP routes map it to a
 * problem with its findings, and anything unmapped stays an internal error as before.
 */
export class SettlementError extends Error {
  readonly code: SettlementCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly problems: readonly Problem[];

  constructor(code: SettlementCode, message: string, problems: readonly Problem[] = []) {
    super(message);
    this.name = 'SettlementError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retriable = ERROR_CODES[code].retriable;
    this.problems = problems;
  }
}

/** Throws the first problem's code with every problem attached, when there are any. */
export function throwIfProblems(problems: readonly Problem[], summary: string): void {
  const first = problems[0];
  if (first === undefined) return;
  throw new SettlementError(first.code, `${summary}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}
