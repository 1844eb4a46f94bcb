import type { Config } from '@ies/config';
import { createRedis } from '@ies/redis';
import { SettlementReadView } from '@ies/settlement/read-view';
import type { StatementDocument } from './domain/statement-invariant.js';

/** The statements the DISCOM issued for the day, for `referenceOf` (a campaign records its fault-free run with it). */
export async function readStatementsOfDay(config: Config, discomId: string, day: string): Promise<StatementDocument[]> {
  const redis = createRedis(config);
  try {
    return (await new SettlementReadView(redis).statementsOfDay(discomId, day)).map((s) => ({ statementId: s.statementId, jws: s.jws }));
  } finally {
    redis.disconnect();
  }
}
