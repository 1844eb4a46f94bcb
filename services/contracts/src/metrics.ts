/** Prometheus metric names, defined once (wire contracts for dashboards and alerts). */
export const METRICS = {
  ingestBatches: 'ies_ingest_batches_total',
  ingestReads: 'ies_ingest_reads_total',
  ingestRejectedReads: 'ies_ingest_rejected_reads_total',
  ingestLatency: 'ies_ingest_batch_duration_seconds',
} as const;
