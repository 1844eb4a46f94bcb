import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import { IesError } from '@ies/errors';
import type { Config } from '@ies/config';
import type { RegistryState } from '@ies/registry';
import { authenticateRead } from '@ies/http/auth';
import { checkpointSizeOf } from '@ies/verify';
import { WitnessRecord, witnessPolicy } from '../witnessing.js';
import { LOG_WITNESSES } from './schemas.js';

/** Metric names of the logging side of witnessing: contracts, defined once. */
export const NOTARY_WITNESS_METRICS = Object.freeze({
  /** Refusals by witness and code since the log began; INCONSISTENT > 0 is the fork alert. */
  refusals: 'ies_notary_witness_refusals',
  /** The largest checkpoint size each witness cosigned. */
  cosignedSize: 'ies_notary_witness_cosigned_size',
});

/**
 * `GET /v1/log/witnesses`: the tenant's witness policy, the latest witnessed checkpoint and what
 * each witness last did (public like checkpoints: anyone authenticated may see whether a log
 * is watched). The same figures are gauges on the node's /metrics, read from Redis at scrape.
 */
export function witnessRoutes(app: FastifyInstance, deps: { config: Config; registry: RegistryState; record: (discomId: string) => WitnessRecord; now: () => number }): void {
  app.get('/v1/log/witnesses', { schema: LOG_WITNESSES }, async (req) => {
    const who = await authenticateRead(deps.registry, req.headers.authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const discom = (req.query as { discom?: string }).discom ?? who.discomId;
    if (!deps.config.tenants.includes(discom)) throw new IesError('IES_ERR_NOT_FOUND', `${discom} is not a tenant of this node`);
    const policy = witnessPolicy(deps.config, discom);
    const record = deps.record(discom);
    const witnessed = await record.witnessed();
    return {
      discomId: discom,
      policy: { quorum: policy.quorum, witnesses: policy.witnesses.map((w) => ({ name: w.name, url: w.url, vkey: w.vkey })) },
      witnessed: witnessed === undefined ? null : { size: checkpointSizeOf(witnessed), checkpoint: witnessed },
      witnesses: await record.statuses(),
    };
  });
}

/** Registers the witnessing gauges for the hosted tenants (collected from Redis at each scrape). */
export function registerWitnessMetrics(metrics: Registry, tenants: readonly string[], record: (discomId: string) => WitnessRecord): void {
  if (metrics.getSingleMetric(NOTARY_WITNESS_METRICS.refusals)) return;
  const statuses = () => Promise.all(tenants.map(async (d) => ({ discomId: d, statuses: await record(d).statuses() })));
  new Gauge({
    name: NOTARY_WITNESS_METRICS.refusals, help: "Witness refusals of this node's checkpoints since the log began, by code (INCONSISTENT: the witness saw another history: alert)", labelNames: ['discom', 'witness', 'code'], registers: [metrics],
    async collect() {
      this.reset();
      for (const t of await statuses()) for (const s of t.statuses) for (const [code, n] of Object.entries(s.refusals)) this.set({ discom: t.discomId, witness: s.witness, code }, n);
    },
  });
  new Gauge({
    name: NOTARY_WITNESS_METRICS.cosignedSize, help: 'The largest checkpoint size each witness cosigned', labelNames: ['discom', 'witness'], registers: [metrics],
    async collect() {
      this.reset();
      for (const t of await statuses()) for (const s of t.statuses) if (s.cosignedSize !== null) this.set({ discom: t.discomId, witness: s.witness }, s.cosignedSize);
    },
  });
}
