/** bullmq queue names, defined once (wire contracts, like topics). */
export const QUEUES = {
  /** Infrastructure self-check job used by the health probe and tests. */
  selfCheck: 'ies.self-check',
  /**
   * Settlement statement runs (services/settlement statement worker): the prefix of one queue
   * per DISCOM (settlementStatementQueue), one job per DISCOM and scope.
   */
  settlementStatements: 'ies.settlement-statements',
} as const;

/**
 * The statement-run queue of one DISCOM. Each DISCOM has its own, so a worker takes only the
 * runs of the DISCOMs its node hosts (a node never settles, or half-settles, another's day).
 */
export function settlementStatementQueue(discomId: string, prefix: string = QUEUES.settlementStatements): string {
  return `${prefix}.${discomId}`;
}
