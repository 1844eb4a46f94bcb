/**
 * The content model of a settlement statement: one per DISCOM per IST settlement day (P2P,
 * DR and adjustment lines) or per DR event (that event's lines only).
 *
 * Every line is a transfer of a non-negative amount of paise from a payer to a payee, and
 * the statement's DISCOM is one of the two. P2P money follows the existing billing flows:
 * the buyer pays its DISCOM, the buyer's DISCOM pays the seller's DISCOM (inter-DISCOM) and
 * the seller's DISCOM pays the seller; each DISCOM charges its own customer its own
 * wheeling, transaction charge and shortfall per its policy pack (statement-charges.ts).
 *
 * Recomputing from the same inputs yields byte-identical canonical JSON (RFC 8785) and
 * hash (seal): lines, positions and evidence are sorted (statement-order.ts), and nothing
 * depends on input order. The lifecycle status (statement-lifecycle.ts) is kept outside the
 * hashed content, so finalising a statement does not change what was signed.
 */
import { sha256Hex } from '#crypto';
import { canonicalStatementBytes } from './canonical-statement.js';
import type { CheckpointRef } from './checkpoint-ref.js';

export const STATEMENT_SCHEMA = 'ies.settlement.statement/v1';

export const LINE_KINDS = ['P2P_ENERGY', 'SELLER_SHORTFALL', 'BUYER_SHORTFALL', 'WHEELING', 'TRANSACTION_CHARGE', 'DR_INCENTIVE', 'DR_PENALTY', 'ADJUSTMENT'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export type StatementScope = { readonly kind: 'DAY'; readonly day: string } | { readonly kind: 'DR_EVENT'; readonly eventId: string };

/** Party names on lines: "meter:<id>", "discom:<id>", "aggregator:<id>". */
export const party = {
  meter: (id: string) => `meter:${id}`,
  discom: (id: string) => `discom:${id}`,
  aggregator: (id: string) => `aggregator:${id}`,
};

export interface StatementLine {
  readonly kind: LineKind;
  /** Trade id, DR event id or adjustment reference. */
  readonly reference: string;
  readonly intervalStartMs: number | null;
  readonly intervalEndMs: number | null;
  readonly meterId: string | null;
  readonly payer: string;
  readonly payee: string;
  /** Whichever of payer and payee is not the statement's DISCOM. */
  readonly counterparty: string;
  readonly quantityWh: number | null;
  readonly ratePaisePerKwh: number | null;
  readonly amountPaise: number;
  readonly note: string | null;
  /**
   * Present only on a line a missing-data policy touched (a run settled the trade with a read
   * missing): the policy's name, e.g. ZERO_PENDING. Absent on every other line, so statements
   * without runs keep their bytes.
   */
  readonly missingData?: string;
}

/** The settlement-calendar run a statement is (absent on statements not made by a run). */
export interface StatementRun {
  /** The run's name in the DISCOM's calendar: INITIAL, R1, …, FINAL. */
  readonly name: string;
  /** Data cut-off: what was known (stored) at or before this instant is in the run, UTC ms. */
  readonly cutoffMs: number;
  /** The missing-data policy the run applied to trades whose reads were not all known. */
  readonly missingData: string;
}

export interface NetPosition {
  readonly counterparty: string;
  /** Paid by the counterparty to the DISCOM. */
  readonly receivablePaise: number;
  /** Paid by the DISCOM to the counterparty. */
  readonly payablePaise: number;
  readonly netPaise: number;
}

export interface StatementContent {
  readonly schema: typeof STATEMENT_SCHEMA;
  readonly id: string;
  readonly discomId: string;
  readonly scope: StatementScope;
  /** 0 for R0, 1 for R1, … (for a run: the issue order of the scope's statements) */
  readonly version: number;
  /** The calendar run this statement is; absent on statements built outside the calendar. */
  readonly run?: StatementRun;
  readonly revises: { readonly id: string; readonly sha256: string } | null;
  readonly policy: { readonly policyId: string; readonly version: number; readonly sha256: string };
  /** False while a trade awaits its other side or a read is missing: the statement stays DRAFT. */
  readonly complete: boolean;
  readonly lines: readonly StatementLine[];
  readonly netPositions: readonly NetPosition[];
  readonly interDiscomPositions: readonly NetPosition[];
  readonly totals: { readonly receivablePaise: number; readonly payablePaise: number; readonly netPaise: number };
  readonly excluded: readonly { readonly reference: string; readonly reason: string }[];
  readonly pending: readonly { readonly reference: string; readonly reason: string }[];
  /** Checkpoints covering every read behind the figures. */
  readonly evidence: readonly CheckpointRef[];
}

export interface BuiltStatement {
  readonly content: StatementContent;
  /** RFC 8785 canonical JSON of `content`. */
  readonly json: string;
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex. */
  readonly sha256: string;
}

/** `<discom>:<day>:R<n>` (`<discom>:dr:<event>:R<n>`); a calendar run's statement is `<discom>:<day>:<run>`. */
export function statementId(discomId: string, scope: StatementScope, version: number, run?: string): string {
  if (scope.kind === 'DAY') return run === undefined ? `${discomId}:${scope.day}:R${version}` : `${discomId}:${scope.day}:${run}`;
  return `${discomId}:dr:${scope.eventId}:R${version}`;
}

/**
 * Canonical bytes and hash of a statement's content: the canonical JSON is written straight
 * into bytes a part at a time (canonical-statement.ts), never as one string; `json` is
 * decoded from the bytes only when asked for.
 */
export function seal(content: StatementContent): BuiltStatement {
  const bytes = canonicalStatementBytes(content);
  const sha256 = sha256Hex(bytes);
  let json: string | undefined;
  return {
    content,
    get json() {
      return (json ??= new TextDecoder().decode(bytes));
    },
    bytes,
    sha256,
  };
}
