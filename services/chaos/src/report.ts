import type { AuditReport } from '@ies/audit';
import type { PassResult } from './pass.js';

const n = (v: number) => v.toLocaleString('en-US');

/** The campaign's table (Markdown, so it reads the same on a terminal and in out/chaos/report.md). */
export function renderReport(o: { day: string; discoms: readonly string[]; startedAt: number; endedAt: number; reference: PassResult | undefined; faulted: PassResult | undefined; audit: AuditReport[] | string; auditTable: string }): string {
  const out: string[] = [];
  out.push(`# Fault campaign ${new Date(o.startedAt).toISOString()}`, '');
  out.push(`DISCOMs ${o.discoms.join(', ')}, settlement day ${o.day}, 3 brokers (RF 3, min ISR 2), SASL/SCRAM + ACLs, Redis and ClickHouse passwords; total ${Math.round((o.endedAt - o.startedAt) / 1000)} s.`, '');
  const f = o.faulted;
  if (f) {
    out.push('## Faults injected', '', '| +s | at (UTC) | fault | outcome |', '|---|---|---|---|');
    for (const r of f.faults) out.push(`| ${r.offsetS} | ${r.at} | ${r.fault} | ${r.ok ? '' : '**'}${r.detail}${r.ok ? '' : '**'} |`);
    out.push('');
  }
  out.push('## Load', '', '| figure | reference pass | faulted pass |', '|---|---|---|');
  const row = (label: string, get: (p: PassResult) => string) => out.push(`| ${label} | ${o.reference ? get(o.reference) : '-'} | ${f ? get(f) : '-'} |`);
  row('batches offered / acked (202, or the brokers\' ack)', (p) => `${n(p.load.batches)} / ${n(p.load.batchesAcked)}`);
  row('of which produced to Kafka: offered / acked / receipt seen', (p) => `${n(p.load.viaKafka.batches)} / ${n(p.load.viaKafka.acked)} / ${n(p.load.viaKafka.receipted)}`);
  row('reads offered', (p) => n(p.load.readsOffered));
  row('reads acked (accepted)', (p) => n(p.load.readsAccepted));
  row('reads rejected (bad reads, dead-lettered)', (p) => n(p.load.readsRejected));
  row('reads stored (ClickHouse)', (p) => n(Object.values(p.stored).reduce((a, b) => a + b, 0)));
  row('requests / 503s / retries / connection errors', (p) => `${n(p.stats.requests)} / ${n(p.stats.http503)} / ${n(p.stats.retries)} / ${n(p.stats.networkErrors)}`);
  row('503s by route (cause)', (p) => Object.entries(p.stats.http503By).sort().map(([k, v]) => `${k} ${n(v)}`).join(', ') || '-');
  row('Kafka sends / failed sends', (p) => `${n(p.stats.kafkaSends)} / ${n(p.stats.kafkaErrors)}`);
  row('longest stall between acks', (p) => `${(p.load.longestStallMs / 1000).toFixed(1)} s`);
  row('slowest batch (first try → 202)', (p) => `${(p.load.maxBatchMs / 1000).toFixed(1)} s`);
  row('acks in the ledger (batch / DR / trade)', (p) => ['batch', 'dr-event', 'p2p-trade'].map((k) => p.ledger.entries.filter((e) => e.kind === k).length).join(' / '));
  row('statements issued', (p) => String(p.statements.length));
  out.push('', '## Invariants', '');
  out.push(typeof o.audit === 'string' ? `NOT CHECKED: ${o.audit}` : o.auditTable);
  const problems = [...(o.reference?.problems ?? []).map((p) => `reference: ${p}`), ...(f?.problems ?? []).map((p) => `faulted: ${p}`)];
  if (problems.length > 0) out.push('', '## Problems seen by the load generator', '', ...problems.slice(0, 30).map((p) => `- ${p}`));
  return `${out.join('\n')}\n`;
}
