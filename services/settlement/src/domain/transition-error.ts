import { SettlementError, type SettlementCode } from './codes.js';

/** A move a settlement lifecycle (trades, statements) refuses, naming the moves it allows. */
export class SettlementTransitionError<S extends string> extends SettlementError {
  constructor(code: SettlementCode, subject: string, readonly from: S, readonly to: S, allowed: readonly S[]) {
    super(code, `${subject} cannot go from ${from} to ${to} (allowed: ${allowed.length ? allowed.join(', ') : 'none, it is final'})`);
  }
}
