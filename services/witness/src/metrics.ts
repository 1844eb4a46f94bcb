import { Counter, type Registry } from 'prom-client';

/** Metric names of the witness: contracts, defined once. */
export const WITNESS_METRICS = Object.freeze({
  /** add-checkpoint requests by outcome: cosigned, malformed, unknown_log, bad_signature, conflict, inconsistent. */
  addCheckpoint: 'ies_witness_add_checkpoint_total',
});

export function witnessMetrics(registry: Registry): { outcome(outcome: string): void } {
  const existing = registry.getSingleMetric(WITNESS_METRICS.addCheckpoint) as Counter<'outcome'> | undefined;
  const counter = existing ?? new Counter({ name: WITNESS_METRICS.addCheckpoint, help: 'Witness add-checkpoint requests by outcome', labelNames: ['outcome'], registers: [registry] });
  return { outcome: (outcome) => counter.inc({ outcome }) };
}
