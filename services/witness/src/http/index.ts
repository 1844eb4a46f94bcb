import type { FastifyInstance } from 'fastify';
import { IesError, type ErrorCode } from '@ies/errors';
import type { NodeContext, ServiceHttp } from '@ies/http';
import type { RefusalCode } from '../domain/add-checkpoint.js';
import { witnessMetrics } from '../metrics.js';
import { trustedLogs } from '../trusted-logs.js';
import { Witness } from '../witness.js';
import { WitnessKeyFile } from '../witness-keys.js';
import { WitnessStore } from '../witness-store.js';
import { ADD_CHECKPOINT, WITNESS_CHECKPOINT, WITNESS_VKEY } from './schemas.js';

/** The submission and monitoring prefix: `POST /witness/add-checkpoint`, `GET /witness/<origin hash>/checkpoint`. */
export const WITNESS_PREFIX = '/witness';
/** An add-checkpoint body is a checkpoint and ≤ 63 hash lines: a few KiB; 64 KiB leaves room for many signatures. */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;

const REFUSAL_CODES: Readonly<Record<Exclude<RefusalCode, 'CONFLICT'>, ErrorCode>> = {
  MALFORMED: 'IES_ERR_WITNESS_REQUEST_MALFORMED',
  UNKNOWN_LOG: 'IES_ERR_WITNESS_LOG_UNKNOWN',
  BAD_SIGNATURE: 'IES_ERR_WITNESS_SIGNATURE',
  INCONSISTENT: 'IES_ERR_WITNESS_INCONSISTENT',
};

export type WitnessContext = Pick<NodeContext, 'config' | 'redis' | 'metrics' | 'now'>;

/**
 * The witness's front door: this node cosigns the checkpoints of the peer logs it is
 * configured to watch (IES_WITNESS_LOGS) with its own key (IES_WITNESS_KEYS_DIR, IES_WITNESS_NAME).
 */
export function witnessHttp(ctx: WitnessContext): ServiceHttp {
  const witness = new Witness({
    logs: trustedLogs(ctx.config.witness.logs),
    keys: new WitnessKeyFile(ctx.config.witness.keysDir, ctx.config.witness.name),
    store: new WitnessStore(ctx.redis),
    now: ctx.now,
  });
  const metrics = witnessMetrics(ctx.metrics);
  return { name: 'witness', plugin: async (app) => witnessRoutes(app, { witness, metrics }), close: async () => {} };
}

export function witnessRoutes(app: FastifyInstance, deps: { witness: Witness; metrics: { outcome(o: string): void } }): void {
  // The body is text in no declared media type (clients send text/plain or nothing): take the
  // bytes as they are, in this plugin only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(`${WITNESS_PREFIX}/add-checkpoint`, { schema: ADD_CHECKPOINT, bodyLimit: MAX_ADD_CHECKPOINT_BYTES }, async (req, reply) => {
    const outcome = await deps.witness.addCheckpoint(utf8(req.body));
    deps.metrics.outcome(outcome.ok ? 'cosigned' : outcome.refusal.code.toLowerCase());
    if (outcome.ok) {
      req.log.info({ origin: outcome.origin, size: outcome.size }, 'witness cosigned a checkpoint');
      return reply.type('text/plain; charset=utf-8').send(outcome.cosignatures);
    }
    const { refusal } = outcome;
    if (refusal.code === 'CONFLICT') return reply.code(409).type('text/x.tlog.size').send(`${refusal.knownSize}\n`);
    // A signed checkpoint that does not extend what was cosigned may prove the log forked: keep it.
    if (refusal.code === 'INCONSISTENT' && outcome.origin) req.log.warn({ origin: outcome.origin, reason: refusal.reason, checkpoint: outcome.checkpointNote }, 'witness refused a signed checkpoint: possible log misbehaviour');
    throw new IesError(REFUSAL_CODES[refusal.code], refusal.reason);
  });

  app.get(`${WITNESS_PREFIX}/vkey`, { schema: WITNESS_VKEY }, async (_req, reply) => {
    return reply.type('text/plain; charset=utf-8').send((await deps.witness.vkeys()).map((k) => `${k}\n`).join(''));
  });

  app.get(`${WITNESS_PREFIX}/:originHash/checkpoint`, { schema: WITNESS_CHECKPOINT }, async (req, reply) => {
    const { originHash } = req.params as { originHash: string };
    const note = await deps.witness.latestCheckpoint(originHash);
    if (!note) throw new IesError('IES_ERR_NOT_FOUND', `this witness has cosigned no checkpoint of a log whose origin hashes to ${originHash}`);
    return reply.type('text/plain; charset=utf-8').send(note);
  });
}

function utf8(body: unknown): string {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new IesError('IES_ERR_WITNESS_REQUEST_MALFORMED', 'the add-checkpoint body is empty');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new IesError('IES_ERR_WITNESS_REQUEST_MALFORMED', 'the add-checkpoint body is not UTF-8 text');
  }
}
