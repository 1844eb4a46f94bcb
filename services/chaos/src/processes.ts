import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every child the campaign started and has not seen exit: what a watchdog or a signal must end. */
const live = new Set<ChildProcess>();

/** SIGKILL to each child we started that is still running (by its pid, nothing else). */
export function killAllChildren(): number {
  let n = 0;
  for (const c of live) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      process.kill(c.pid, 'SIGKILL');
      n += 1;
    }
  }
  return n;
}

export type ServiceName = 'gateway' | 'fanout' | 'notary' | 'loader' | 'dr' | 'settlement';

/** A service's bin.js, beside the entry point its package exports. */
export function serviceBin(service: ServiceName): string {
  return fileURLToPath(new URL('./bin.js', import.meta.resolve(`@ies/${service}`)));
}

/**
 * One service process of the campaign. It is only ever signalled by the pid we spawned;
 * `restart` starts a fresh process with the same environment.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exitedAt: number | undefined;
  readonly exits: { at: number; code: number | null; signal: string | null }[] = [];

  constructor(readonly name: string, readonly service: ServiceName, readonly env: Record<string, string>, readonly logDir: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(path.join(this.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [serviceBin(this.service)], { env: this.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    live.add(child);
    child.once('exit', (code, signal) => {
      live.delete(child);
      this.exitedAt = Date.now();
      this.exits.push({ at: this.exitedAt, code, signal });
    });
    this.child = child;
  }

  /** Sends a signal to our child; false when it is not running. */
  signal(sig: NodeJS.Signals): boolean {
    if (!this.running || this.child?.pid === undefined) return false;
    process.kill(this.child.pid, sig);
    return true;
  }

  /** Resolves when the child has exited, or false after the timeout. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running) {
      if (Date.now() > deadline) return false;
      await sleep(100);
    }
    return true;
  }

  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.waitExit(10_000);
  }

  /** SIGTERM, then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.signal('SIGTERM')) return;
    if (!(await this.waitExit(15_000))) await this.kill();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls a gateway's /readyz until it answers 200 (bounded). */
export async function waitReady(url: string, proc: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    if (!proc.running) throw new Error(`${proc.name} exited while starting (log in its campaign log file)`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} at ${url} not ready after ${timeoutMs / 1000} s: ${last}`);
    await sleep(500);
  }
}
