/**
 * Error codes of the settlement domain. They are wire contracts like every code in
 * services/errors, and are kept here until they are registered there (docs/errors.md):
 * status is the HTTP status an API client sees, retriable says whether the same call may
 * succeed later unchanged.
 */
export interface SettlementCodeSpec {
  readonly status: number;
  readonly retriable: boolean;
  readonly title: string;
}

export const SETTLEMENT_CODES = {
  // --- P2P trade intake (DEG confirm / on_confirm / update) ---
  IES_ERR_P2P_CONTRACT_INVALID: { status: 422, retriable: false, title: 'DEG message is not a P2P contract this node can read' },
  IES_ERR_P2P_ACTION_UNSUPPORTED: { status: 422, retriable: false, title: 'DEG action is not confirm, on_confirm or update' },
  IES_ERR_P2P_PLATFORM_UNKNOWN: { status: 422, retriable: false, title: 'Trading platform not in the registry' },
  IES_ERR_P2P_PLATFORM_NOT_PARTY: { status: 403, retriable: false, title: 'Signing platform is not a platform of the contract' },
  IES_ERR_P2P_CONSENT_MISSING: { status: 403, retriable: false, title: 'Signing platform is not registered with the meter’s DISCOM or the meter is not enrolled with it' },
  IES_ERR_P2P_METER_MISSING: { status: 422, retriable: false, title: 'Contract names no single meter for the buyer or the seller' },
  IES_ERR_P2P_METER_UNKNOWN: { status: 422, retriable: false, title: 'Meter not in the registry and not resolvable to a peer DISCOM' },
  IES_ERR_P2P_SAME_METER: { status: 422, retriable: false, title: 'Buyer meter and seller meter are the same' },
  IES_ERR_P2P_DISCOM_MISMATCH: { status: 422, retriable: false, title: 'Contract names a DISCOM other than the meter’s registered DISCOM' },
  IES_ERR_P2P_TENANT_NOT_PARTY: { status: 403, retriable: false, title: 'Neither meter of the trade belongs to this DISCOM' },
  IES_ERR_P2P_UNIT_UNSUPPORTED: { status: 422, retriable: false, title: 'Quantity not in kWh or price not in INR' },
  IES_ERR_P2P_VALUE_INVALID: { status: 422, retriable: false, title: 'Price or quantity not a non-negative decimal within paise or Wh precision' },
  IES_ERR_P2P_INTERVAL_MISALIGNED: { status: 422, retriable: false, title: 'Interval start or duration not on the 15-minute grid' },
  IES_ERR_P2P_INTERVAL_GAP: { status: 422, retriable: false, title: 'Gap between consecutive trade intervals' },
  IES_ERR_P2P_INTERVAL_OVERLAP: { status: 422, retriable: false, title: 'Trade intervals overlap' },
  IES_ERR_P2P_DUPLICATE: { status: 422, retriable: false, title: 'Same commitment or interval id twice in one message' },
  IES_ERR_P2P_WINDOW_PAST: { status: 422, retriable: false, title: 'Delivery window (or the changed part of it) has already started' },
  IES_ERR_P2P_TRADE_CONFLICT: { status: 409, retriable: false, title: 'Trade id already confirmed with different content' },
  IES_ERR_P2P_TRADE_UNKNOWN: { status: 404, retriable: false, title: 'Update for a trade this node does not hold' },
  IES_ERR_P2P_UPDATE_INVALID: { status: 422, retriable: false, title: 'Update changes parties, prices or the interval grid, or raises a quantity' },
  IES_ERR_P2P_TRADE_TRANSITION: { status: 409, retriable: false, title: 'Trade lifecycle transition not allowed' },
  // --- allocation and the inter-DISCOM exchange ---
  IES_ERR_P2P_SIDE_INVALID: { status: 422, retriable: false, title: 'Side allocation message malformed or inconsistent with the trade' },
  IES_ERR_P2P_SIDES_MISMATCH: { status: 422, retriable: false, title: 'Seller and buyer side allocations do not describe the same trade intervals' },
  // --- policy packs ---
  IES_ERR_POLICY_PACK_INVALID: { status: 422, retriable: false, title: 'Settlement policy pack invalid' },
  IES_ERR_POLICY_NOT_EFFECTIVE: { status: 404, retriable: false, title: 'No policy pack of the DISCOM is effective on the settlement day' },
  // --- statements ---
  IES_ERR_STATEMENT_INPUT_INVALID: { status: 422, retriable: false, title: 'Statement inputs inconsistent' },
  IES_ERR_STATEMENT_NOT_BALANCED: { status: 500, retriable: false, title: 'Statement flows do not sum to zero' },
  IES_ERR_STATEMENT_REVISION_INVALID: { status: 409, retriable: false, title: 'Revision does not continue the statement it claims to revise' },
  IES_ERR_STATEMENT_INTERDISCOM_MISMATCH: { status: 409, retriable: false, title: 'Two DISCOMs’ statements disagree on their mutual position' },
  IES_ERR_STATEMENT_TRANSITION: { status: 409, retriable: false, title: 'Statement lifecycle transition not allowed' },
} as const satisfies Record<string, SettlementCodeSpec>;

export type SettlementCode = keyof typeof SETTLEMENT_CODES;

/** One coded finding with the JSON path it is about ("$.message.contract…"). */
export interface Problem {
  readonly code: SettlementCode;
  readonly path: string;
  readonly message: string;
}

/** A settlement-domain error: stable code, the numbers in the message, retry decision. */
export class SettlementError extends Error {
  readonly code: SettlementCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly problems: readonly Problem[];

  constructor(code: SettlementCode, message: string, problems: readonly Problem[] = []) {
    super(message);
    this.name = 'SettlementError';
    this.code = code;
    this.status = SETTLEMENT_CODES[code].status;
    this.retriable = SETTLEMENT_CODES[code].retriable;
    this.problems = problems;
  }
}

/** Throws the first problem's code with every problem attached, when there are any. */
export function throwIfProblems(problems: readonly Problem[], summary: string): void {
  const first = problems[0];
  if (first === undefined) return;
  throw new SettlementError(first.code, `${summary}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}
