import { SignJWT } from 'jose';
import { degConfirm, istDayStart, type SimTrade } from '@ies/cli/sim';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { postSigned, sendUntilAnswered, type ClientStats } from './client.js';
import type { AckLedger } from './ledger.js';
import { sleep } from './processes.js';
import type { Fleet } from './workload.js';

const HOUR_MS = 3_600_000;
export const PLATFORM = 'CHAOS-PX';
const PROGRAMME = 'EVENING-PEAK';

/** The non-head-end participants of each DISCOM: its desk (DR and settlement), an aggregator, the platform. */
export interface Actors {
  desk: Record<string, KeyPair>;
  aggregator: Record<string, KeyPair>;
  platform: Record<string, KeyPair>;
  trades: SimTrade[];
  enrolled: Record<string, string[]>;
}

export const deskId = (d: string) => `${d}-DESK`;
const aggregatorId = (d: string) => `${d}-AGG`;

/** Four hourly trades at midday: within each DISCOM and across, prosumer sellers to consumers. */
function planTrades(fleets: readonly Fleet[], day: string): SimTrade[] {
  const start = istDayStart(day) + 11 * HOUR_MS;
  const sellers = fleets.map((f) => f.meters.filter((m) => m.kind === 'PROSUMER'));
  const buyers = fleets.map((f) => f.meters.filter((m) => m.kind !== 'PROSUMER'));
  const pairs: [number, number][] = [[0, 0], [1, 1], [0, 1], [1, 0]];
  return pairs.map(([s, b], k) => ({
    transactionId: `PX-${day}-CHAOS-${k + 1}`,
    commitmentId: 'C1',
    platformId: PLATFORM,
    seller: { meterId: sellers[s]![k]!.meterId, discomId: fleets[s]!.discomId },
    buyer: { meterId: buyers[b]![k]!.meterId, discomId: fleets[b]!.discomId },
    startMs: start,
    intervalMinutes: 60,
    intervals: [{ wh: 300, paisePerKwh: 600 }, { wh: 200, paisePerKwh: 620 }],
    confirmedAt: start - 3 * HOUR_MS,
  }));
}

/** Registers each DISCOM's fleet and actors with one operator-signed document per DISCOM. */
export async function registerAll(url: string, operator: KeyPair, fleets: readonly Fleet[], day: string): Promise<Actors> {
  const actors: Actors = { desk: {}, aggregator: {}, platform: {}, trades: planTrades(fleets, day), enrolled: {} };
  for (const f of fleets) {
    const d = f.discomId;
    actors.desk[d] = await generateSigningKey('EdDSA');
    actors.aggregator[d] = await generateSigningKey('EdDSA');
    actors.platform[d] = await generateSigningKey('EdDSA');
    actors.enrolled[d] = f.meters.slice(0, 10).map((m) => m.meterId);
    const consenting = [...new Set(actors.trades.flatMap((t) => [t.seller, t.buyer]).filter((p) => p.discomId === d).map((p) => p.meterId))];
    const participant = (id: string, role: string, key: KeyPair) => [`  - id: ${id}`, `    role: ${role}`, `    name: Chaos ${role.toLowerCase()} ${id}`, '    keys:', `      - ${JSON.stringify(key.publicJwk)}`];
    const lines = [`discom: ${d}`, 'participants:'];
    for (const [id, key] of f.headEnds) lines.push(...participant(id, 'HEADEND', key));
    lines.push(...participant(deskId(d), 'DISCOM', actors.desk[d]!), ...participant(aggregatorId(d), 'AGGREGATOR', actors.aggregator[d]!), ...participant(PLATFORM, 'PLATFORM', actors.platform[d]!));
    lines.push('meters:');
    for (const m of f.meters) lines.push(`  - ${JSON.stringify({ id: m.meterId, scheme: 'METER_SERIAL', headEnd: m.headEndId, sanctionedLoadW: m.sanctionedLoadW, ...(m.pvCapacityW > 0 ? { derCapacityW: m.pvCapacityW } : {}) })}`);
    lines.push('enrolments:', `  - { aggregator: ${aggregatorId(d)}, programme: ${PROGRAMME}, meters: [${actors.enrolled[d]!.join(', ')}] }`);
    lines.push('tradingConsents:', `  - { platform: ${PLATFORM}, meters: [${consenting.join(', ')}] }`);
    const res = await postSigned(url, '/v1/registry', `${lines.join('\n')}\n`, operator, d);
    if (!res.ok) throw new Error(`registering ${d} failed: ${res.status} ${await res.text()}`);
  }
  return actors;
}

/** The day's evening DR event of the first DISCOM, entered late by its desk and activated. */
export async function lodgeDrEvent(urls: readonly string[], actors: Actors, discom: string, day: string, seed: number, deadline: number, ledger: AckLedger, stats: ClientStats): Promise<string | undefined> {
  const start = istDayStart(day) + 18 * HOUR_MS;
  const eventId = `EV-CHAOS-${day}-${seed}`;
  const intervals = Array.from({ length: 8 }, () => ({ requestedWh: 3_000, offeredWh: 2_800, pricePaisePerKwh: 800, shortfallPenaltyPaisePerKwh: 400 }));
  const request = { eventId, programmeId: PROGRAMME, aggregatorId: aggregatorId(discom), window: { start, end: start + 2 * HOUR_MS }, intervals, participatingMeters: actors.enrolled[discom], methodology: 'deg-5of10@1' };
  const key = actors.desk[discom]!;
  const created = await sendUntilAnswered(urls, { path: '/v1/dr/events', body: Buffer.from(JSON.stringify(request)), contentType: 'application/json', key, tenant: discom, jti: `${eventId}-create` }, 0, deadline, stats);
  // 409: an earlier attempt whose answer was lost created it.
  if (!created || (created.status !== 201 && created.status !== 409)) return `DR event ${eventId}: ${created ? `HTTP ${created.status} ${JSON.stringify(created.body).slice(0, 300)}` : 'no answer'}`;
  ledger.add({ kind: 'dr-event', discomId: discom, eventId, at: Date.now() });
  const path = `/v1/dr/events/${eventId}/transitions`;
  const active = await sendUntilAnswered(urls, { path, body: Buffer.from(JSON.stringify({ to: 'ACTIVE' })), contentType: 'application/json', key, tenant: discom, jti: `${eventId}-activate` }, 1, deadline, stats);
  if (!active || active.status >= 300) return `DR event ${eventId} activation: ${active ? `HTTP ${active.status} ${JSON.stringify(active.body).slice(0, 300)}` : 'no answer'}`;
  return undefined;
}

/** The platform lodges the day's trades (DEG confirm), each retried until answered. */
export async function lodgeTrades(urls: readonly string[], actors: Actors, deadline: number, ledger: AckLedger, stats: ClientStats): Promise<string[]> {
  const problems: string[] = [];
  for (const [k, t] of actors.trades.entries()) {
    const d = t.seller.discomId;
    const a = await sendUntilAnswered(urls, { path: '/v1/p2p/trades', body: Buffer.from(JSON.stringify(degConfirm(t))), contentType: 'application/json', key: actors.platform[d]!, tenant: d, jti: `${t.transactionId}-confirm` }, k, deadline, stats);
    if (a && (a.status === 200 || a.status === 201)) ledger.add({ kind: 'p2p-trade', discomId: d, tradeId: `${t.transactionId}/${t.commitmentId}`, at: Date.now() });
    else problems.push(`trade ${t.transactionId}: ${a ? `HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 300)}` : 'no answer'}`);
  }
  return problems;
}

export function bearer(issuer: string, key: KeyPair, nodeId: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(issuer).setAudience(nodeId).setIssuedAt().setExpirationTime('5m').sign(key.privateKey);
}

/** Waits (bounded) until both DISCOMs hold a final allocation of every trade, as the platform sees it. */
export async function waitAllocations(url: string, actors: Actors, nodeId: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(actors.trades);
  while (pending.size > 0 && Date.now() < deadline) {
    for (const t of [...pending]) {
      const token = await bearer(PLATFORM, actors.platform[t.seller.discomId]!, nodeId);
      const res = await fetch(`${url}/v1/p2p/trades/${encodeURIComponent(`${t.transactionId}/${t.commitmentId}`)}/allocation`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      if (res?.status === 200 && (await res.text()).includes('"FINAL_ALLOC"')) pending.delete(t);
    }
    if (pending.size > 0) await sleep(2000);
  }
  return [...pending].map((t) => `trade ${t.transactionId}: no final allocation after ${timeoutMs / 1000} s`);
}
