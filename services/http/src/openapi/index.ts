export { BEARER, BEARER_OR_CAPABILITY, SIGNED, doc, type RawBody, type RouteDoc } from './route-doc.js';
export { ANY_OBJECT, BOOLEAN, INTEGER, READ_ERRORS, SIGNED_BODY_NOTE, SIGNED_WRITE_ERRORS, STRING, STRINGS, TEXT, open, pending } from './schema-parts.js';
