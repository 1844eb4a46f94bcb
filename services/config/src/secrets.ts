/** Secrets in the configuration: the Kafka principal's SASL credentials and passwords carried in URLs. */
import path from 'node:path';
import type { Env, KafkaSasl, LoadConfigOptions } from './config-model.js';

const SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;

/** The Kafka SASL credentials of the named principal (see LoadConfigOptions). */
export function kafkaSasl(env: Env, options: LoadConfigOptions, secretsDir: string, secretFile: (file: string, what: string) => string, problems: string[]): KafkaSasl | undefined {
  const username = env.IES_KAFKA_USERNAME || options.principal;
  if (username === undefined || username === '') return undefined;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(username)) {
    problems.push(`Kafka user ${JSON.stringify(username)} must be letters, digits, '.', '_' or '-'`);
    return undefined;
  }
  const mechanism = env.IES_KAFKA_SASL_MECHANISM || 'scram-sha-512';
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) problems.push(`IES_KAFKA_SASL_MECHANISM=${JSON.stringify(mechanism)} must be one of ${SASL_MECHANISMS.join(', ')}`);
  let password = env.IES_KAFKA_PASSWORD ?? '';
  let passwordFrom = 'IES_KAFKA_PASSWORD';
  if (password === '') {
    passwordFrom = env.IES_KAFKA_PASSWORD_FILE || path.join(secretsDir, 'kafka', `${username}.password`);
    password = secretFile(passwordFrom, `Kafka password of ${username}`);
    if (password === '') problems.push(`no Kafka password for principal ${username}: ${passwordFrom} is missing or empty ('npm run stack:up' makes it on the local stack; elsewhere set IES_SECRETS_DIR, IES_KAFKA_PASSWORD_FILE or IES_KAFKA_PASSWORD)`);
  }
  return { mechanism: mechanism as KafkaSasl['mechanism'], username, password, passwordFrom };
}

/**
 * The principal that issues aggregators' Kafka credentials (IES_DR_KAFKA_ISSUER, '' = none):
 * its password from IES_DR_KAFKA_ISSUER_PASSWORD_FILE or `<secretsDir>/kafka/<name>.password`.
 */
export function kafkaIssuer(username: string, env: Env, secretsDir: string, secretFile: (file: string, what: string) => string, problems: string[]): { username: string; password: string } | undefined {
  if (username === '') return undefined;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(username)) {
    problems.push(`IES_DR_KAFKA_ISSUER=${JSON.stringify(username)} must be a Kafka user name (letters, digits, '.', '_' or '-')`);
    return undefined;
  }
  const file = env.IES_DR_KAFKA_ISSUER_PASSWORD_FILE || path.join(secretsDir, 'kafka', `${username}.password`);
  const password = secretFile(file, `Kafka password of the credential issuer ${username}`);
  if (password === '') problems.push(`IES_DR_KAFKA_ISSUER=${username}: no password in ${file} (set IES_DR_KAFKA_ISSUER_PASSWORD_FILE)`);
  return { username, password };
}

/** The password part of a URL ('' when none). */
export function urlPassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
