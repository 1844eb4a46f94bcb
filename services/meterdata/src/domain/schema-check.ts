import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { IesError } from '@ies/errors';
import meterDataSchema from './schema.json' with { type: 'json' };
import { isDuration, isFullDate, parseOffsetTime } from './timestamps.js';

/**
 * schema.json refers to two Beckn schemas by URL (ServiceDeliveryPoint address and geo).
 * Nothing is fetched: they stand in as "any object", as the upstream validator does.
 */
const EXTERNAL_STAND_INS = [
  { $id: 'https://schema.nfh.global/Address/v2.0/attributes.yaml', $defs: {}, components: { schemas: { Address: { type: 'object' } } } },
  { $id: 'https://schema.nfh.global/GeoJSONGeometry/v2.0/attributes.yaml', $defs: {}, components: { schemas: { GeoJSONGeometry: { type: 'object' } } } },
];

const MAX_REPORTED_ERRORS = 5;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv2020({
    // schema.json carries annotations (x-standard, OpenAPI leftovers) strict mode would refuse.
    strict: false,
    allErrors: false,
    formats: {
      'date-time': (s: string) => parseOffsetTime(s) !== undefined,
      date: isFullDate,
      duration: isDuration,
    },
  });
  for (const schema of EXTERNAL_STAND_INS) ajv.addSchema(schema);
  compiled = ajv.compile(meterDataSchema);
  return compiled;
}

function depth(e: ErrorObject): number {
  return e.instancePath === '' ? 0 : e.instancePath.split('/').length;
}

/**
 * Throws IES_ERR_METERDATA_SCHEMA when the document does not match IES MeterData v0.6
 * schema.json. The deepest errors come first: with `oneOf` over profile shapes they name
 * the field at fault rather than the branch that was tried.
 */
export function assertMatchesSchema(document: unknown): void {
  const validate = validator();
  if (validate(document)) return;
  const seen = new Set<string>();
  const errors = [...(validate.errors ?? [])]
    .sort((a, b) => depth(b) - depth(a))
    .filter((e) => {
      const key = `${e.instancePath} ${e.message ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_REPORTED_ERRORS);
  const first = errors[0];
  const where = first === undefined ? 'the document' : first.instancePath || 'the document root';
  throw new IesError('IES_ERR_METERDATA_SCHEMA', `IES MeterData v0.6 schema: ${where} ${first?.message ?? 'is invalid'}`, {
    details: {
      errors: errors.map((e) => ({ instancePath: e.instancePath, schemaPath: e.schemaPath, keyword: e.keyword, message: e.message, params: e.params })),
    },
  });
}
