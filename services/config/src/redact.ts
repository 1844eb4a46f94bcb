import type { Config } from './config-model.js';

/** Config printed or logged: secrets replaced, so nothing secret reaches a log. */
export function redactConfig(config: Config): unknown {
  return {
    ...config,
    kafka: { ...config.kafka, sasl: config.kafka.sasl === undefined ? undefined : { ...config.kafka.sasl, password: '***' } },
    registry: { url: withoutUserInfo(config.registry.url) },
    clickhouse: { ...config.clickhouse, url: withoutUserInfo(config.clickhouse.url), password: config.clickhouse.password ? '***' : '' },
    redis: { url: withoutUserInfo(config.redis.url), password: config.redis.password ? '***' : '' },
    dr: { ...config.dr, kafkaCredentials: { ...config.dr.kafkaCredentials, schemaRegistryUrl: withoutUserInfo(config.dr.kafkaCredentials.schemaRegistryUrl), issuer: config.dr.kafkaCredentials.issuer === undefined ? undefined : { username: config.dr.kafkaCredentials.issuer.username, password: '***' } } },
  };
}

/** A URL with any user:password@ part masked. */
function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}
