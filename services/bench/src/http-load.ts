import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * A bounded loopback load generator: GETs over keep-alive connections to one 127.0.0.1
 * origin (and `post`, one POST at a time, for the ingest benches' batches), either
 * closed-loop (each connection sends its next request when the last answered: the server's
 * throughput) or open-loop at a fixed rate (background load while something else
 * is measured). Every run stops at its time limit or its request count, whichever comes first.
 */

export interface LoadResult {
  requests: number;
  errors: number;
  firstErrors: string[];
  /** Body bytes as received (compressed when the server compressed them). */
  bytes: number;
  elapsedMs: number;
  latenciesMs: number[];
  /** Open loop only: arrivals skipped because every connection was busy. */
  dropped: number;
}

export interface LoadTarget {
  /** `http://127.0.0.1:<port>`; nothing else is accepted. */
  origin: string;
  /** Request paths, walked round-robin. */
  paths: readonly string[];
  headers?: Readonly<Record<string, string>>;
  connections: number;
  seconds: number;
  maxRequests: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

function loopbackPort(origin: string): number {
  const m = /^http:\/\/127\.0\.0\.1:(\d{1,5})$/.exec(origin);
  if (!m) throw new Error(`the load generator only talks to http://127.0.0.1:<port>, not ${origin}`);
  return Number(m[1]);
}

function emptyResult(): LoadResult {
  return { requests: 0, errors: 0, firstErrors: [], bytes: 0, elapsedMs: 0, latenciesMs: [], dropped: 0 };
}

function get(agent: http.Agent, port: number, path: string, headers: Readonly<Record<string, string>>, into: LoadResult): Promise<void> {
  const started = performance.now();
  return new Promise((resolve) => {
    const fail = (why: string) => {
      into.errors += 1;
      if (into.firstErrors.length < 5) into.firstErrors.push(`GET ${path}: ${why}`);
      resolve();
    };
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => {
        if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}`);
        into.requests += 1;
        into.bytes += bytes;
        into.latenciesMs.push(performance.now() - started);
        resolve();
      });
      res.on('error', (err) => fail(err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (err) => fail(err.message));
    req.end();
  });
}

/** An answer to `post`: its status, headers and body as text. */
export interface PostAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** One keep-alive agent per loopback origin for `post`, its sockets reused across requests. */
const postAgents = new Map<string, { port: number; agent: http.Agent }>();

/**
 * POSTs `body` to `http://127.0.0.1:<port><path>` over a kept-alive connection. node:http,
 * not fetch: undici's fetch spent about 0.5 ms of the load generator's CPU per batch of
 * 1,000 reads (29 KB of signed CSV) posted (docs/capacity.md), on the cores the measured
 * services share. Rejects on a network error or when the connection stays idle for
 * `timeoutMs` (a socket timeout, not a limit on the whole exchange).
 */
export function post(origin: string, path: string, headers: Readonly<Record<string, string>>, body: Buffer, timeoutMs: number): Promise<PostAnswer> {
  let target = postAgents.get(origin);
  if (target === undefined) {
    target = { port: loopbackPort(origin), agent: new http.Agent({ keepAlive: true }) };
    postAgents.set(origin, target);
  }
  const { port, agent } = target;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** `connections` loops, each sending its next request as soon as the last one answered. */
export async function closedLoop(t: LoadTarget): Promise<LoadResult> {
  const port = loopbackPort(t.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: t.connections });
  const result = emptyResult();
  const t0 = performance.now();
  const deadline = t0 + t.seconds * 1000;
  let sent = 0;
  try {
    await Promise.all(Array.from({ length: t.connections }, async () => {
      while (sent < t.maxRequests && performance.now() < deadline) {
        const path = t.paths[sent % t.paths.length] as string;
        sent += 1;
        await get(agent, port, path, t.headers ?? {}, result);
      }
    }));
  } finally {
    agent.destroy();
  }
  result.elapsedMs = performance.now() - t0;
  return result;
}

/**
 * Requests at `rate` per second (at most `connections` in flight; an arrival that finds them
 * all busy is counted as dropped) until `stop()` or the time/count limit.
 */
export function openLoop(t: LoadTarget & { rate: number }): { stop(): Promise<LoadResult> } {
  const port = loopbackPort(t.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: t.connections });
  const result = emptyResult();
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let due = 0;
  let stopped = false;
  const tick = () => {
    const elapsed = performance.now() - t0;
    if (elapsed >= t.seconds * 1000) return halt();
    const target = Math.min(t.maxRequests, Math.floor((elapsed / 1000) * t.rate));
    for (; due < target; due += 1) {
      if (inFlight.size >= t.connections) {
        result.dropped += 1;
        continue;
      }
      const p = get(agent, port, t.paths[due % t.paths.length] as string, t.headers ?? {}, result).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  };
  const timer = setInterval(tick, 5);
  let ended = 0;
  function halt(): void {
    if (stopped) return;
    stopped = true;
    ended = performance.now();
    clearInterval(timer);
  }
  return {
    async stop() {
      halt();
      await Promise.all([...inFlight]);
      agent.destroy();
      result.elapsedMs = ended - t0;
      return result;
    },
  };
}

/** The ceiling: static-server.js as a child process on 127.0.0.1 serving `size` bytes to every GET; stopped by its pid. */
export async function startStaticServer(size: number): Promise<{ origin: string; pid: number | undefined; close(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./static-server.js', import.meta.url)), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the static server did not print its port within 10 s')), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the static server exited with status ${code} before listening`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async close() {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
