import { parseStrictJson } from '@ies/crypto';
import { IesError } from '@ies/errors';

/** A signed body as JSON; a member named twice is refused (IES_ERR_DUPLICATE_KEY), never last-one-wins. */
export function parseSignedJson(body: Buffer): unknown {
  try {
    return parseStrictJson(body.toString('utf8'));
  } catch (cause) {
    if (cause instanceof IesError) throw cause;
    throw new IesError('IES_ERR_VALIDATION', `the body is not JSON: ${(cause as Error).message}`, { cause });
  }
}
