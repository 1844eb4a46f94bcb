export { canonicalJson, canonicalJsonBytes, type JsonValue } from './canonical-json.js';
export { parseStrictJson } from './strict-json.js';
export { Ed25519KeyFile, publicJwkOf, type Ed25519Keys } from './key-file.js';
export { checkRequestBinding, exportPrivateJwk, importPrivateJwk, generateSigningKey, signDetached, verifyDetached, SIGNING_ALGORITHMS, type DetachedHeader, type RequestBinding, type KeyPair, type KeyResolver, type SigningAlgorithm } from './detached-jws.js';
