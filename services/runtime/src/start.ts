import type { Admin, Kafka, KafkaConfig, Producer } from 'kafkajs';
import { loadConfig, redactConfig, type Config } from '@ies/config';
import type { ServicePrincipal } from '@ies/contracts';
import { AvroSerde, createIdempotentProducer, createKafka, kafkaReadiness, registryReadiness, requireTenantTopics } from '@ies/kafka';
import { createLogger, type Logger, type ReadinessCheck } from '@ies/observability';

export interface RuntimeOptions {
  /** The Kafka user the service runs as; also the config's principal and the logger's name. */
  principal: ServicePrincipal;
  /** A logger of the caller's (tests, the demo); else one named after the principal. */
  logger?: Logger;
  /** Client settings that differ from createKafka's (the gateway's shorter send bound). */
  kafka?: Partial<KafkaConfig>;
}

/** What every service process starts with: its config, logger, Kafka clients and serde. */
export interface ServiceRuntime {
  readonly config: Config;
  readonly logger: Logger;
  readonly kafka: Kafka;
  /** Connected until stop(): topic checks, readiness, topics a service creates itself. */
  readonly admin: Admin;
  readonly serde: AvroSerde;
  /** Kafka and the schema registry, for /readyz. */
  readonly readiness: readonly ReadinessCheck[];
  /** The process's one idempotent producer, connected on first use and disconnected by stop(). */
  producer(): Promise<Producer>;
  /** Disconnects what the runtime connected (the producer, then the admin). */
  stop(): Promise<void>;
}

/**
 * The start-up sequence every service shares: load and validate the config as the service's
 * principal, log it redacted, connect Kafka's admin and refuse to start while a tenant's
 * topics are missing or not granted (an operator provisions them; services never create them).
 */
export async function startRuntime(env: Readonly<Record<string, string | undefined>>, options: RuntimeOptions): Promise<ServiceRuntime> {
  const config = loadConfig(env, { principal: options.principal });
  const logger = options.logger ?? createLogger({ name: options.principal, level: config.logLevel });
  logger.info({ config: redactConfig(config) }, `starting ${options.principal}`);
  const kafka = createKafka(config, logger.child({ lib: 'kafkajs' }), options.kafka);
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const tenant of config.tenants) await requireTenantTopics(admin, tenant, options.principal);
  } catch (err) {
    await admin.disconnect();
    throw err;
  }
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  let producer: Promise<Producer> | undefined;
  return {
    config, logger, kafka, admin, serde,
    readiness: [kafkaReadiness(admin), registryReadiness(config.registry.url)],
    producer: () => {
      producer ??= (async () => {
        const p = createIdempotentProducer(kafka);
        await p.connect();
        return p;
      })();
      return producer;
    },
    stop: async () => {
      if (producer) await (await producer).disconnect();
      await admin.disconnect();
    },
  };
}
