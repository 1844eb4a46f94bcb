import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { countReads } from '@ies/reads';
import type { Config } from '@ies/config';
import { generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';
import { indiaHolidayCalendar, type PerformanceSweep } from '@ies/dr/testing';
import { buildFleet, istDayStart, type SimMeter } from '../domain/fleet.js';
import { participantKeyFile, saveParticipantKey } from './demo-participants.js';
import { simulate } from './simulate.js';
import { formatRupees } from '@ies/units';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The DR part of the demo: a second fleet enrolled with an aggregator gets 21 IST days of
 * history through the gateway; on the last day the aggregator's customers cut their evening
 * import to 60 % between 18:00 and 20:00 IST. The DISCOM's DR desk enters the event for that
 * past window as a late entry and activates it, the DR service baselines it (DEG 5-of-10) and measures it, and the
 * demo prints delivered energy, payment and penalty per aggregator.
 */
export async function runDrDemo(o: { config: Config; gatewayUrl: string; discom: string; yesterday: string; operatorKeyFile: string; sweep: PerformanceSweep; seed: number; meters: number }): Promise<{ ok: boolean; day: string; eventId: string; fleet: SimMeter[] }> {
  // The event falls on the latest working day (weekday, not a holiday) up to yesterday, so
  // its like days are weekdays: 21 days of history hold the 10 that 5-of-10 needs.
  const calendar = indiaHolidayCalendar();
  let lastDay = o.yesterday;
  while (calendar.dayType(lastDay) !== 'WEEKDAY') lastDay = new Date(Date.parse(lastDay) - DAY_MS).toISOString().slice(0, 10);
  const aggregatorId = `${o.discom}-AGG`;
  const idPrefix = `DR${o.seed}`;
  const headEnds = 2;
  const fleet = buildFleet({ seed: o.seed, meters: o.meters, headEnds, idPrefix });
  const eventDayStart = istDayStart(lastDay);
  const window = { start: eventDayStart + 18 * HOUR_MS, end: eventDayStart + 20 * HOUR_MS };
  const key = await generateSigningKey('EdDSA');
  const deskKey = await generateSigningKey('EdDSA');
  await registerAggregator(o, aggregatorId, 'EVENING-PEAK', key, fleet.map((m) => m.meterId), deskKey);
  // Kept beside the operator key, so `ies console --as <DISCOM>/<DISCOM>-AGG` signs in as this aggregator.
  await saveParticipantKey(participantKeyFile(path.dirname(o.operatorKeyFile), o.discom, aggregatorId), key);
  console.log(`    aggregator ${aggregatorId} registered with ${fleet.length} meters enrolled in programme EVENING-PEAK; ${o.discom}'s DR desk registered`);

  const days = Array.from({ length: 21 }, (_, i) => new Date(eventDayStart - (20 - i) * DAY_MS + 6 * HOUR_MS).toISOString().slice(0, 10));
  let accepted = 0;
  const started = Date.now();
  for (const day of days) {
    const s = await simulate({
      gatewayUrl: o.gatewayUrl, discom: o.discom, meters: o.meters, headEnds, day, seed: o.seed, idPrefix, batchReads: 1000, concurrency: 4, rate: 0,
      // History has the odd missing block; the settled day is complete (its gaps filled by VEE
      // estimates), so the statements of step 7 can be COMPUTED rather than stay DRAFT.
      operatorKeyFile: o.operatorKeyFile, register: true, progress: false, faultRate: 0, ...(day === lastDay ? { response: { ...window, factor: 0.6 }, gapRate: 0 } : {}),
    });
    accepted += s.accepted;
  }
  console.log(`    ${days.length} days of history (${days[0]} … ${lastDay}) posted through the gateway: ${accepted} reads in ${((Date.now() - started) / 1000).toFixed(1)} s; customers respond on ${lastDay} 18:00–20:00 IST`);
  await waitForReads(o.config, o.discom, idPrefix, accepted);

  const eventId = `EV-${lastDay}-${randomUUID().slice(0, 8)}`;
  const intervals = Array.from({ length: 8 }, () => ({ requestedWh: 30_000, offeredWh: 28_000, pricePaisePerKwh: 800, shortfallPenaltyPaisePerKwh: 400 }));
  const request = { eventId, programmeId: 'EVENING-PEAK', aggregatorId, window, intervals, participatingMeters: fleet.map((m) => m.meterId), methodology: 'deg-5of10@1' };
  // The event day is past: an aggregator may only dispatch ahead of a window, so the DISCOM's
  // DR desk enters the event (as it was dispatched that evening) and the history records it
  // as a late entry.
  const created = await signedPost(o.gatewayUrl, '/v1/dr/events', request, deskKey, o.discom);
  if (created.status !== 201) throw new Error(`creating the DR event failed: ${created.status} ${await created.text()}`);
  const activated = await signedPost(o.gatewayUrl, `/v1/dr/events/${eventId}/transitions`, { to: 'ACTIVE' }, deskKey, o.discom);
  if (!activated.ok) throw new Error(`activating the DR event failed: ${activated.status} ${await activated.text()}`);
  console.log(`    event ${eventId}: ${lastDay} 18:00–20:00 IST, 8 intervals, offered 28.0 kWh each at ₹8.00/kWh, shortfall penalty ₹4.00/kWh, baseline deg-5of10@1; entered by the DR desk as a late entry (the window is past; an aggregator must dispatch ahead of it); DRAFT → ACTIVE`);

  const get = async (path: string) => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(aggregatorId).setAudience(o.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
    return fetch(`${o.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const state = ((await (await get(`/v1/dr/events/${eventId}`)).json()) as { state: string }).state;
    if (state === 'BASELINED') break;
    if (Date.now() > deadline) throw new Error(`the event stayed ${state} for 120 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const baselines = (await (await get(`/v1/dr/events/${eventId}/baselines`)).json()) as { baselines: { status: string; baselineWh: number | null }[] };
  const ok = baselines.baselines.filter((b) => b.status === 'OK');
  console.log(`    BASELINED: ${ok.length / 8} of ${fleet.length} meters with a baseline (${baselines.baselines.length - ok.length} meter-intervals without: status stated, never zero); event baseline ${(ok.reduce((n, b) => n + (b.baselineWh ?? 0), 0) / 1000).toFixed(1)} kWh`);
  await o.sweep.sweep(o.discom);
  const perf = (await (await get(`/v1/dr/events/${eventId}/performance`)).json()) as { state: string; version: number; totals: { deliveredWh: number; offeredWh: number; eligibleWh: number; shortfallWh: number; paymentPaise: number; penaltyPaise: number; netPaise: number } };
  const t = perf.totals;
  console.log(`    ${perf.state} (version ${perf.version}):`);
  console.log(`      aggregator     delivered   offered   eligible   shortfall   payment    penalty    net`);
  console.log(`      ${aggregatorId.padEnd(13)}  ${(t.deliveredWh / 1000).toFixed(1).padStart(6)} kWh  ${(t.offeredWh / 1000).toFixed(1).padStart(5)} kWh  ${(t.eligibleWh / 1000).toFixed(1).padStart(5)} kWh  ${(t.shortfallWh / 1000).toFixed(1).padStart(6)} kWh  ${formatRupees(t.paymentPaise).padStart(8)}  ${formatRupees(t.penaltyPaise).padStart(8)}  ${formatRupees(t.netPaise).padStart(8)}`);
  const venOk = await showVenView(o, aggregatorId, eventId, deskKey);
  return { ok: perf.state === 'MEASURED' && t.deliveredWh > 0 && venOk, day: lastDay, eventId, fleet };
}

/**
 * The same event as the aggregator's OpenADR 3.1 VEN sees it (docs/openadr.md): the DR desk
 * issues the aggregator's client secret, the VEN takes a token with it and reads its event and
 * the baseline and performance reports from /openadr/3.1.
 */
async function showVenView(o: { gatewayUrl: string; discom: string }, aggregatorId: string, eventId: string, deskKey: KeyPair): Promise<boolean> {
  const issued = await signedPost(o.gatewayUrl, '/v1/dr/openadr-clients', { participantId: aggregatorId }, deskKey, o.discom);
  if (issued.status !== 201) throw new Error(`issuing the OpenADR client secret failed: ${issued.status} ${await issued.text()}`);
  const { clientId, clientSecret, tokenUrl } = (await issued.json()) as { clientId: string; clientSecret: string; tokenUrl: string };
  const granted = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
  if (!granted.ok) throw new Error(`the OpenADR token request failed: ${granted.status} ${await granted.text()}`);
  const { access_token: token, scope } = (await granted.json()) as { access_token: string; scope: string };
  const vtn = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${o.gatewayUrl}/openadr/3.1${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`OpenADR GET ${path} failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  type Payload = { type: string; values: (number | string)[] };
  type Interval = { id: number; payloads: Payload[] };
  const events = await vtn<{ id: string; eventName: string; intervals: Interval[] }[]>('/events');
  const event = events.find((e) => e.eventName === eventId);
  if (!event) return false;
  console.log(`    as ${aggregatorId}'s OpenADR 3.1 VEN sees it (client ${clientId}, scopes ${scope}):`);
  const first = event.intervals[0]?.payloads.map((p) => `${p.type} ${p.values.join(',')}`).join(', ');
  console.log(`      event ${event.id}: ${event.intervals.length} intervals of PT15M; interval 0: ${first}`);
  const reports = await vtn<{ reportName: string; resources: { resourceName: string; intervals: Interval[] }[] }[]>(`/reports?eventID=${event.id}`);
  const sum = (r: { resources: { resourceName: string; intervals: Interval[] }[] }, resource: (name: string) => boolean, type: string) =>
    r.resources.filter((x) => resource(x.resourceName)).flatMap((x) => x.intervals.flatMap((i) => i.payloads.filter((p) => p.type === type).flatMap((p) => p.values))).reduce<number>((n, v) => n + (typeof v === 'number' ? v : 0), 0);
  for (const r of reports) {
    const meters = r.resources.filter((x) => x.resourceName !== 'AGGREGATED_REPORT').length;
    const figures = r.reportName.startsWith('BASELINE')
      ? `BASELINE ${(sum(r, () => true, 'BASELINE') / 1000).toFixed(1)} kWh`
      : `USAGE ${(sum(r, (n) => n !== 'AGGREGATED_REPORT', 'USAGE') / 1000).toFixed(1)} kWh, DELTA_USAGE ${(sum(r, (n) => n !== 'AGGREGATED_REPORT', 'DELTA_USAGE') / 1000).toFixed(1)} kWh, delivered ${(sum(r, (n) => n === 'AGGREGATED_REPORT', 'IES_DELIVERED_WH') / 1000).toFixed(1)} kWh`;
    console.log(`      report "${r.reportName}": ${meters} meters; ${figures}`);
  }
  return reports.length === 2;
}

async function registerAggregator(o: { gatewayUrl: string; discom: string; operatorKeyFile: string }, id: string, programme: string, key: KeyPair, meters: readonly string[], deskKey: KeyPair): Promise<void> {
  const operator = await importPrivateJwk(JSON.parse(await readFile(o.operatorKeyFile, 'utf8')));
  // Meters must exist before they are enrolled only in the sense that events check enrolment; register them with the first simulated day.
  const body = Buffer.from(`discom: ${o.discom}\nparticipants:\n  - id: ${id}\n    role: AGGREGATOR\n    name: Demo aggregator\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n  - id: ${o.discom}-DR-DESK\n    role: DISCOM\n    name: ${o.discom} DR desk\n    keys:\n      - ${JSON.stringify(deskKey.publicJwk)}\nenrolments:\n  - { aggregator: ${id}, programme: ${programme}, meters: [${meters.join(', ')}] }\n`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `DEMO-AGG-${Date.now()}`, htm: 'POST', htu: '/v1/registry', tenant: o.discom });
  const res = await fetch(`${o.gatewayUrl}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  if (!res.ok) throw new Error(`registering the aggregator failed: ${res.status} ${await res.text()}`);
}

async function signedPost(base: string, path: string, body: unknown, key: KeyPair, tenant: string): Promise<Response> {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: path, tenant });
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, body: bytes });
}

export async function waitForReads(config: Config, discom: string, prefix: string, expected: number): Promise<void> {
  const ch = createClickHouse(config);
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const n = await countReads(ch, discom, { meterIdPrefix: prefix });
      if (n >= expected) return;
      if (Date.now() > deadline) throw new Error(`ClickHouse holds ${n} of the ${expected} reads of fleet ${prefix} after 180 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await ch.close();
  }
}
