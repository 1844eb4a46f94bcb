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
import type { Problem } from './codes.js';
import { Collector, isObj, objects, str, type Obj } from './deg-json.js';
import type { TradeIntakeContext } from './trade-intake-context.js';
import { checkNewWindow, readIntervals } from './deg-intervals.js';
import { tradeDigest, tradeIdOf, type NormalisedTrade, type TradeInterval, type TradeParty } from './trade.js';

export type IntakeResult =
  | { readonly ok: true; readonly action: string; readonly trades: readonly NormalisedTrade[]; readonly replays: readonly string[] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

const ACTIONS = new Set(['confirm', 'on_confirm', 'update']);
const CONTRACT = '$.message.contract';


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

/** An update whose contract or commitment status starts with CANCELLED cancels; any other amends. */
function updateIntent(contract: Obj, commitment: Obj): 'CANCEL' | 'AMEND' {
  const contractStatus = isObj(contract['status']) ? str(contract['status']['code']) : undefined;
  const status = isObj(commitment['status']) ? commitment['status'] : {};
  const commitmentStatus = str(isObj(status['descriptor']) ? status['descriptor']['code'] : undefined) ?? str(status['code']);
  return [contractStatus, commitmentStatus].some((s) => s?.toUpperCase().startsWith('CANCEL')) ? 'CANCEL' : 'AMEND';
}
