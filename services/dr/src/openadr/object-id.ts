import { createHash } from 'node:crypto';

/** The 3.1 spec's `objectID`: URL-safe, 1–128 characters. */
const OBJECT_ID = /^[a-zA-Z0-9_-]{1,128}$/;

/**
 * The OpenADR object id of one of our ids. Our ids are opaque strings of up to 128
 * characters (dots, colons, DIDs…), OpenADR ids are `[a-zA-Z0-9_-]{1,128}`: an id that
 * already fits is used as it is (so a VEN sees the programme and event ids the DISCOM
 * uses), any other becomes `h-` and 43 base64url characters of SHA-256(kind, id).
 * Lookups compare projected ids, so nothing maps back.
 */
export function objectId(kind: 'program' | 'event' | 'ven' | 'resource' | 'report', id: string): string {
  if (OBJECT_ID.test(id) && !id.startsWith('h-')) return id;
  return `h-${createHash('sha256').update(`${kind}\n${id}`).digest('base64url')}`;
}

/** True when `id` is a usable OpenADR object id (path parameters, query filters). */
export function isObjectId(id: string): boolean {
  return OBJECT_ID.test(id);
}
