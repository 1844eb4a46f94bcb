export { canonicalJson, canonicalJsonBytes, type JsonValue } from './canonical-json.js';
export { exportPrivateJwk, importPrivateJwk, generateSigningKey, signDetached, verifyDetached, SIGNING_ALGORITHMS, type DetachedHeader, type KeyPair, type KeyResolver, type SigningAlgorithm } from './detached-jws.js';
