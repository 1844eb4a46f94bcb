import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyHttpOptions, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { COMPOSITE_ID_MAX_LENGTH } from '@ies/contracts';
import { IesError, PROBLEM_CONTENT_TYPE, problemDetailsSchema, toProblem, type ErrorCode } from '@ies/errors';
import { runReadiness, type Logger, type ReadinessCheck } from '@ies/observability';
import type { Registry } from 'prom-client';

/** How long the server waits for a client; every one is bounded (0 would mean never). */
export interface HttpTimeouts {
  /** The whole request, headers and body, must arrive within this. */
  readonly requestTimeoutMs: number;
  /** The request line and headers must arrive within this (at most requestTimeoutMs). */
  readonly headersTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed. */
  readonly connectionTimeoutMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  readonly keepAliveTimeoutMs: number;
}

/** The same defaults as @ies/config's IES_HTTP_* settings, for apps built without a config. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = Object.freeze({ requestTimeoutMs: 60_000, headersTimeoutMs: 20_000, connectionTimeoutMs: 120_000, keepAliveTimeoutMs: 72_000 });

export interface HttpAppOptions {
  logger: Logger;
  metrics: Registry;
  readiness: readonly ReadinessCheck[];
  /** Largest accepted request body; routes may lower it. */
  bodyLimit?: number;
  timeouts?: HttpTimeouts;
  /**
   * Called with the app before any route is declared: a plugin that watches routes being
   * added (@fastify/swagger documents every route from its schema) sees only those declared
   * after it registered.
   */
  beforeRoutes?: (app: FastifyInstance) => void;
}

/**
 * A fastify app with the platform routes every service serves (/healthz, /readyz,
 * /metrics) and one error handler that turns every failure into RFC 9457 problem+json,
 * including the ones fastify and Node answer themselves (bad URL, over-long path
 * parameter, unparseable body, oversized headers, request timeout).
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  const timeouts = options.timeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const fastifyOptions: FastifyHttpOptions<Server> = {
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024,
    // Per-request lines are off: routes log outcomes (accepted, refused) themselves.
    logController: new LogController({ disableRequestLogging: true }),
    // find-my-way compares the decoded parameter; its default of 100 refused legal ids.
    routerOptions: { maxParamLength: COMPOSITE_ID_MAX_LENGTH },
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Node enforces requestTimeout and headersTimeout from a periodic sweep (30 s by
    // default); sweep often enough that the bound holds to within a quarter of itself.
    http: { headersTimeout: timeouts.headersTimeoutMs, connectionsCheckingInterval: checkingInterval(timeouts) },
    frameworkErrors: (err, req, reply) => sendProblem(mapFastifyError(err), req, reply),
    clientErrorHandler: answerClientError,
  };
  const app = Fastify(fastifyOptions) as unknown as FastifyInstance;
  // Response schemas document a route and are checked by the security suite (schemathesis);
  // they never filter or coerce a body, so the serializer ignores them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addSchema(problemDetailsSchema);
  options.beforeRoutes?.(app);

  app.setErrorHandler((err, req, reply) => sendProblem(mapFastifyError(err), req, reply));
  app.setNotFoundHandler((req, reply) => sendProblem(new IesError('IES_ERR_NOT_FOUND', `no route ${req.method} ${req.url}`), req, reply));

  // In a plugin, so that a documentation plugin registered by beforeRoutes sees them.
  void app.register(async (platform) => {
    platform.get('/healthz', { schema: PLATFORM_SCHEMAS.healthz }, async () => ({ status: 'ok' }));
    platform.get('/readyz', { schema: PLATFORM_SCHEMAS.readyz }, async (_req, reply) => {
      const report = await runReadiness(options.readiness);
      return reply.status(report.ready ? 200 : 503).send(report);
    });
    platform.get('/metrics', { schema: PLATFORM_SCHEMAS.metrics }, async (_req, reply) => {
      return reply.type(options.metrics.contentType).send(await options.metrics.metrics());
    });
  });
  return app;
}

const READINESS_REPORT = {
  type: 'object',
  required: ['ready', 'checks'],
  properties: {
    ready: { type: 'boolean' },
    checks: { type: 'object', additionalProperties: { type: 'object', required: ['ok', 'ms'], properties: { ok: { type: 'boolean' }, error: { type: 'string' }, ms: { type: 'integer' } } } },
  },
};

/** The platform routes' schemas (read by @fastify/swagger where an app documents itself). */
const PLATFORM_SCHEMAS = {
  healthz: { summary: 'Liveness: the process answers', tags: ['platform'], response: { 200: { description: 'Alive', type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } } },
  readyz: {
    summary: 'Readiness: every backing service answered within 2 s',
    tags: ['platform'],
    response: { 200: { description: 'Ready', ...READINESS_REPORT }, 503: { description: 'Not ready: the failing checks say why', ...READINESS_REPORT } },
  },
  metrics: { summary: 'Prometheus metrics (text exposition format)', tags: ['platform'], response: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } },
};

function checkingInterval(t: HttpTimeouts): number {
  return Math.max(50, Math.min(5_000, Math.floor(Math.min(t.requestTimeoutMs, t.headersTimeoutMs) / 4)));
}

function sendProblem(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const problem = toProblem(err, req.url);
  if (problem.status >= 500 && !problem.retriable) req.log.error({ err }, 'request failed');
  else req.log.info({ code: problem.code, url: req.url }, 'request refused');
  // A retriable refusal tells the client when to come back (RFC 9110 §10.2.3).
  if (problem.retriable) void reply.header('retry-after', String(typeof problem.retryAfterSeconds === 'number' ? problem.retryAfterSeconds : 5));
  void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message: string;
}

/** Fastify's own 4xx errors, by code, then by status; anything else is not the client's fault. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'IES_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'IES_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'IES_ERR_BODY_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'IES_ERR_BODY_MALFORMED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'IES_ERR_BAD_REQUEST',
  FST_ERR_BAD_URL: 'IES_ERR_BAD_REQUEST',
  FST_ERR_INVALID_URL: 'IES_ERR_BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'IES_ERR_URI_TOO_LONG',
  FST_ERR_NOT_FOUND: 'IES_ERR_NOT_FOUND',
};
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'IES_ERR_BAD_REQUEST', 404: 'IES_ERR_NOT_FOUND', 406: 'IES_ERR_NOT_ACCEPTABLE', 408: 'IES_ERR_REQUEST_TIMEOUT',
  413: 'IES_ERR_PAYLOAD_TOO_LARGE', 414: 'IES_ERR_URI_TOO_LONG', 415: 'IES_ERR_UNSUPPORTED_MEDIA_TYPE', 431: 'IES_ERR_HEADERS_TOO_LARGE',
};

function mapFastifyError(err: unknown): unknown {
  if (err instanceof IesError) return err;
  const e = err as FastifyLikeError;
  if (e.validation !== undefined) return new IesError('IES_ERR_VALIDATION', e.message, { details: { errors: e.validation } });
  const byCode = e.code === undefined ? undefined : FASTIFY_CODES[e.code];
  if (byCode) return new IesError(byCode, e.message);
  // The JSON parser's SyntaxError (and secure-json-parse's prototype-poisoning refusal) carry 400 and no code.
  if (err instanceof SyntaxError && e.statusCode === 400) return new IesError('IES_ERR_BODY_MALFORMED', e.message);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new IesError(STATUS_CODES[e.statusCode] ?? 'IES_ERR_BAD_REQUEST', e.message);
  }
  return err;
}

/**
 * Node's 'clientError': the request never reached fastify (headers too large, malformed
 * HTTP, request or headers timeout). Answered as problem+json on the raw socket, which is
 * then closed: after such an error the connection's framing cannot be trusted.
 */
function answerClientError(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'IES_ERR_HEADERS_TOO_LARGE'
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'IES_ERR_REQUEST_TIMEOUT'
    : 'IES_ERR_BAD_REQUEST';
  const detail = code === 'IES_ERR_HEADERS_TOO_LARGE' ? 'request line and headers exceed the server limit'
    : code === 'IES_ERR_REQUEST_TIMEOUT' ? 'the request did not arrive within the server timeout'
    : `malformed HTTP request (${err.code ?? err.message})`;
  const problem = toProblem(new IesError(code, detail));
  const body = JSON.stringify(problem);
  this.log.info({ code, cause: err.code }, 'client error');
  // As Node's own handler: never write over a response already on its way to the client.
  const inFlight = (socket as Socket & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
  if (socket.writable && !inFlight?._headerSent) {
    const retry = problem.retriable ? 'Retry-After: 5\r\n' : '';
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_TEXT[problem.status] ?? 'Bad Request'}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retry}Connection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };
