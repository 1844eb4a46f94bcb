import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** The campaign's own ports, never the shared stack's (see /tmp/altenv.sh style alternates). */
export const CHAOS_PORTS = { kafka: 19092, registry: 18081, clickhouseHttp: 18123, clickhouseTcp: 19000, redis: 16379 } as const;
export const BROKERS = 3;

export interface ChaosStack {
  root: string;
  dir: string;
  /** The environment every client of this stack (services, load generator, auditor) runs with. */
  env: Record<string, string>;
  up(): Promise<void>;
  down(wipe: boolean): Promise<void>;
  /** Pid of a part the stack script started (kafka-1…3, clickhouse, redis), from its pid file. */
  pid(part: string): number | undefined;
}

/**
 * The 3-broker stack of the campaign in its own folder on alternate ports, started and
 * stopped only through infra/stack.sh, which stops by the pids it recorded.
 */
export function chaosStack(root: string, base: Env, tenants: readonly string[]): ChaosStack {
  const dir = base.IES_CHAOS_STACK_DIR ?? path.join(root, '.stack', 'chaos');
  const brokers = Array.from({ length: BROKERS }, (_, i) => `127.0.0.1:${CHAOS_PORTS.kafka + 2 * i}`).join(',');
  const env: Record<string, string> = {
    IES_STACK_DIR: dir,
    IES_SECRETS_DIR: path.join(dir, 'secrets'),
    IES_KAFKA_PORT: String(CHAOS_PORTS.kafka),
    IES_REGISTRY_PORT: String(CHAOS_PORTS.registry),
    IES_CLICKHOUSE_HTTP_PORT: String(CHAOS_PORTS.clickhouseHttp),
    IES_CLICKHOUSE_TCP_PORT: String(CHAOS_PORTS.clickhouseTcp),
    IES_REDIS_PORT: String(CHAOS_PORTS.redis),
    IES_KAFKA_BROKERS: brokers,
    IES_KAFKA_REPLICATION_FACTOR: String(BROKERS),
    IES_REGISTRY_URL: `http://127.0.0.1:${CHAOS_PORTS.registry}/apis/ccompat/v7`,
    IES_CLICKHOUSE_URL: `http://127.0.0.1:${CHAOS_PORTS.clickhouseHttp}`,
    IES_REDIS_URL: `redis://127.0.0.1:${CHAOS_PORTS.redis}`,
    IES_TENANTS: tenants.join(','),
  };
  // Artefacts (Kafka, Apicurio) are fetched once; a shared cache may be named by IES_CACHE_DIR.
  if (base.IES_CACHE_DIR) env.IES_CACHE_DIR = base.IES_CACHE_DIR;
  const script = (args: string[], timeoutMs: number) => run('bash', [path.join(root, 'infra', 'stack.sh'), ...args], { ...base, ...env }, timeoutMs);
  return {
    root,
    dir,
    env,
    up: () => script(['up', '--brokers', String(BROKERS)], 600_000),
    down: (wipe) => script(wipe ? ['down', '--wipe'] : ['down'], 180_000),
    pid(part) {
      try {
        const n = Number(readFileSync(path.join(dir, 'run', `${part}.pid`), 'utf8').trim());
        return Number.isInteger(n) && n > 0 ? n : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Runs a command with its output on our stderr; rejects on a non-zero exit or after the timeout. */
export function run(cmd: string, args: string[], env: Env, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
    });
  });
}
