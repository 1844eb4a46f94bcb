/**
 * A DISCOM's settlement policy pack: the charges and rates its statements apply, as versioned
 * data (services/settlement/policies/<discom>.v<n>.json), never as code. Each DISCOM applies
 * only its own pack: to its own customers' side of every trade.
 *
 * Rates are integer paise per kWh. A shortfall is the contracted energy a side failed to
 * deliver (seller) or take (buyer); its treatment is one of
 *   WAIVED          no charge (e.g. the Delhi/UP pilot waives under-injection and under-drawal)
 *   FIXED_RATE      ratePaisePerKwh
 *   REFERENCE_RATE  multiplierPercent % of a reference rate given with the statement inputs
 *                   (e.g. the day's DSM normal rate or reference charge rate), half to even.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@ies/crypto';
import { SettlementError, type Problem } from './codes.js';
import { istDayStart } from '@ies/units';
import { calendarProblems, type SettlementCalendar } from './settlement-calendar.js';
import { disputeTermsProblems, type DisputeTerms } from './dispute-policy.js';

export type ShortfallTreatment =
  | { readonly treatment: 'WAIVED' }
  | { readonly treatment: 'FIXED_RATE'; readonly ratePaisePerKwh: number }
  | { readonly treatment: 'REFERENCE_RATE'; readonly multiplierPercent: number };

export interface SideRates {
  readonly buyerPaisePerKwh: number;
  readonly sellerPaisePerKwh: number;
}

export interface PolicyPack {
  readonly policyId: string;
  readonly discomId: string;
  readonly version: number;
  /** First IST settlement day the pack applies to (YYYY-MM-DD). */
  readonly effectiveFrom: string;
  readonly description?: string;
  readonly sources?: readonly string[];
  readonly p2p: {
    readonly wheeling: SideRates;
    readonly transactionCharge: SideRates;
    readonly sellerShortfall: ShortfallTreatment;
    readonly buyerShortfall: ShortfallTreatment;
  };
  /** The day's named runs with their cut-offs (settlement-calendar.ts); without it, statements are rebuilt as data arrives. */
  readonly calendar?: SettlementCalendar;
  /** Dispute types accepted, their deadlines and the materiality threshold (dispute-policy.ts); without it, no dispute is accepted. */
  readonly disputes?: DisputeTerms;
}

/** Ceiling on any rate: ₹1,000/kWh. Anything above is a typo (paise entered as milli-paise…). */
const MAX_RATE = 100_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every problem of the pack at once, or the pack itself. */
export function validatePolicyPack(value: unknown): { ok: true; policy: PolicyPack } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ code: 'IES_ERR_POLICY_PACK_INVALID', path, message });
  const only = (o: Obj, path: string, keys: readonly string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) add(`${path}.${k}`, 'unknown member (misspelt?)');
  };
  const text = (o: Obj, key: string, path: string) => {
    if (typeof o[key] !== 'string' || o[key] === '') add(`${path}.${key}`, 'must be a non-empty string');
  };
  const rate = (o: Obj, key: string, path: string) => {
    const v = o[key];
    if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > MAX_RATE) add(`${path}.${key}`, `must be an integer number of paise/kWh from 0 to ${MAX_RATE}, got ${JSON.stringify(v)}`);
  };
  if (!isObj(value)) return { ok: false, problems: [{ code: 'IES_ERR_POLICY_PACK_INVALID', path: '$', message: 'policy pack is not a JSON object' }] };
  only(value, '$', ['policyId', 'discomId', 'version', 'effectiveFrom', 'description', 'sources', 'p2p', 'calendar', 'disputes']);
  if (value['disputes'] !== undefined) for (const p of disputeTermsProblems(value['disputes'])) add(p.path, p.message);
  if (value['calendar'] !== undefined) for (const p of calendarProblems(value['calendar'])) add(p.path, p.message);
  text(value, 'policyId', '$');
  text(value, 'discomId', '$');
  if (!Number.isSafeInteger(value['version']) || (value['version'] as number) < 1) add('$.version', 'must be an integer ≥ 1');
  if (typeof value['effectiveFrom'] !== 'string' || istDayStart(value['effectiveFrom']) === undefined) add('$.effectiveFrom', `must be a YYYY-MM-DD day, got ${JSON.stringify(value['effectiveFrom'])}`);
  if (value['description'] !== undefined && typeof value['description'] !== 'string') add('$.description', 'must be a string');
  if (value['sources'] !== undefined && !(Array.isArray(value['sources']) && value['sources'].every((s) => typeof s === 'string'))) add('$.sources', 'must be an array of strings');
  const p2p = value['p2p'];
  if (!isObj(p2p)) add('$.p2p', 'must be an object');
  else {
    only(p2p, '$.p2p', ['wheeling', 'transactionCharge', 'sellerShortfall', 'buyerShortfall']);
    for (const key of ['wheeling', 'transactionCharge']) {
      const rates = p2p[key];
      const path = `$.p2p.${key}`;
      if (!isObj(rates)) add(path, 'must be an object {buyerPaisePerKwh, sellerPaisePerKwh}');
      else {
        only(rates, path, ['buyerPaisePerKwh', 'sellerPaisePerKwh']);
        rate(rates, 'buyerPaisePerKwh', path);
        rate(rates, 'sellerPaisePerKwh', path);
      }
    }
    for (const key of ['sellerShortfall', 'buyerShortfall']) {
      const t = p2p[key];
      const path = `$.p2p.${key}`;
      if (!isObj(t)) {
        add(path, 'must be an object with a treatment');
        continue;
      }
      switch (t['treatment']) {
        case 'WAIVED':
          only(t, path, ['treatment']);
          break;
        case 'FIXED_RATE':
          only(t, path, ['treatment', 'ratePaisePerKwh']);
          rate(t, 'ratePaisePerKwh', path);
          break;
        case 'REFERENCE_RATE':
          only(t, path, ['treatment', 'multiplierPercent']);
          if (!Number.isSafeInteger(t['multiplierPercent']) || (t['multiplierPercent'] as number) < 0 || (t['multiplierPercent'] as number) > 1000) add(`${path}.multiplierPercent`, `must be an integer percentage from 0 to 1000, got ${JSON.stringify(t['multiplierPercent'])}`);
          break;
        default:
          add(`${path}.treatment`, `must be WAIVED, FIXED_RATE or REFERENCE_RATE, got ${JSON.stringify(t['treatment'])}`);
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy: value as unknown as PolicyPack };
}

/** The pack of the DISCOM in force on the IST day: the latest effectiveFrom ≤ day, then the highest version. */
export function selectPolicy(packs: readonly PolicyPack[], discomId: string, day: string): PolicyPack {
  const candidates = packs.filter((p) => p.discomId === discomId && p.effectiveFrom <= day);
  candidates.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : a.effectiveFrom > b.effectiveFrom ? -1 : b.version - a.version));
  const chosen = candidates[0];
  if (chosen === undefined) throw new SettlementError('IES_ERR_POLICY_NOT_EFFECTIVE', `no policy pack of ${discomId} is effective on ${day}`);
  return chosen;
}

/** The pack's identity as statements cite it: id, version and SHA-256 of its canonical JSON. */
export function policyReference(policy: PolicyPack): { policyId: string; version: number; sha256: string } {
  return { policyId: policy.policyId, version: policy.version, sha256: createHash('sha256').update(canonicalJson(policy)).digest('hex') };
}
