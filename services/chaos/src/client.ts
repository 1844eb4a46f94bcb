import { randomUUID } from 'node:crypto';
import { signDetached, type KeyPair } from '@ies/crypto';
import { sleep } from './processes.js';

export interface ClientStats {
  requests: number;
  http503: number;
  /** 503s by route family (`/v1/meter-data`, `/v1/dr`, `/v1/p2p`) and cause (what the problem's detail names). */
  http503By: Record<string, number>;
  retries: number;
  networkErrors: number;
  otherErrors: number;
  /** Produce attempts and failures of the Kafka head-end. */
  kafkaSends: number;
  kafkaErrors: number;
}

export function newStats(): ClientStats {
  return { requests: 0, http503: 0, http503By: {}, retries: 0, networkErrors: 0, otherErrors: 0, kafkaSends: 0, kafkaErrors: 0 };
}

export interface SignedRequest {
  path: string;
  body: Buffer;
  contentType: string;
  key: KeyPair;
  tenant: string;
  /** Kept across retries: the node answers a repeated request id as a replay, not a second write. */
  jti: string;
}

export interface Answer {
  status: number;
  body: unknown;
  replayed: boolean;
  gateway: number;
}

const REQUEST_TIMEOUT_MS = 20_000;

/**
 * A head-end that retries every request it did not see answered: a refused connection, a
 * time-out or a 5xx goes to the other gateway after a back-off, until a final answer or the
 * deadline. Each attempt is signed afresh (the node refuses an iat older than its skew).
 */
export async function sendUntilAnswered(urls: readonly string[], r: SignedRequest, first: number, deadline: number, stats: ClientStats): Promise<Answer | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) stats.retries += 1;
    const gateway = (first + attempt) % urls.length;
    const signature = await signDetached(r.body, r.key, { iat: Math.floor(Date.now() / 1000), jti: r.jti, htm: 'POST', htu: r.path, tenant: r.tenant });
    stats.requests += 1;
    let wait = Math.min(5000, 500 * 2 ** Math.min(attempt, 4));
    try {
      const res = await fetch(`${urls[gateway]}${r.path}`, { method: 'POST', headers: { 'content-type': r.contentType, 'x-ies-signature': signature }, body: r.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const body = (await res.json().catch(() => ({}))) as unknown;
      if (res.status < 500) return { status: res.status, body, replayed: res.headers.get('idempotent-replayed') === 'true', gateway };
      if (res.status === 503) {
        stats.http503 += 1;
        const family = `${r.path.split('/').slice(0, 3).join('/')} (${causeOf(body)})`;
        stats.http503By[family] = (stats.http503By[family] ?? 0) + 1;
        wait = Math.max(wait, Math.min(30, Number(res.headers.get('retry-after') ?? 1)) * 1000);
      } else stats.otherErrors += 1;
    } catch {
      stats.networkErrors += 1;
    }
    if (Date.now() + wait > deadline) return undefined;
    await sleep(wait);
  }
}

/** What a 503's problem detail says held the write back (docs/errors.md, IES_ERR_DEPENDENCY_UNAVAILABLE). */
export function causeOf(problem: unknown): string {
  const detail = typeof problem === 'object' && problem !== null ? String((problem as { detail?: unknown }).detail ?? '') : '';
  if (/replay ledger .* being rebuilt/.test(detail)) return 'replay ledger rebuild';
  if (/store of .* being rebuilt/.test(detail)) return 'owner store rebuild';
  if (/notary .* past its checkpoint interval/.test(detail)) return 'notary back-pressure';
  if (/Kafka did not acknowledge/.test(detail)) return 'Kafka ack timeout';
  if (/Redis/.test(detail)) return 'Redis';
  if (/still in progress/.test(detail)) return 'same write in progress';
  return 'other';
}

/** A signed JSON POST answered once (set-up calls that run while nothing is faulted). */
export async function postSigned(url: string, path: string, body: unknown, key: KeyPair, tenant: string): Promise<Response> {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const signature = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: path, tenant });
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json', 'x-ies-signature': signature }, body: bytes, signal: AbortSignal.timeout(60_000) });
}
