import { IesError } from '@ies/errors';

/**
 * JSON.parse that refuses an object naming the same member twice (after unescaping, so
 * "id" and "i\u0064" are the same name). JSON.parse keeps the last one silently, so a
 * signed body could show one value to a reviewer or another parser and a different one to
 * this node (RFC 8259 §4: names SHOULD be unique; RFC 7493 I-JSON: MUST). Syntax errors
 * are JSON.parse's own SyntaxError; a repeated name is IES_ERR_DUPLICATE_KEY with its path.
 */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new IesError('IES_ERR_DUPLICATE_KEY', `member ${JSON.stringify(duplicate.name)} appears twice in the object at ${duplicate.path}; a signed document must name each member once`, { details: { path: duplicate.path, member: duplicate.name } });
  }
  return value;
}

interface Frame {
  readonly names: Set<string> | undefined; // undefined for an array
  /** Member name (object) or element index (array) of the value being read; for the path. */
  at: string | number;
  expectName: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Walks text that JSON.parse has accepted and returns the first repeated member name.
 * Only strings and structure are looked at: numbers and literals cannot hold a name.
 */
function findDuplicateKey(text: string): { name: string; path: string } | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.names !== undefined && top.expectName) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.names.has(name)) return { name, path: pathOf(stack) };
        top.names.add(name);
        top.at = name;
        top.expectName = false;
      }
      i = end;
    } else if (ch === 0x7b /* { */) {
      stack.push({ names: new Set(), at: '', expectName: true });
    } else if (ch === 0x5b /* [ */) {
      stack.push({ names: undefined, at: 0, expectName: false });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1]!;
      if (top.names !== undefined) top.expectName = true;
      else top.at = (top.at as number) + 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
}

function pathOf(stack: readonly Frame[]): string {
  let path = '$';
  for (let k = 0; k < stack.length - 1; k++) {
    const at = stack[k]!.at;
    path += typeof at === 'number' ? `[${at}]` : /^[A-Za-z_$][\w$]*$/.test(at) ? `.${at}` : `[${JSON.stringify(at)}]`;
  }
  return path;
}
