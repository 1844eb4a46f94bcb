import type { Admin } from 'kafkajs';

/** Readiness of the Kafka cluster: metadata answers and a controller is elected. */
export function kafkaReadiness(admin: Admin): { name: string; check(): Promise<void> } {
  return {
    name: 'kafka',
    async check() {
      const { controller, brokers } = await admin.describeCluster();
      if (controller === null || controller < 0) throw new Error(`no active controller among ${brokers.length} broker(s)`);
    },
  };
}

/** Readiness of the schema registry: its Confluent-compatible API answers. */
export function registryReadiness(registryUrl: string): { name: string; check(): Promise<void> } {
  return {
    name: 'schema-registry',
    async check() {
      const res = await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`${registryUrl}/subjects answered ${res.status}`);
    },
  };
}
