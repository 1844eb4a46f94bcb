import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS } from '@ies/contracts';

/** What a DISCOM watches on ingest: batch outcomes, reads accepted and rejected by code, latency. */
export interface IngestMetrics {
  batch(discomId: string, outcome: 'accepted' | 'replayed' | 'refused' | 'unavailable', seconds: number): void;
  reads(discomId: string, accepted: number, rejectedCodes: readonly string[]): void;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const batches = new Counter({ name: METRICS.ingestBatches, help: 'Head-end batches by outcome', labelNames: ['discom', 'outcome'], registers: [registry] });
  const reads = new Counter({ name: METRICS.ingestReads, help: 'Reads in accepted batches by result', labelNames: ['discom', 'result'], registers: [registry] });
  const rejected = new Counter({ name: METRICS.ingestRejectedReads, help: 'Rejected reads by VEE code', labelNames: ['discom', 'code'], registers: [registry] });
  const latency = new Histogram({ name: METRICS.ingestLatency, help: 'Batch handling time, request to durable write', labelNames: ['outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  return {
    batch(discomId, outcome, seconds) {
      batches.inc({ discom: discomId, outcome });
      latency.observe({ outcome }, seconds);
    },
    reads(discomId, accepted, rejectedCodes) {
      reads.inc({ discom: discomId, result: 'accepted' }, accepted);
      reads.inc({ discom: discomId, result: 'rejected' }, rejectedCodes.length);
      const byCode = new Map<string, number>();
      for (const c of rejectedCodes) byCode.set(c, (byCode.get(c) ?? 0) + 1);
      for (const [code, n] of byCode) rejected.inc({ discom: discomId, code }, n);
    },
  };
}
