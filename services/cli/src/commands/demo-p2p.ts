import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SignJWT } from 'jose';
import type { Config } from '@ies/config';
import { generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';
import type { P2pStore } from '@ies/settlement';
import { buildFleet, istDayStart, meterDay, type SimMeter } from '../domain/fleet.js';
import { createRandom } from '../domain/prng.js';
import { degCancel, degConfirm, type SimTrade } from '../domain/deg-trade.js';
import { simulate } from './simulate.js';
import { waitForReads } from './demo-dr.js';

const HOUR_MS = 3_600_000;
const PLATFORM = 'DEMO-PX';

export interface P2pDemoOptions {
  config: Config;
  gatewayUrl: string;
  /** The two DISCOMs of the node: A hosts the DR fleet, B gets a fleet of its own here. */
  discoms: readonly [string, string];
  /** IST day of the trades: the DR fleet already has its reads for it. */
  day: string;
  operatorKeyFile: string;
  /** The DR fleet of DISCOM A (its reads for `day` are in ClickHouse). */
  fleetA: { seed: number; meters: readonly SimMeter[] };
  seed: number;
  metersB: number;
  settlement: { sweep: () => Promise<void>; store: P2pStore };
}

export interface P2pDemoResult {
  ok: boolean;
  trades: number;
  cancelled: number;
  interDiscom: number;
  /** The platform's participant id and its key registered with each DISCOM. */
  platform: { id: string; keys: Record<string, KeyPair> };
  /**
   * One read of a seller kept back by its head-end: `deliver` posts it, waits for it in
   * ClickHouse and sweeps until both DISCOMs hold the trade's new final allocation.
   */
  late: { tradeId: string; meterId: string; discomId: string; blockStart: number; deliver: () => Promise<void> };
}

interface Party { meterId: string; discomId: string; exportWh: number[]; importWh: number[] }

/**
 * The P2P part of the demo: DISCOM B gets a fleet of its own for the day, a trading platform
 * registered with both DISCOMs lodges the day's midday trades it confirmed in the morning
 * (intra- and inter-DISCOM, one seller trading twice, one buyer contracting more than it
 * uses, one trade cancelled before delivery), the settlement service allocates each side
 * from its own DISCOM's reads, the DISCOMs exchange signed sides, and the demo prints the
 * final allocation of every trade.
 */
export async function runP2pDemo(o: P2pDemoOptions): Promise<P2pDemoResult> {
  const [a, b] = o.discoms;
  const dayStart = istDayStart(o.day);
  const window = { start: dayStart + 11 * HOUR_MS, end: dayStart + 13 * HOUR_MS };
  const idPrefix = `PX${o.seed}`;
  const fleetB = buildFleet({ seed: o.seed, meters: o.metersB, headEnds: 1, idPrefix });
  const parties = [...partiesOf(o.fleetA.meters, a, o.fleetA.seed, dayStart, window), ...partiesOf(fleetB, b, o.seed, dayStart, window)];
  const trades = planTrades(parties, a, b, window, o.seed);
  // One seller of B keeps a read back: it arrives after the first run's cut-off.
  const { trade: lateTrade, blockStart: lateBlock } = lateRead(fleetB, o.seed, dayStart, window, trades.filter((t) => t.seller.discomId === b));
  const late = { meterId: lateTrade.seller.meterId, blockStart: lateBlock };
  const s = await simulate({
    gatewayUrl: o.gatewayUrl, discom: b, meters: o.metersB, headEnds: 1, day: o.day, seed: o.seed, idPrefix, batchReads: 1000, concurrency: 4, rate: 0, operatorKeyFile: o.operatorKeyFile, register: true, progress: false, faultRate: 0, gapRate: 0,
    holdBack: (row) => row.meterId === late.meterId && row.blockStart === late.blockStart,
  });
  console.log(`    ${b}: ${o.metersB} meters registered, ${s.accepted} reads for ${o.day} posted through the gateway (the ${new Date(late.blockStart).toISOString()} read of ${late.meterId} kept back: it arrives late)`);
  await waitForReads(o.config, b, idPrefix, s.accepted);
  // Each customer who trades enrolled the meter with the platform (trading consent in its DISCOM's registry).
  const consenting = (d: string) => [...new Set(trades.flatMap((t) => [t.seller, t.buyer]).filter((p) => p.discomId === d).map((p) => p.meterId))];
  const keys = { [a]: await generateSigningKey('EdDSA'), [b]: await generateSigningKey('EdDSA') } as Record<string, KeyPair>;
  for (const d of [a, b]) await registerPlatform(o, d, keys[d]!, consenting(d));
  console.log(`    trading platform ${PLATFORM} registered with ${a} (${consenting(a).length} consenting meters) and ${b} (${consenting(b).length})`);

  for (const t of trades) {
    const res = await signedPost(o.gatewayUrl, '/v1/p2p/trades', degConfirm(t), keys[t.seller.discomId]!, t.seller.discomId);
    if (res.status !== 201 && res.status !== 200) throw new Error(`trade ${t.transactionId} was refused: ${res.status} ${await res.text()}`);
  }
  const cancelled = trades[trades.length - 1]!;
  const cancel = await signedPost(o.gatewayUrl, '/v1/p2p/trades', degCancel(cancelled, window.start - HOUR_MS), keys[cancelled.seller.discomId]!, cancelled.seller.discomId);
  if (!cancel.ok) throw new Error(`cancelling ${cancelled.transactionId} failed: ${cancel.status} ${await cancel.text()}`);
  const inter = trades.filter((t) => t.seller.discomId !== t.buyer.discomId).length;
  console.log(`    ${trades.length} trades for ${o.day} 11:00–13:00 IST (2 hourly intervals each; ${inter} between ${a} and ${b}) lodged with the platform's morning contract time; ${cancelled.transactionId} cancelled before delivery`);

  // Each DISCOM allocates its own sides; the sides cross as signed messages; both DISCOMs combine.
  const live = trades.filter((t) => t !== cancelled);
  const deadline = Date.now() + 120_000;
  const finals = new Map<string, Awaited<ReturnType<P2pStore['getFinal']>>>();
  while (finals.size < live.length) {
    await o.settlement.sweep();
    for (const t of live) {
      const id = `${t.transactionId}/${t.commitmentId}`;
      const [sellerCopy, buyerCopy] = await Promise.all([o.settlement.store.getFinal(t.seller.discomId, id), o.settlement.store.getFinal(t.buyer.discomId, id)]);
      if (sellerCopy && buyerCopy && JSON.stringify(sellerCopy.intervals) === JSON.stringify(buyerCopy.intervals)) finals.set(id, sellerCopy);
    }
    if (finals.size < live.length && Date.now() > deadline) throw new Error(`${finals.size} of ${live.length} trades have a final allocation held by both DISCOMs after 120 s`);
    if (finals.size < live.length) await new Promise((r) => setTimeout(r, 500));
  }

  const kwh = (wh: number) => (wh / 1000).toFixed(3).padStart(7);
  console.log('      trade                 seller                  buyer                   contracted  seller side  buyer side    final  status');
  for (const t of live) {
    const id = `${t.transactionId}/${t.commitmentId}`;
    const f = finals.get(id)!;
    const sum = (k: 'contractedWh' | 'sellerWh' | 'buyerWh' | 'finalWh') => f.intervals.reduce((n, i) => n + i[k], 0);
    console.log(`      ${t.transactionId.padEnd(20)}  ${`${t.seller.discomId}/${t.seller.meterId}`.padEnd(22)}  ${`${t.buyer.discomId}/${t.buyer.meterId}`.padEnd(22)}  ${kwh(sum('contractedWh'))} kWh  ${kwh(sum('sellerWh'))}  ${kwh(sum('buyerWh'))}  ${kwh(sum('finalWh'))}  ${f.status}`);
  }
  const sample = live.find((t) => t.seller.discomId !== t.buyer.discomId) ?? live[0]!;
  const report = await platformGet(o, `/v1/p2p/trades/${encodeURIComponent(`${sample.transactionId}/${sample.commitmentId}`)}/allocation`, keys[sample.seller.discomId]!);
  const onStatus = JSON.stringify(await report.json());
  const columns = ['SELLER_DISCOM_ALLOC', 'BUYER_DISCOM_ALLOC', 'FINAL_ALLOC'].filter((c) => onStatus.includes(`"${c}"`));
  console.log(`    GET /v1/p2p/trades/…/allocation of ${sample.transactionId} as the platform: ${report.status}, a DEG on_status report with ${columns.join(', ')} per interval`);
  const lateId = `${lateTrade.transactionId}/${lateTrade.commitmentId}`;
  const deliver = async () => {
    const before = await Promise.all([lateTrade.seller.discomId, lateTrade.buyer.discomId].map(async (d) => (await o.settlement.store.getFinalRecord(d, lateId))?.version ?? 0));
    const accepted = await s.postHeldBack();
    await waitForReads(o.config, b, idPrefix, s.accepted + accepted);
    const until = Date.now() + 120_000;
    for (;;) {
      await o.settlement.sweep();
      const now = await Promise.all([lateTrade.seller.discomId, lateTrade.buyer.discomId].map((d) => o.settlement.store.getFinalRecord(d, lateId)));
      if (now.every((r, i) => r !== undefined && r.version > before[i]!) && JSON.stringify(now[0]!.final.intervals) === JSON.stringify(now[1]!.final.intervals)) return;
      if (Date.now() > until) throw new Error(`the late read of ${late.meterId} did not make a new final allocation of ${lateId} held by both DISCOMs after 120 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  return {
    ok: report.status === 200 && columns.length === 3, trades: trades.length, cancelled: 1, interDiscom: inter,
    platform: { id: PLATFORM, keys }, late: { tradeId: lateId, meterId: late.meterId, discomId: b, blockStart: late.blockStart, deliver },
  };
}

/**
 * The read to keep back: a block of a seller's first trade hour without which the seller
 * exported less than it sold (so the first run settles less, and the diff shows the late
 * read), its largest block; failing that, the first seller's largest block.
 */
function lateRead(fleet: readonly SimMeter[], seed: number, dayStart: number, window: { start: number; end: number }, sold: readonly SimTrade[]): { trade: SimTrade; blockStart: number } {
  let fallback: { trade: SimTrade; blockStart: number } | undefined;
  for (const t of sold) {
    const meter = fleet.find((m) => m.meterId === t.seller.meterId);
    if (meter === undefined) continue;
    const blocks = meterDay(meter, dayStart, { seed, gapRate: 0 }).filter((r) => r.blockStart >= window.start && r.blockStart < window.start + HOUR_MS);
    const largest = blocks.reduce((a, r) => (r.exportWh > a.exportWh ? r : a), blocks[0]!);
    const pick = { trade: t, blockStart: largest.blockStart };
    fallback ??= pick;
    if (blocks.reduce((n, r) => n + r.exportWh, 0) - largest.exportWh < t.intervals[0]!.wh) return pick;
  }
  return fallback!;
}

/** Per meter of a fleet, its export and import in each hour of the window, from the same simulated reads the head-ends posted. */
function partiesOf(fleet: readonly SimMeter[], discomId: string, seed: number, dayStart: number, window: { start: number; end: number }): Party[] {
  const hours = (window.end - window.start) / HOUR_MS;
  return fleet.map((m) => {
    const exportWh = new Array<number>(hours).fill(0);
    const importWh = new Array<number>(hours).fill(0);
    for (const r of meterDay(m, dayStart, { seed, gapRate: 0 })) {
      if (r.blockStart < window.start || r.blockStart >= window.end) continue;
      const h = Math.floor((r.blockStart - window.start) / HOUR_MS);
      exportWh[h]! += r.exportWh;
      importWh[h]! += r.importWh;
    }
    return { meterId: m.meterId, discomId, exportWh, importWh };
  });
}

/**
 * Trades sized from what the meters actually did, so the outcomes are varied: most sellers
 * sell 60–90 % of their export, one seller sells two buyers more than it exported (pro-rata
 * with a shortfall), one buyer contracts more than it imported (under-consumption). The
 * last trade is the one the platform cancels.
 */
function planTrades(parties: readonly Party[], a: string, b: string, window: { start: number; end: number }, seed: number): SimTrade[] {
  const rnd = createRandom(seed);
  const sellers = (d: string) => parties.filter((p) => p.discomId === d && p.exportWh.every((wh) => wh >= 400));
  const buyers = (d: string) => parties.filter((p) => p.discomId === d && p.exportWh.every((wh) => wh === 0) && p.importWh.every((wh) => wh >= 400));
  const pairs: [Party, Party][] = [];
  const take = (from: Party[], n: number) => from.splice(0, Math.min(n, from.length));
  const [sa, sb, ba, bb] = [sellers(a), sellers(b), buyers(a), buyers(b)];
  const plan: [Party[], Party[], number][] = [[sa, ba, 4], [sa, bb, 3], [sb, ba, 3], [sb, bb, 3]];
  for (const [s, bu, n] of plan) {
    const ss = take(s, n);
    const bs = take(bu, ss.length);
    ss.forEach((seller, i) => bs[i] && pairs.push([seller, bs[i]!]));
  }
  if (pairs.length < 4) throw new Error(`the fleets have too few midday sellers and buyers for the P2P demo (${pairs.length} pairs)`);
  const trades = pairs.map(([seller, buyer], k) => {
    const share = 0.6 + rnd() * 0.3;
    const intervals = seller.exportWh.map((wh, h) => ({ wh: Math.max(10, Math.round(Math.min(wh, buyer.importWh[h]!) * share / 10) * 10), paisePerKwh: 550 + Math.floor(rnd() * 21) * 10 }));
    return trade(k, seller, buyer, intervals, window);
  });
  // One seller trades a second time: together more than it exported, so both trades are cut pro rata.
  const [first] = pairs[0]!;
  const second = ba[0] ?? bb[0];
  if (second) trades.push(trade(trades.length, first, second, first.exportWh.map((wh, h) => ({ wh: Math.max(10, Math.round(wh * 0.7 / 10) * 10), paisePerKwh: 600 + h * 20 })), window));
  // One buyer contracts more than it imported.
  const greedy = pairs[1]!;
  trades[1] = trade(1, greedy[0], greedy[1], greedy[1].importWh.map((wh) => ({ wh: Math.round(wh * 1.5 / 10) * 10, paisePerKwh: 640 })), window);
  // The trade the platform cancels before delivery.
  const [cs, cb] = pairs[pairs.length - 1]!;
  trades.push(trade(trades.length, cs, cb, [{ wh: 500, paisePerKwh: 600 }, { wh: 500, paisePerKwh: 600 }], window));
  return trades;
}

function trade(k: number, seller: Party, buyer: Party, intervals: SimTrade['intervals'], window: { start: number; end: number }): SimTrade {
  return {
    // Fixed ids: running the demo again lodges the same trades again, which the node answers as replays.
    transactionId: `PX-${new Date(window.start + 5.5 * HOUR_MS).toISOString().slice(0, 10)}-${String(k + 1).padStart(3, '0')}`,
    commitmentId: 'C1',
    platformId: PLATFORM,
    seller: { meterId: seller.meterId, discomId: seller.discomId },
    buyer: { meterId: buyer.meterId, discomId: buyer.discomId },
    startMs: window.start,
    intervalMinutes: 60,
    intervals,
    confirmedAt: window.start - 3 * HOUR_MS,
  };
}

async function registerPlatform(o: { gatewayUrl: string; operatorKeyFile: string }, discom: string, key: KeyPair, meters: readonly string[]): Promise<void> {
  const operator = await importPrivateJwk(JSON.parse(await readFile(o.operatorKeyFile, 'utf8')));
  const consents = meters.length === 0 ? '' : `tradingConsents:\n  - { platform: ${PLATFORM}, meters: [${meters.join(', ')}] }\n`;
  const body = Buffer.from(`discom: ${discom}\nparticipants:\n  - id: ${PLATFORM}\n    role: PLATFORM\n    name: Demo P2P exchange\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n${consents}`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `DEMO-PX-${discom}-${Date.now()}`, htm: 'POST', htu: '/v1/registry', tenant: discom });
  const res = await fetch(`${o.gatewayUrl}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  if (!res.ok) throw new Error(`registering the platform with ${discom} failed: ${res.status} ${await res.text()}`);
}

async function signedPost(base: string, path: string, body: unknown, key: KeyPair, tenant: string): Promise<Response> {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: path, tenant });
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, body: bytes });
}

async function platformGet(o: { gatewayUrl: string; config: Config }, path: string, key: KeyPair): Promise<Response> {
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(PLATFORM).setAudience(o.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
  return fetch(`${o.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
}
