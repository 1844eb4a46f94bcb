import type { Producer } from 'kafkajs';
import type { Config } from '@ies/config';
import type { AvroSerde } from '@ies/kafka';
import type { RegistryState } from '@ies/registry';
import type { IdempotencyStore } from '@ies/http/auth';

/** What every signed write path of the gateway needs (ingest, registry admin, Kafka intake). */
export interface WriteDeps {
  config: Config;
  registry: RegistryState;
  serde: AvroSerde;
  producer: Producer;
  idempotency: IdempotencyStore;
  now: () => number;
}
