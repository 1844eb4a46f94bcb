// Regenerates testdata/reference-vectors.json from the naive reference:
//   npm run build && node services/merkle/dist/src/gen-reference-vectors.js
import { writeFileSync } from 'node:fs';
import { RFC6962_SHA256 } from './domain/hasher.js';
import { buildReferenceVectors } from './domain/reference-vectors.js';

// Compiled to dist/src/, two levels below the package root.
const target = new URL('../../testdata/reference-vectors.json', import.meta.url);
const vectors = buildReferenceVectors(RFC6962_SHA256);
// One line per proof: arrays of "begin-end" labels are written inline.
const text = JSON.stringify(vectors, null, 1).replace(/\[\s*("\d+-\d+"(?:,\s*"\d+-\d+")*)\s*\]/g, (_, labels: string) => `[${labels.replace(/\s+/g, '')}]`);
writeFileSync(target, `${text}\n`);
console.log(`wrote ${target.pathname}: sizes 1..${vectors.inclusion.length}, ${Object.keys(vectors.subtrees).length} subtree hashes`);
