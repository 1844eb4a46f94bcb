/**
 * DEG P2P contract (Beckn v2 `confirm` / `on_confirm` / `update`) → normalised trades, one
 * per commitment, or every problem found, each with its code and JSON path.
 *
 * Both participant styles seen in the DEG wave-2 examples are read:
 * - IES style: roles buyerPlatform / sellerPlatform, participants keyed by `id`, the
 *   customer's EnergyCustomer attributes (meterId) on the platform participant, the
 *   DISCOM named by the buyerDiscom / sellerDiscom role;
 * - earlier style: roles buyer / seller, participants carrying `role` and `participantId`,
 *   EnergyCustomer attributes with meterId and utilityId; platforms from context bapId/bppId.
 *
 * The registry, not the contract, decides which DISCOM a meter belongs to. The contract's
 * DISCOM names (role participantId, utilityId, discomId) must include it when present. A
 * meter this node does not know is accepted only when the contract puts it with a known
 * peer DISCOM (inter-DISCOM trade: that DISCOM computes the side from its own meters).
 */
import { ID_GRAMMAR, isSafeId } from '@ies/contracts';
import { BLOCK_MS, formatInstant, MAX_RATE_PAISE_PER_KWH, MAX_TRADE_INTERVAL_WH, parseDuration, parseInstant, parseScaled } from '@ies/units';
import { type Problem, type SettlementCode } from './codes.js';
import { tradeDigest, tradeIdOf, type NormalisedTrade, type TradeInterval, type TradeParty } from './trade.js';

export interface TradeIntakeContext {
  /** Node clock, UTC epoch ms. */
  readonly now: number;
  /** This node's DISCOM (tenant). */
  readonly discomId: string;
  /** True when the platform id is a registered trading platform. */
  readonly platform: (platformId: string) => boolean;
  /** The meter's registered DISCOM, or undefined when the registry does not know it. */
  readonly meter: (meterId: string) => { readonly discomId: string } | undefined;
  /** True for a DISCOM this node federates with. */
  readonly peerDiscom?: (discomId: string) => boolean;
  /**
   * True when the signing platform may bind this hosted DISCOM's meter into a trade: it is a
   * platform of that DISCOM and the customer enrolled the meter with it (trading consent).
   * Every meter the registry places here is checked; peer DISCOMs check their own.
   */
  readonly mayBind?: (discomId: string, meterId: string) => boolean;
  /** Digest (tradeDigest) of the trade already held under this id, if any. */
  readonly knownTrade?: (tradeId: string) => string | undefined;
  /** The platform whose signature over the message verified. */
  readonly signerPlatformId?: string;
  /** Minimum time between `now` and the first delivery interval of a new trade (default 0). */
  readonly minLeadMs?: number;
}

export type IntakeResult =
  | { readonly ok: true; readonly action: string; readonly trades: readonly NormalisedTrade[]; readonly replays: readonly string[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const ACTIONS = new Set(['confirm', 'on_confirm', 'update']);
const PRICE = 'PRICE_PER_KWH';
const QUANTITY = 'REQUESTED_QTY';
const CONTRACT = '$.message.contract';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

class Collector {
  readonly problems: Problem[] = [];
  add(code: SettlementCode, path: string, message: string): void {
    this.problems.push({ code, path, message });
  }
}

export function normaliseDegTrade(payload: unknown, ctx: TradeIntakeContext): IntakeResult {
  const out = new Collector();
  const fail = (): IntakeResult => ({ ok: false, problems: out.problems });
  if (!isObj(payload) || !isObj(payload['context'])) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', '$.context', 'message has no Beckn context object');
    return fail();
  }
  const context = payload['context'];
  const action = context['action'];
  if (typeof action !== 'string' || !ACTIONS.has(action)) {
    out.add('IES_ERR_P2P_ACTION_UNSUPPORTED', '$.context.action', `action ${JSON.stringify(action)} is not confirm, on_confirm or update`);
    return fail();
  }
  if (context['version'] !== '2.0.0') out.add('IES_ERR_P2P_CONTRACT_INVALID', '$.context.version', `version ${JSON.stringify(context['version'])} is not 2.0.0`);
  let transactionId = str(context['transactionId']);
  if (transactionId === undefined) out.add('IES_ERR_P2P_CONTRACT_INVALID', '$.context.transactionId', 'transactionId missing');
  else if (!isSafeId(transactionId)) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', '$.context.transactionId', `transactionId ${JSON.stringify(transactionId)} must be an id of ${ID_GRAMMAR}`);
    transactionId = undefined;
  }
  const message = payload['message'];
  const contract = isObj(message) ? message['contract'] : undefined;
  if (!isObj(contract)) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', CONTRACT, 'message carries no contract (an ACK or a status ping is not a trade)');
    return fail();
  }

  const roles = readRoles(contract);
  const participants = objects(contract['participants']);
  const platforms = resolvePlatforms(context, roles, ctx, out);
  const sellerSide = resolveSide('seller', roles, participants, ctx, out);
  const buyerSide = resolveSide('buyer', roles, participants, ctx, out);
  if (sellerSide && buyerSide) {
    if (sellerSide.meterId === buyerSide.meterId) out.add('IES_ERR_P2P_SAME_METER', `${CONTRACT}.participants`, `buyer and seller are both meter ${sellerSide.meterId}`);
    else if (sellerSide.discomId !== ctx.discomId && buyerSide.discomId !== ctx.discomId) {
      out.add('IES_ERR_P2P_TENANT_NOT_PARTY', `${CONTRACT}.participants`, `seller meter is with ${sellerSide.discomId} and buyer meter with ${buyerSide.discomId}, neither is ${ctx.discomId}`);
    }
  }
  for (const [side, party] of [['seller', sellerSide], ['buyer', buyerSide]] as const) {
    if (party && ctx.mayBind && ctx.meter(party.meterId) !== undefined && !ctx.mayBind(party.discomId, party.meterId)) {
      out.add('IES_ERR_P2P_CONSENT_MISSING', `${CONTRACT}.participants`, `${side} meter ${party.meterId} of ${party.discomId} is not enrolled for trading with ${ctx.signerPlatformId ?? 'the signing platform'} (or that platform is not registered with ${party.discomId})`);
    }
  }

  const commitments = Array.isArray(contract['commitments']) ? contract['commitments'] : [];
  if (commitments.length === 0) out.add('IES_ERR_P2P_CONTRACT_INVALID', `${CONTRACT}.commitments`, 'contract has no commitments');
  const seen = new Set<string>();
  const parsed: { commitmentId: string; intervals: TradeInterval[]; intent: NormalisedTrade['intent'] }[] = [];
  commitments.forEach((c, ci) => {
    const path = `${CONTRACT}.commitments[${ci}]`;
    if (!isObj(c)) return out.add('IES_ERR_P2P_CONTRACT_INVALID', path, 'commitment is not an object');
    const id = str(c['id']);
    if (id === undefined) return out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.id`, 'commitment id missing');
    if (!isSafeId(id)) return out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.id`, `commitment id ${JSON.stringify(id)} must be an id of ${ID_GRAMMAR}`);
    if (seen.has(id)) return out.add('IES_ERR_P2P_DUPLICATE', `${path}.id`, `commitment ${id} appears twice`);
    seen.add(id);
    if (sellerSide) checkResourceMeters(c, path, sellerSide.meterId, out);
    const intervals = readIntervals(c['commitmentAttributes'], `${path}.commitmentAttributes`, out);
    if (intervals === undefined) return;
    const intent = action === 'update' ? updateIntent(contract, c) : 'CONFIRM';
    if (intent === 'CONFIRM') checkNewWindow(intervals, `${path}.commitmentAttributes`, ctx, out);
    parsed.push({ commitmentId: id, intervals, intent });
  });

  if (out.problems.length > 0 || !platforms || !sellerSide || !buyerSide || transactionId === undefined) return fail();
  const contractId = str(contract['id']) ?? null;
  const source = { action, messageId: str(context['messageId']) ?? null, timestamp: str(context['timestamp']) ?? null };
  const trades: NormalisedTrade[] = [];
  const replays: string[] = [];
  for (const p of parsed) {
    const trade: NormalisedTrade = {
      tradeId: tradeIdOf(transactionId, p.commitmentId),
      transactionId,
      commitmentId: p.commitmentId,
      contractId,
      seller: { ...sellerSide, platformId: platforms.seller },
      buyer: { ...buyerSide, platformId: platforms.buyer },
      intervals: p.intervals,
      intent: p.intent,
      source,
    };
    const known = p.intent === 'CONFIRM' ? ctx.knownTrade?.(trade.tradeId) : undefined;
    if (known === undefined) trades.push(trade);
    else if (known === tradeDigest(trade)) replays.push(trade.tradeId);
    else out.add('IES_ERR_P2P_TRADE_CONFLICT', `${CONTRACT}.commitments`, `trade ${trade.tradeId} is already confirmed with different terms`);
  }
  if (out.problems.length > 0) return fail();
  return { ok: true, action, trades, replays };
}

/** role → participant ids, from contractAttributes.roles. */
function readRoles(contract: Obj): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  const attrs = contract['contractAttributes'];
  for (const r of objects(isObj(attrs) ? attrs['roles'] : undefined)) {
    const role = str(r['role']);
    const id = str(r['participantId']);
    if (role && id) roles.set(role, [...(roles.get(role) ?? []), id]);
  }
  return roles;
}

function resolvePlatforms(context: Obj, roles: Map<string, string[]>, ctx: TradeIntakeContext, out: Collector): { buyer: string; seller: string } | undefined {
  const pick = (role: string, fallback: string): string | undefined => {
    const named = roles.get(role);
    if (named && named.length > 1) {
      out.add('IES_ERR_P2P_CONTRACT_INVALID', `${CONTRACT}.contractAttributes.roles`, `role ${role} is given ${named.length} times`);
      return undefined;
    }
    const id = named?.[0] ?? str(context[fallback]);
    if (id === undefined) out.add('IES_ERR_P2P_CONTRACT_INVALID', `${CONTRACT}.contractAttributes.roles`, `no ${role} role and no context.${fallback}`);
    else if (!ctx.platform(id)) out.add('IES_ERR_P2P_PLATFORM_UNKNOWN', `${CONTRACT}.contractAttributes.roles`, `${role} ${id} is not a registered trading platform`);
    else return id;
    return undefined;
  };
  const buyer = pick('buyerPlatform', 'bapId');
  const seller = pick('sellerPlatform', 'bppId');
  if (ctx.signerPlatformId !== undefined && buyer !== undefined && seller !== undefined && ctx.signerPlatformId !== buyer && ctx.signerPlatformId !== seller) {
    out.add('IES_ERR_P2P_PLATFORM_NOT_PARTY', `${CONTRACT}.contractAttributes.roles`, `message signed by ${ctx.signerPlatformId}, but the contract's platforms are ${buyer} and ${seller}`);
    return undefined;
  }
  return buyer !== undefined && seller !== undefined ? { buyer, seller } : undefined;
}

function resolveSide(side: 'seller' | 'buyer', roles: Map<string, string[]>, participants: Obj[], ctx: TradeIntakeContext, out: Collector): Omit<TradeParty, 'platformId'> | undefined {
  const customerRoles = new Set([side, `${side}Platform`]);
  const discomRole = `${side}Discom`;
  const customerIds = new Set([...customerRoles].flatMap((r) => roles.get(r) ?? []));
  const discomIds = new Set(roles.get(discomRole) ?? []);
  const idOf = (p: Obj) => str(p['id']) ?? str(p['participantId']);
  const meters = new Map<string, number>();
  const claims = new Set(discomIds);
  participants.forEach((p, i) => {
    const attrs = isObj(p['participantAttributes']) ? p['participantAttributes'] : {};
    const role = str(p['role']);
    const id = idOf(p);
    const isCustomer = (role !== undefined && customerRoles.has(role)) || (id !== undefined && customerIds.has(id));
    const isDiscom = role === discomRole || (id !== undefined && discomIds.has(id));
    const meterId = str(attrs['meterId']);
    if (isCustomer && meterId !== undefined && !meters.has(meterId)) meters.set(meterId, i);
    if (isCustomer || isDiscom) {
      for (const key of ['utilityId', 'discomId']) {
        const named = str(attrs[key]);
        if (named !== undefined) claims.add(named);
      }
    }
  });
  const path = `${CONTRACT}.participants`;
  if (meters.size !== 1) {
    out.add('IES_ERR_P2P_METER_MISSING', path, meters.size === 0 ? `no ${side} participant carries an EnergyCustomer meterId` : `${side} has several meters: ${[...meters.keys()].join(', ')}`);
    return undefined;
  }
  const [meterId, index] = [...meters][0]!;
  const meterPath = `${path}[${index}].participantAttributes.meterId`;
  if (!isSafeId(meterId)) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', meterPath, `${side} meter id ${JSON.stringify(meterId)} must be an id of ${ID_GRAMMAR}`);
    return undefined;
  }
  const registered = ctx.meter(meterId);
  if (registered !== undefined) {
    if (claims.size > 0 && !claims.has(registered.discomId)) {
      out.add('IES_ERR_P2P_DISCOM_MISMATCH', meterPath, `${side} meter ${meterId} is registered to ${registered.discomId}, the contract names ${[...claims].join(', ')}`);
      return undefined;
    }
    return { meterId, discomId: registered.discomId };
  }
  const peers = [...claims].filter((d) => d !== ctx.discomId && ctx.peerDiscom?.(d) === true);
  if (peers.length === 1) return { meterId, discomId: peers[0]! };
  out.add('IES_ERR_P2P_METER_UNKNOWN', meterPath, `${side} meter ${meterId} is not registered here and the contract puts it with no known peer DISCOM`);
  return undefined;
}

/** An EnergyResource of a commitment names the seller's meter; it must be the same one. */
function checkResourceMeters(c: Obj, path: string, sellerMeter: string, out: Collector): void {
  objects(c['resources']).forEach((r, ri) => {
    const attrs = r['resourceAttributes'];
    if (!isObj(attrs) || attrs['@type'] !== 'EnergyResource') return;
    const meter = str(attrs['meterId']) ?? str(attrs['id']);
    if (meter !== undefined && meter !== sellerMeter) {
      out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.resources[${ri}].resourceAttributes`, `energy resource meter ${meter} is not the seller's meter ${sellerMeter}`);
    }
  });
}

function readIntervals(ts: unknown, path: string, out: Collector): TradeInterval[] | undefined {
  if (!isObj(ts) || !Array.isArray(ts['intervals'])) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', path, 'commitmentAttributes is not a TimeSeries with intervals');
    return undefined;
  }
  const before = out.problems.length;
  const descriptors = objects(ts['payloadDescriptors']);
  const descriptor = (type: string) => descriptors.find((d) => d['payloadType'] === type);
  const price = descriptor(PRICE);
  const quantity = descriptor(QUANTITY);
  if (price === undefined) out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.payloadDescriptors`, `no ${PRICE} descriptor`);
  else if (String(price['currency'] ?? '').toUpperCase() !== 'INR') out.add('IES_ERR_P2P_UNIT_UNSUPPORTED', `${path}.payloadDescriptors`, `${PRICE} currency is ${JSON.stringify(price['currency'] ?? null)}; only INR is accepted`);
  if (quantity === undefined) out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.payloadDescriptors`, `no ${QUANTITY} descriptor`);
  else if (String(quantity['units'] ?? '').toUpperCase() !== 'KWH') out.add('IES_ERR_P2P_UNIT_UNSUPPORTED', `${path}.payloadDescriptors`, `${QUANTITY} units are ${JSON.stringify(quantity['units'] ?? null)}; only KWH is accepted`);

  const period = isObj(ts['intervalPeriod']) ? readPeriod(ts['intervalPeriod'], `${path}.intervalPeriod`, out) : undefined;
  const intervals: (TradeInterval & { id: number; path: string })[] = [];
  const ids = new Set<number>();
  (ts['intervals'] as unknown[]).forEach((iv, ii) => {
    const ipath = `${path}.intervals[${ii}]`;
    if (!isObj(iv)) return out.add('IES_ERR_P2P_CONTRACT_INVALID', ipath, 'interval is not an object');
    const id = iv['id'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return out.add('IES_ERR_P2P_CONTRACT_INVALID', `${ipath}.id`, `interval id ${JSON.stringify(id)} is not a non-negative integer`);
    if (ids.has(id)) return out.add('IES_ERR_P2P_DUPLICATE', `${ipath}.id`, `interval id ${id} appears twice`);
    ids.add(id);
    const own = isObj(iv['intervalPeriod']) ? readPeriod(iv['intervalPeriod'], `${ipath}.intervalPeriod`, out) : undefined;
    if (own === undefined && period === undefined) {
      // An invalid period has been reported already; only a missing one is news here.
      if (!isObj(iv['intervalPeriod']) && !isObj(ts['intervalPeriod'])) out.add('IES_ERR_P2P_CONTRACT_INVALID', ipath, 'no intervalPeriod on the interval or the series');
      return;
    }
    // OpenADR-style series: interval n starts n durations after the series start.
    const startMs = own?.startMs ?? period!.startMs + id * period!.durationMs;
    const durationMs = own?.durationMs ?? period!.durationMs;
    const pricePaise = readValue(iv, PRICE, 2, MAX_RATE_PAISE_PER_KWH, ipath, 'INR/kWh', 'paisa/kWh', out);
    const quantityWh = readValue(iv, QUANTITY, 3, MAX_TRADE_INTERVAL_WH, ipath, 'kWh', 'Wh', out);
    if (pricePaise === undefined || quantityWh === undefined) return;
    intervals.push({ id, path: ipath, startMs, endMs: startMs + durationMs, quantityWh, pricePaisePerKwh: pricePaise });
  });
  if (out.problems.length > before) return undefined;
  if (intervals.length === 0) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.intervals`, 'commitment has no intervals');
    return undefined;
  }
  intervals.sort((a, b) => a.startMs - b.startMs);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const cur = intervals[i]!;
    if (cur.startMs > prev.endMs) out.add('IES_ERR_P2P_INTERVAL_GAP', cur.path, `interval ${cur.id} starts at ${formatInstant(cur.startMs)}, ${(cur.startMs - prev.endMs) / 60_000} min after interval ${prev.id} ends at ${formatInstant(prev.endMs)}`);
    else if (cur.startMs < prev.endMs) out.add('IES_ERR_P2P_INTERVAL_OVERLAP', cur.path, `interval ${cur.id} starts at ${formatInstant(cur.startMs)}, before interval ${prev.id} ends at ${formatInstant(prev.endMs)}`);
  }
  if (out.problems.length > before) return undefined;
  return intervals.map(({ startMs, endMs, quantityWh, pricePaisePerKwh }) => ({ startMs, endMs, quantityWh, pricePaisePerKwh }));
}

function readPeriod(p: Obj, path: string, out: Collector): { startMs: number; durationMs: number } | undefined {
  const startText = p['start'];
  const durationText = p['duration'];
  const startMs = typeof startText === 'string' ? parseInstant(startText) : undefined;
  const durationMs = typeof durationText === 'string' ? parseDuration(durationText) : undefined;
  if (startMs === undefined) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.start`, `start ${JSON.stringify(startText)} is not an RFC 3339 instant with an offset`);
  else if (startMs % BLOCK_MS !== 0) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.start`, `start ${formatInstant(startMs)} is not on a 15-minute boundary`);
  if (durationMs === undefined) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.duration`, `duration ${JSON.stringify(durationText)} is not an ISO 8601 duration of days, hours, minutes or seconds`);
  else if (durationMs <= 0 || durationMs % BLOCK_MS !== 0) out.add('IES_ERR_P2P_INTERVAL_MISALIGNED', `${path}.duration`, `duration ${durationText as string} is not a positive whole number of 15-minute blocks`);
  if (startMs === undefined || durationMs === undefined || startMs % BLOCK_MS !== 0 || durationMs <= 0 || durationMs % BLOCK_MS !== 0) return undefined;
  return { startMs, durationMs };
}

/** A decimal payload in units of 10^-scale, at most `max` of them (money bounds: every total stays exact). */
function readValue(iv: Obj, type: string, scale: number, max: number, path: string, unit: string, smallest: string, out: Collector): number | undefined {
  const payloads = objects(iv['payloads']);
  const index = payloads.findIndex((p) => p['type'] === type);
  const payload = payloads[index];
  if (payload === undefined) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', `${path}.payloads`, `no ${type} payload`);
    return undefined;
  }
  const values = payload['values'];
  const vpath = `${path}.payloads[${index}].values`;
  if (!Array.isArray(values) || values.length !== 1) {
    out.add('IES_ERR_P2P_CONTRACT_INVALID', vpath, `${type} must carry exactly one value`);
    return undefined;
  }
  const parsed = parseScaled(values[0], scale);
  const shown = JSON.stringify(values[0]);
  if (!parsed.ok) {
    out.add('IES_ERR_P2P_VALUE_INVALID', vpath, parsed.reason === 'TOO_PRECISE' ? `${type} ${shown} ${unit} is finer than 1 ${smallest}` : `${type} ${shown} is not a decimal number`);
    return undefined;
  }
  if (parsed.value < 0n || parsed.value > BigInt(max)) {
    out.add('IES_ERR_P2P_VALUE_INVALID', vpath, `${type} ${shown} ${unit} is ${parsed.value < 0n ? 'negative' : `above the maximum ${formatScaled(max, scale)} ${unit}`}`);
    return undefined;
  }
  return Number(parsed.value);
}

function formatScaled(value: number, scale: number): string {
  const digits = String(value).padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
}

function checkNewWindow(intervals: readonly TradeInterval[], path: string, ctx: TradeIntakeContext, out: Collector): void {
  const first = intervals[0]!;
  const earliest = ctx.now + (ctx.minLeadMs ?? 0);
  if (first.startMs < earliest) {
    const lead = ctx.minLeadMs ? ` plus the ${ctx.minLeadMs / 60_000}-minute lead time` : '';
    out.add('IES_ERR_P2P_WINDOW_PAST', `${path}.intervals`, `delivery starts ${formatInstant(first.startMs)}, before ${formatInstant(ctx.now)}${lead}`);
  }
  if (intervals.every((i) => i.quantityWh === 0)) out.add('IES_ERR_P2P_VALUE_INVALID', `${path}.intervals`, 'commitment contracts no energy in any interval');
}

/** An update whose contract or commitment status starts with CANCELLED cancels; any other amends. */
function updateIntent(contract: Obj, commitment: Obj): 'CANCEL' | 'AMEND' {
  const contractStatus = isObj(contract['status']) ? str(contract['status']['code']) : undefined;
  const status = isObj(commitment['status']) ? commitment['status'] : {};
  const commitmentStatus = str(isObj(status['descriptor']) ? status['descriptor']['code'] : undefined) ?? str(status['code']);
  return [contractStatus, commitmentStatus].some((s) => s?.toUpperCase().startsWith('CANCEL')) ? 'CANCEL' : 'AMEND';
}
