import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths redacted in every log line: keys, signatures, passwords and auth headers never
 * reach a log, even when an object carrying them is logged whole.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
  'd',
  '*.d',
  'authorization',
  'req.headers.authorization',
  'req.headers["x-ies-signature"]',
];

export function createLogger(options: { name: string; level: LoggerOptions['level'] }, destination?: pino.DestinationStream): Logger {
  const opts: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { svc: options.name },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
