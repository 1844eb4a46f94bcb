import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/** The OpenADR 3.1 spec as this repository keeps it (services/dr/openadr/openadr3.yaml: the fixture plus discriminator mappings). */
export const OPENADR_SPEC_FILE = new URL('../../../openadr/openadr3.yaml', import.meta.url);

type Json = Record<string, unknown>;

/**
 * The spec's OpenAPI 3.0 schemas as JSON Schema. OpenAPI 3.0 discriminators are not JSON Schema: one with a mapping becomes "the object
 * whose objectType is K must match mapping[K]" (if/then), and the alternatives' anyOf/oneOf
 * is dropped (the mapping already says which applies).
 */
function withDiscriminators(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withDiscriminators);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = withDiscriminators(v);
  // OpenAPI 3.0's boolean exclusiveMaximum/Minimum qualify maximum/minimum; JSON Schema's are numbers.
  for (const [flag, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] === true) out[flag] = out[bound];
    else delete out[flag];
    if (out[flag] !== undefined) delete out[bound];
  }
  const d = out.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
  if (d !== undefined) {
    delete out.discriminator;
    if (d.mapping) {
      delete out.anyOf;
      delete out.oneOf;
      const keys = Object.keys(d.mapping);
      out.required = [...new Set([...((out.required as string[] | undefined) ?? []), d.propertyName])];
      out.properties = { ...((out.properties as Json | undefined) ?? {}), [d.propertyName]: { enum: keys } };
      out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), ...keys.map((key) => ({ if: { properties: { [d.propertyName]: { const: key } } }, then: { $ref: d.mapping![key] } }))];
    }
  }
  return out;
}

export interface OpenAdrValidator {
  /** Null when `value` is valid against components.schemas[name], else Ajv's errors as text. */
  check(name: string, value: unknown): string | null;
  /** The same for an array of them (the list responses). */
  checkList(name: string, value: unknown): string | null;
}

/** Validates values against the spec's components.schemas (Ajv, formats checked, nullable honoured). */
export function openAdrValidator(file: URL = OPENADR_SPEC_FILE): OpenAdrValidator {
  const spec = parse(readFileSync(file, 'utf8')) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const f of ['int32', 'float']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'openadr3', components: withDiscriminators(spec.components) } as Json);
  const cache = new Map<string, ValidateFunction>();
  const compiled = (ref: Json): ValidateFunction => {
    const key = JSON.stringify(ref);
    let v = cache.get(key);
    if (!v) cache.set(key, (v = ajv.compile(ref)));
    return v;
  };
  const run = (schema: Json, value: unknown) => {
    const v = compiled(schema);
    return v(value) ? null : ajv.errorsText(v.errors, { separator: '\n' });
  };
  return {
    check: (name, value) => run({ $ref: `openadr3#/components/schemas/${name}` }, value),
    checkList: (name, value) => run({ type: 'array', items: { $ref: `openadr3#/components/schemas/${name}` } }, value),
  };
}
