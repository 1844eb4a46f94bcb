/** bullmq queue names, defined once (wire contracts, like topics). */
export const QUEUES = {
  /** Infrastructure self-check job used by the health probe and tests. */
  selfCheck: 'ies.self-check',
  /** Settlement statement runs (services/settlement statement worker): one job per DISCOM and scope. */
  settlementStatements: 'ies.settlement-statements',
} as const;
