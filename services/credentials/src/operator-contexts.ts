import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseStrictJson } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { CredentialContexts, isBundledContext, type OperatorContext } from './contexts.js';

/** The file in an operator's contexts directory that maps each context URL to its file. */
export const CONTEXTS_INDEX_FILE = 'index.json';
/** Larger than any published VC context by two orders of magnitude; a bigger file is a mistake. */
const MAX_CONTEXT_BYTES = 1024 * 1024;

/**
 * The contexts a node verifies credentials with: the bundled ones, plus those in the
 * operator's directory (IES_CREDENTIAL_CONTEXTS_DIR) when one is configured. The directory
 * holds `index.json`, `{ "<context URL>": "<file name>", … }`, and each file as published
 * (a JSON object with `@context`). Read once, at start: a missing index or file, a file that
 * is not JSON or not a context, a URL that is not absolute or that clashes with a bundled
 * context stops the start (IES_ERR_CONFIG_INVALID, every problem listed). Files the index
 * does not name are not read. Nothing is fetched.
 */
export function loadCredentialContexts(dir: string | undefined): CredentialContexts {
  if (dir === undefined) return CredentialContexts.BUNDLED;
  const problems: string[] = [];
  const indexPath = path.join(dir, CONTEXTS_INDEX_FILE);
  const index = readJson(indexPath, problems);
  if (index === undefined) throw invalid(dir, problems);
  if (index === null || typeof index !== 'object' || Array.isArray(index) || Object.keys(index).length === 0) {
    throw invalid(dir, [`${indexPath} must be a non-empty JSON object { "<context URL>": "<file name>", … }`]);
  }
  const loaded: OperatorContext[] = [];
  for (const [url, file] of Object.entries(index as Record<string, unknown>)) {
    const where = `${indexPath} entry ${JSON.stringify(url)}`;
    if (!isAbsoluteUrl(url)) problems.push(`${where}: the key must be the absolute URL credentials name in @context`);
    else if (isBundledContext(url)) problems.push(`${where}: the node bundles this context; an operator may not replace it`);
    if (typeof file !== 'string' || !/^[A-Za-z0-9._-]+$/.test(file) || file === '.' || file === '..' || file === CONTEXTS_INDEX_FILE) {
      problems.push(`${where}: the value must be the name of a file in ${dir} (letters, digits, . _ -)`);
      continue;
    }
    const filePath = path.join(dir, file);
    const document = readJson(filePath, problems);
    if (document === undefined) continue;
    if (!isContextDocument(document)) {
      problems.push(`${filePath} (for ${url}) is JSON but not a JSON-LD context: a JSON object whose "@context" is an object, an array or a URL`);
      continue;
    }
    loaded.push({ url, file: filePath, document });
  }
  if (problems.length > 0) throw invalid(dir, problems);
  return new CredentialContexts(loaded);
}

function readJson(file: string, problems: string[]): unknown {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_CONTEXT_BYTES) {
      problems.push(`${file} is ${size} bytes, more than the ${MAX_CONTEXT_BYTES} a context may have`);
      return undefined;
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`cannot read ${file}: ${(err as Error).message}`);
    return undefined;
  }
  try {
    return parseStrictJson(text);
  } catch (err) {
    problems.push(`${file} is not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

function isAbsoluteUrl(url: string): boolean {
  if (/\s/.test(url)) return false;
  try {
    return new URL(url).protocol.length > 1;
  } catch {
    return false;
  }
}

function isContextDocument(doc: unknown): doc is object {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  const context = (doc as Record<string, unknown>)['@context'];
  return typeof context === 'string' || Array.isArray(context) || (context !== null && typeof context === 'object');
}

function invalid(dir: string, problems: string[]): IesError {
  return new IesError('IES_ERR_CONFIG_INVALID', `IES_CREDENTIAL_CONTEXTS_DIR=${dir}: ${problems.join('; ')}`, { details: { problems } });
}
