// `@ies/settlement/read-view`: what an auditor may read of settlement's stores, and nothing
// that writes. The P2P store and the statement store stay settlement's; this view answers
// "is this trade held", "which statements of this day were issued" and "which settlement
// keys did this DISCOM publish" with plain data, so no other workspace holds a writer.
import type { JWK } from 'jose';
import type { Redis } from '@ies/redis';
import { P2pStore } from './p2p-store.js';
import { settlementJwksEntries } from './settlement-keys.js';
import { StatementStore } from './statement-store.js';

export interface HeldTrade {
  readonly tradeId: string;
  readonly state: string;
  readonly revision: number;
}

export interface IssuedStatement {
  readonly statementId: string;
  readonly status: string;
  readonly sha256: string;
  /** The compact JWS; its payload is the statement's canonical JSON. */
  readonly jws: string;
}

export class SettlementReadView {
  private readonly trades: P2pStore;
  private readonly statements: StatementStore;

  constructor(private readonly redis: Redis) {
    this.trades = new P2pStore(redis);
    this.statements = new StatementStore(redis);
  }

  async trade(discomId: string, tradeId: string): Promise<HeldTrade | undefined> {
    const r = await this.trades.getTrade(discomId, tradeId);
    return r === undefined ? undefined : { tradeId, state: r.state, revision: r.revision };
  }

  /** Every statement (all versions and scopes) the DISCOM issued for the IST day. */
  async statementsOfDay(discomId: string, day: string): Promise<IssuedStatement[]> {
    const summaries = await this.statements.listDay(discomId, day);
    const docs = await Promise.all(summaries.map((s) => this.statements.get(discomId, s.statementId)));
    return docs.flatMap((d) => (d === undefined ? [] : [{ statementId: d.statementId, status: d.status, sha256: d.sha256, jws: d.jws }]));
  }

  /** The DISCOM's settlement keys exactly as its JWKS lists them (role-tagged). */
  settlementKeys(discomId: string): Promise<JWK[]> {
    return settlementJwksEntries(this.redis, discomId);
  }
}
