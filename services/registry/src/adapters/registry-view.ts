import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { AvroSerde } from '@ies/kafka';
import { RegistryState } from '../domain/state.js';
import { materialiseRegistry, type RegistryView } from './registry-log.js';

export interface OpenRegistryOptions {
  readonly tenants: readonly string[];
  readonly nodeId: string;
  /** The service's name, in its consumer group (every process reads the whole topic). */
  readonly service: string;
  readonly operatorJwksFile: string;
  readonly logger: { warn(obj: object, msg: string): void };
  /** Only the registry's writer (the gateway) dead-letters forged records. */
  readonly deadLetters?: Producer;
}

/**
 * The registry a service works from: every hosted tenant's operator-signed registry.v1
 * documents, verified and applied to a fresh RegistryState, caught up before it resolves.
 * Refused records are logged (and dead-lettered by the writer).
 */
export async function openRegistry(kafka: Kafka, serde: AvroSerde, o: OpenRegistryOptions): Promise<{ registry: RegistryState; view: RegistryView }> {
  const registry = new RegistryState();
  const view = await materialiseRegistry(kafka, serde, registry, o.tenants, `${o.nodeId}-${o.service}-${randomUUID()}`, {
    operatorJwksFile: o.operatorJwksFile,
    ...(o.deadLetters ? { deadLetters: o.deadLetters } : {}),
    onRefused: (r) => o.logger.warn({ refused: r }, 'registry record refused: not an operator-signed document of this tenant'),
  });
  await view.ready;
  return { registry, view };
}
