/** Prometheus metric names, defined once (wire contracts for dashboards and alerts). */
export const METRICS = {
  ingestBatches: 'ies_ingest_batches_total',
  ingestReads: 'ies_ingest_reads_total',
  ingestRejectedReads: 'ies_ingest_rejected_reads_total',
  ingestLatency: 'ies_ingest_batch_duration_seconds',
  /** Batches the notary's re-checker looked at, by outcome (checked, mismatch, skipped). */
  notaryRecheckBatches: 'ies_notary_recheck_batches_total',
  /** Notarised batches whose carried root or reads did not check out: alert on any increase. */
  notaryRecheckMismatches: 'ies_notary_recheck_mismatches_total',
} as const;
