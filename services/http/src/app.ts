import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { IesError, PROBLEM_CONTENT_TYPE, toProblem } from '@ies/errors';
import { runReadiness, type Logger, type ReadinessCheck } from '@ies/observability';
import type { Registry } from 'prom-client';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Registry;
  readiness: readonly ReadinessCheck[];
  /** Largest accepted request body; routes may lower it. */
  bodyLimit?: number;
}

/**
 * A fastify app with the platform routes every service serves (/healthz, /readyz,
 * /metrics) and one error handler that turns every failure into RFC 9457 problem+json.
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  const fastifyOptions: FastifyServerOptions = {
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024,
    // Per-request lines are off: routes log outcomes (accepted, refused) themselves.
    logController: new LogController({ disableRequestLogging: true }),
  };
  const app = Fastify(fastifyOptions) as unknown as FastifyInstance;

  app.setErrorHandler((err, req, reply) => {
    const mapped = mapFastifyError(err);
    const problem = toProblem(mapped, req.url);
    if (problem.status >= 500 && !problem.retriable) req.log.error({ err }, 'request failed');
    else req.log.info({ code: problem.code, url: req.url }, 'request refused');
    // A retriable refusal tells the client when to come back (RFC 9110 §10.2.3).
    if (problem.retriable) void reply.header('retry-after', String(typeof problem.retryAfterSeconds === 'number' ? problem.retryAfterSeconds : 5));
    void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler((req, reply) => {
    const problem = toProblem(new IesError('IES_ERR_NOT_FOUND', `no route ${req.method} ${req.url}`), req.url);
    void reply.status(404).type(PROBLEM_CONTENT_TYPE).send(problem);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const report = await runReadiness(options.readiness);
    return reply.status(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  return app;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message: string;
}

/** Fastify's own errors (schema validation, body too large) keep their status. */
function mapFastifyError(err: unknown): unknown {
  if (err instanceof IesError) return err;
  const e = err as FastifyLikeError;
  if (e.validation !== undefined) return new IesError('IES_ERR_VALIDATION', e.message, { details: { errors: e.validation } });
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new IesError('IES_ERR_PAYLOAD_TOO_LARGE', e.message);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new IesError('IES_ERR_UNSUPPORTED_MEDIA_TYPE', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new IesError('IES_ERR_VALIDATION', e.message);
  }
  return err;
}
