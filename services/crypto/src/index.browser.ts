// What a browser bundle (the console's in-browser verifier, through @ies/verify) takes from
// this package: canonical and strict JSON. Key files and signing stay in Node
// (package.json "exports", condition "browser").
export { canonicalJson, canonicalJsonBytes, type JsonValue } from './canonical-json.js';
export { parseStrictJson } from './strict-json.js';
