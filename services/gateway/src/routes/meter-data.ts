import type { FastifyInstance } from 'fastify';
import { CREDENTIAL_MEDIA_TYPES, submitMeterBatch, type SubmitDeps } from '../ingest/submit-batch.js';
import { requestPath, sendRecorded } from '@ies/http/auth';
import { SUBMIT_METER_DATA } from './schemas/meter-data.js';

const BODY_TYPES = ['application/json', 'application/ies-meterdata+json', 'text/csv', ...CREDENTIAL_MEDIA_TYPES];

/** POST /v1/meter-data: a head-end's signed batch (IES MeterData v0.6 JSON or compact CSV), or a MeterDataCredential. */
export function meterDataRoutes(app: FastifyInstance, deps: SubmitDeps): void {
  app.register(async (scoped) => {
    // The signature covers the exact bytes, so the body stays a Buffer until it verified.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(BODY_TYPES, { parseAs: 'buffer', bodyLimit: deps.config.ingest.maxBodyBytes }, (_req, body, done) => done(null, body));
    scoped.post(
      '/v1/meter-data',
      {
        bodyLimit: deps.config.ingest.maxBodyBytes,
        schema: SUBMIT_METER_DATA,
      },
      async (req, reply) => {
        const outcome = await submitMeterBatch(deps, {
          body: req.body as Buffer,
          contentType: req.headers['content-type'] ?? '',
          signature: req.headers['x-ies-signature'] as string | undefined,
          tenant: req.headers['x-ies-tenant'] as string | undefined,
          request: { method: req.method, path: requestPath(req.url) },
        });
        return sendRecorded(reply, outcome);
      },
    );
  });
}
