import { IesError } from '@ies/errors';
import { normaliseCompactCsv } from './normalise-csv.js';
import { normaliseIesMeterData } from './normalise-ies.js';
import type { IngestContext, IngestResult } from './types.js';

/** The body formats a head-end batch may come in (Avro `BatchFormat`). */
export type BatchFormat = 'IES_METERDATA_V06' | 'COMPACT_CSV' | 'IES_METERDATA_VC';

/**
 * Normalises a batch body of either format. The gateway accepts batches with it and the
 * notary and loader re-run it on the signed body to check a record's reads, so both sides
 * apply exactly the same rules. `parseJson` is the JSON parser for IES MeterData bodies (the
 * strict one of @ies/crypto, which refuses a member named twice, on both sides).
 */
export function normaliseBatch(format: BatchFormat, body: Uint8Array, ctx: IngestContext, parseJson: (text: string) => unknown): IngestResult {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (format === 'COMPACT_CSV') return normaliseCompactCsv(text, ctx);
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (cause) {
    if (cause instanceof IesError) throw cause;
    throw new IesError('IES_ERR_VALIDATION', `body is not JSON: ${(cause as Error).message}`, { cause });
  }
  return normaliseIesMeterData(format === 'IES_METERDATA_VC' ? meterDataOf(doc) : doc, ctx);
}

/**
 * The IES MeterData v0.6 payload of a MeterDataCredential (`credentialSubject.meterData`: one
 * profile or an array of them). The credential's proof is checked before (@ies/credentials);
 * here it is only unwrapped, so the gateway, the notary and the loader read the same reads.
 */
function meterDataOf(credential: unknown): unknown {
  const subject = (credential as { credentialSubject?: { meterData?: unknown } } | null)?.credentialSubject;
  if (subject?.meterData === undefined) throw new IesError('IES_ERR_CREDENTIAL_INVALID', 'the credential has no credentialSubject.meterData');
  return subject.meterData;
}
