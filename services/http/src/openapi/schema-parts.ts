/** Building blocks of the services' route schemas (documentation; see ./route-doc.ts). */

/** An object whose listed members are described; others may appear (bodies are never filtered). */
export function open(properties: Record<string, object>, required: string[] = [], description?: string): object {
  return { type: 'object', ...(description ? { description } : {}), ...(required.length > 0 ? { required } : {}), additionalProperties: true, properties };
}

export const STRING = { type: 'string' } as const;
export const INTEGER = { type: 'integer' } as const;
export const BOOLEAN = { type: 'boolean' } as const;
export const STRINGS = { type: 'array', items: STRING } as const;
export const ANY_OBJECT = { type: 'object', additionalProperties: true } as const;
export const TEXT = (description: string) => ({ description, content: { 'text/plain': { schema: STRING } } });

/** 202: accepted, the answer is not ready yet (Retry-After says when to ask again). */
export function pending(description: string, properties: Record<string, object>, required: string[]): object {
  return { description, headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait before asking again' } }, ...open(properties, required) };
}

/** A JSON or YAML value sent as the raw, signed bytes of a write. */
export const SIGNED_BODY_NOTE = 'The exact bytes are covered by the X-IES-Signature; they are parsed only after the signature verified.';

/** Statuses every signed write (detached JWS) can answer besides its own. */
export const SIGNED_WRITE_ERRORS = [400, 401, 403, 409, 413, 415, 503] as const;
/** Statuses every bearer-token read can answer besides its own. */
export const READ_ERRORS = [401, 403, 503] as const;
