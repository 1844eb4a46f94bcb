/**
 * The SideAllocation message two DISCOMs exchange: its canonical JSON (what is signed) and
 * the checks on one received from a peer, every problem with its JSON path.
 */
import { canonicalJson } from '@ies/crypto';
import { BLOCK_MS, formatInstant } from '@ies/units';
import { SIDE_ALLOCATION_SCHEMA, type AllocatedInterval, type SideAllocation } from './allocation.js';
import type { Problem } from './codes.js';

export function sideAllocationJson(allocation: SideAllocation): string {
  return canonicalJson(allocation);
}

/** Checks a SideAllocation received from a peer (after its signature verified). */
export function validateSideAllocation(value: unknown): { ok: true; allocation: SideAllocation } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ code: 'IES_ERR_P2P_SIDE_INVALID', path, message });
  const v = value as Record<string, unknown>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problems: [{ code: 'IES_ERR_P2P_SIDE_INVALID', path: '$', message: 'not a JSON object' }] };
  const allowed = new Set(['schema', 'tradeId', 'side', 'discomId', 'meterId', 'version', 'status', 'intervals', 'evidence']);
  for (const key of Object.keys(v)) if (!allowed.has(key)) add(`$.${key}`, 'unknown member');
  if (v['schema'] !== SIDE_ALLOCATION_SCHEMA) add('$.schema', `schema is not ${SIDE_ALLOCATION_SCHEMA}`);
  for (const key of ['tradeId', 'discomId', 'meterId']) if (typeof v[key] !== 'string' || v[key] === '') add(`$.${key}`, 'must be a non-empty string');
  if (v['side'] !== 'SELLER' && v['side'] !== 'BUYER') add('$.side', 'must be SELLER or BUYER');
  if (!Number.isSafeInteger(v['version']) || (v['version'] as number) < 1) add('$.version', 'must be an integer ≥ 1');
  if (v['status'] !== 'COMPLETED' && v['status'] !== 'INCOMPLETE') add('$.status', 'must be COMPLETED or INCOMPLETE');
  const intervals = v['intervals'];
  if (!Array.isArray(intervals) || intervals.length === 0) add('$.intervals', 'must be a non-empty array');
  else {
    intervals.forEach((iv: Record<string, unknown>, i) => {
      const path = `$.intervals[${i}]`;
      const ints = ['startMs', 'endMs', 'contractedWh', 'allocatedWh'].every((k) => Number.isSafeInteger(iv?.[k]) && (iv[k] as number) >= 0);
      if (!ints) return add(path, 'startMs, endMs, contractedWh and allocatedWh must be non-negative integers');
      const { startMs, endMs, contractedWh, allocatedWh } = iv as unknown as AllocatedInterval;
      if (startMs % BLOCK_MS !== 0 || endMs % BLOCK_MS !== 0 || endMs <= startMs) add(path, `interval ${startMs}–${endMs} is not a run of 15-minute blocks`);
      if (allocatedWh > contractedWh) add(path, `allocated ${allocatedWh} Wh exceeds contracted ${contractedWh} Wh`);
      const prev = intervals[i - 1] as AllocatedInterval | undefined;
      if (prev !== undefined && Number.isSafeInteger(prev.endMs) && prev.endMs !== startMs) add(path, `interval starts ${formatInstant(startMs)}, the previous ends ${formatInstant(prev.endMs)}`);
    });
  }
  const evidence = v['evidence'];
  if (!Array.isArray(evidence)) add('$.evidence', 'must be an array');
  else {
    evidence.forEach((c: Record<string, unknown>, i) => {
      if (typeof c?.['origin'] !== 'string' || typeof c['rootHash'] !== 'string' || !Number.isSafeInteger(c['size'])) add(`$.evidence[${i}]`, 'must be {origin, size, rootHash}');
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, allocation: value as SideAllocation };
}
