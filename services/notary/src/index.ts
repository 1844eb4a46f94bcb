export { canonicalReadBytes, canonicalReadJson, CANONICAL_READ_VERSION, type PublicRead } from './domain/canonical-read.js';
