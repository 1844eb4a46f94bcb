/** bullmq queue names, defined once (wire contracts, like topics). */
export const QUEUES = {
  /** Infrastructure self-check job used by the health probe and tests. */
  selfCheck: 'ies.self-check',
} as const;
