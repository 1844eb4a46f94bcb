import path from 'node:path';
import { ServiceProcess, waitReady, type ServiceName } from './processes.js';

export const GATEWAY_PORTS = [18180, 18181] as const;

export interface ChaosNode {
  gateways: ServiceProcess[];
  urls: string[];
  services: Record<Exclude<ServiceName, 'gateway'>, ServiceProcess>;
  all(): ServiceProcess[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The node under test: two gateway processes serving both DISCOMs, and one process each of
 * fan-out, notary, loader, dr and settlement, every one as its own Kafka principal with the
 * stack's credentials.
 */
export function chaosNode(stackEnv: Record<string, string>, o: { keysDir: string; jwksFile: string; logDir: string; base: Record<string, string | undefined> }): ChaosNode {
  const common: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(o.base).filter(([, v]) => v !== undefined)) as Record<string, string>),
    ...stackEnv,
    IES_OPERATOR_JWKS_FILE: o.jwksFile,
    IES_NOTARY_KEYS_DIR: path.join(o.keysDir, 'notary'),
    IES_SETTLEMENT_KEYS_DIR: path.join(o.keysDir, 'settlement'),
    IES_WEBHOOK_KEY_FILE: path.join(o.keysDir, 'webhook.private.jwk.json'),
    IES_LOG_LEVEL: o.base.IES_CHAOS_LOG_LEVEL ?? 'warn',
    // As in the demo: settle as soon as a window closed, accept trades confirmed on the
    // simulated day, and issue statements only when asked (not on the scheduled sweep,
    // which would issue an empty R0 before the day's trades are lodged).
    IES_SETTLEMENT_RECONCILE_GRACE_MS: '0',
    IES_SETTLEMENT_RECONCILE_INTERVAL_MS: '5000',
    IES_P2P_TRADE_BACKFILL_MS: String(10 * 86_400_000),
    IES_SETTLEMENT_STATEMENT_GRACE_MS: String(10 * 86_400_000),
    IES_DR_SWEEP_INTERVAL_MS: '5000',
  };
  const gateways = GATEWAY_PORTS.map((port, i) => new ServiceProcess(`gateway-${i + 1}`, 'gateway', { ...common, IES_HTTP_HOST: '127.0.0.1', IES_HTTP_PORT: String(port) }, o.logDir));
  const urls = GATEWAY_PORTS.map((port) => `http://127.0.0.1:${port}`);
  const one = (s: Exclude<ServiceName, 'gateway'>) => new ServiceProcess(s, s, common, o.logDir);
  const services = { fanout: one('fanout'), notary: one('notary'), loader: one('loader'), dr: one('dr'), settlement: one('settlement') };
  const all = () => [...gateways, ...Object.values(services)];
  return {
    gateways,
    urls,
    services,
    all,
    async start() {
      // The loader migrates ClickHouse and the first gateway makes the tenants' topics: start them first.
      gateways[0]!.start();
      await waitReady(urls[0]!, gateways[0]!, 180_000);
      for (const p of all()) p.start();
      await waitReady(urls[1]!, gateways[1]!, 180_000);
    },
    async stop() {
      await Promise.all(all().map((p) => p.stop()));
    },
  };
}
