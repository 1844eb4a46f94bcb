import { IES_METERDATA_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT, METERDATA_JSON_CONTEXT, ED25519_2020_CONTEXT, VC_V2_CONTEXT, type ProofKind } from '@ies/credentials';
import type { SimRow } from './fleet.js';

const SET = 'SIM-BLOCK-ENERGY';
const SEQUENCE = 'IMPORT-EXPORT';
const BLOCK_MS = 15 * 60_000;
const IST_OFFSET_MS = 330 * 60_000;

/** An instant as IES MeterData writes it: local IST time with its offset. */
function ist(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().replace(/\.000Z$/, '+05:30');
}

/**
 * A head-end's batch of block reads as IES MeterData v0.6: one PayloadDescriptorProfile
 * (block-incremental import and export in kWh, names as IES codes.json gives them) and one
 * compact IntervalProfile per meter, each interval with its own 15-minute period (gaps stay
 * gaps). Wh become kWh by moving the decimal point, never by float division of a sum.
 */
export function meterDataOf(rows: readonly SimRow[]): unknown[] {
  const byMeter = new Map<string, SimRow[]>();
  for (const r of rows) byMeter.set(r.meterId, [...(byMeter.get(r.meterId) ?? []), r]);
  const kwh = (wh: number) => Number(`${wh < 0 ? '-' : ''}${Math.floor(Math.abs(wh) / 1000)}.${String(Math.abs(wh) % 1000).padStart(3, '0')}`);
  const descriptor = {
    '@context': IES_METERDATA_CONTEXT,
    '@type': 'PayloadDescriptorProfile',
    profileType: 'DESCRIPTOR',
    id: SET,
    payloadDescriptorSets: [{
      name: SET,
      payloadDescriptors: [
        { readingType: 'kWh imp block', name: 'Active energy import - block incremental (kWh)', unit: 'kWh', flowDirection: 'IMPORT', reportedMode: 'USAGE', obis: '1.0.1.29.0.255' },
        { readingType: 'kWh exp block', name: 'Active energy export - block incremental (kWh)', unit: 'kWh', flowDirection: 'EXPORT', reportedMode: 'USAGE', obis: '1.0.2.29.0.255' },
      ],
      compactSequences: [{ name: SEQUENCE, sequenceItems: [{ readingType: 'kWh imp block' }, { readingType: 'kWh exp block' }] }],
    }],
  };
  const profiles = [...byMeter].map(([meterId, meterRows]) => {
    const sorted = [...meterRows].sort((a, b) => a.blockStart - b.blockStart);
    return {
      '@context': IES_METERDATA_CONTEXT,
      '@type': 'IntervalProfile',
      profileType: 'INTERVAL',
      meterRefs: [{ scheme: 'METER_SERIAL', value: meterId }],
      payloadDescriptorSetRef: SET,
      compactSequenceRef: SEQUENCE,
      intervalPeriod: { start: ist(sorted[0]?.blockStart ?? 0), duration: 'PT15M' },
      intervals: sorted.map((r, i) => ({ id: i, intervalPeriod: { start: ist(r.blockStart), duration: 'PT15M' }, payloads: [kwh(r.importWh), kwh(r.exportWh)] })),
    };
  });
  return [descriptor, ...profiles];
}

/** The unsigned MeterDataCredential a simulated head-end issues for a batch (docs/ingest.md section 5). */
export function unsignedMeterDataCredential(o: { id: string; issuerDid: string; issuerName: string; rows: readonly SimRow[]; nowMs: number; kind: ProofKind }): Record<string, unknown> {
  return {
    '@context': o.kind === 'Ed25519Signature2020' ? [VC_V2_CONTEXT, ED25519_2020_CONTEXT, METERDATA_JSON_CONTEXT] : [VC_V2_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT],
    id: o.id,
    type: ['VerifiableCredential', 'MeterDataCredential'],
    issuer: { id: o.issuerDid, name: o.issuerName },
    validFrom: new Date(o.nowMs - BLOCK_MS).toISOString(),
    validUntil: new Date(o.nowMs + 365 * 86_400_000).toISOString(),
    credentialSubject: { id: `${o.issuerDid}:batches`, meterData: meterDataOf(o.rows) },
  };
}
