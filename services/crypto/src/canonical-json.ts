/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the values this project signs: objects,
 * arrays, strings, booleans, null and numbers. Members are sorted by UTF-16 code units
 * (what `Array.prototype.sort` does on strings), strings are escaped as ECMAScript
 * `JSON.stringify` escapes them (RFC 8785 §3.2.2.2 adopts exactly that), and numbers use
 * the ECMAScript shortest round-trip form (§3.2.2.3). Money and energy are integers here,
 * so in practice numbers are plain decimal integers; a non-finite number or an undefined
 * member is refused rather than silently dropped as JSON.stringify would.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  return serialise(value, '$');
}

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

function serialise(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} cannot be canonicalised (RFC 8785 forbids NaN and Infinity)`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v, i) => serialise(v, `${path}[${i}]`)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${serialise(record[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be canonicalised`);
  }
}
