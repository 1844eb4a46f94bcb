/**
 * The one registry of error codes. Codes are wire contracts: never rename one without a
 * migration note in docs/errors.md. Every code here must be documented there (a test
 * checks it).
 */
export interface ErrorSpec {
  /** HTTP status used when the error reaches an API client. */
  readonly status: number;
  /** Short, stable human title (RFC 9457 `title`). */
  readonly title: string;
  /** True when the same call may succeed later unchanged (retry), false for dead-letter. */
  readonly retriable: boolean;
}

export const ERROR_CODES = {
  IES_ERR_CONFIG_INVALID: { status: 500, title: 'Invalid configuration', retriable: false },
  IES_ERR_INTERNAL: { status: 500, title: 'Internal error', retriable: false },
  IES_ERR_VALIDATION: { status: 400, title: 'Request does not match its schema', retriable: false },
  IES_ERR_PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large', retriable: false },
  IES_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type', retriable: false },
  IES_ERR_NOT_FOUND: { status: 404, title: 'Resource not found', retriable: false },
  IES_ERR_DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A backing service is unavailable', retriable: true },
  IES_ERR_TENANT_INVALID: { status: 400, title: 'Invalid DISCOM (tenant) id', retriable: false },
  IES_ERR_SCHEMA_NOT_FOUND: { status: 500, title: 'Avro schema file missing', retriable: false },
  IES_ERR_SCHEMA_INCOMPATIBLE: { status: 409, title: 'Schema change is not backward compatible', retriable: false },
  IES_ERR_AVRO_ENCODE: { status: 400, title: 'Value does not match its Avro schema', retriable: false },
  IES_ERR_AVRO_DECODE: { status: 422, title: 'Record is not a registry-framed Avro value', retriable: false },
  IES_ERR_MIGRATION_CHANGED: { status: 500, title: 'An applied migration was edited', retriable: false },
  IES_ERR_MIGRATION_FAILED: { status: 500, title: 'A migration failed', retriable: false },
  IES_ERR_SIGNATURE_INVALID: { status: 401, title: 'Signature does not verify', retriable: false },
  IES_ERR_AUTH_MISSING: { status: 401, title: 'Signature or bearer token missing', retriable: false },
  IES_ERR_SIGNATURE_STALE: { status: 401, title: 'Signature iat outside the allowed clock skew', retriable: false },
  IES_ERR_KEY_REVOKED: { status: 401, title: 'Signing key revoked', retriable: false },
  IES_ERR_TOKEN_INVALID: { status: 401, title: 'Bearer token invalid or expired', retriable: false },
  IES_ERR_TENANT_FORBIDDEN: { status: 403, title: 'Key or participant belongs to another tenant', retriable: false },
  IES_ERR_REPLAY_CONFLICT: { status: 409, title: 'Message id reused with a different body', retriable: false },
  IES_ERR_REGISTRY_INVALID: { status: 400, title: 'Registry document invalid', retriable: false },
  // --- meter data and VEE (services/meterdata) ---
  IES_ERR_METERDATA_SCHEMA: { status: 422, title: 'Meter data does not match IES MeterData v0.6 schema.json', retriable: false },
  IES_ERR_METERDATA_DESCRIPTOR_MISSING: { status: 422, title: 'Meter data profile has no PayloadDescriptorProfile', retriable: false },
  IES_ERR_METERDATA_DESCRIPTOR_REF: { status: 422, title: 'Meter data refers to an unknown or missing descriptor set or sequence', retriable: false },
  IES_ERR_METERDATA_DESCRIPTOR_CONFLICT: { status: 422, title: 'Payload descriptor contradicts IES codes.json', retriable: false },
  IES_ERR_METERDATA_READING_TYPE_UNKNOWN: { status: 422, title: 'readingType is not in IES codes.json', retriable: false },
  IES_ERR_METERDATA_PROFILE_TYPE: { status: 422, title: 'readingType not permitted in this profile type', retriable: false },
  IES_ERR_METERDATA_ARITY: { status: 422, title: 'Compact payloads do not match their sequence', retriable: false },
  IES_ERR_METERDATA_INTERVAL_ORDER: { status: 422, title: 'Interval ids do not strictly increase', retriable: false },
  IES_ERR_METERDATA_CUMULATIVE_DECREASE: { status: 422, title: 'Cumulative register decreases or is negative', retriable: false },
  IES_ERR_METERDATA_USAGE_MISMATCH: { status: 422, title: 'Usage value is not closingValue minus openingValue', retriable: false },
  IES_ERR_METERDATA_RESOLUTION: { status: 422, title: 'Interval duration has no 15-minute conversion rule', retriable: false },
  IES_ERR_CSV_HEADER: { status: 422, title: 'CSV header is not the compact meter-data header', retriable: false },
  IES_ERR_VEE_MALFORMED: { status: 422, title: 'Read cannot be parsed', retriable: false },
  IES_ERR_VEE_UNKNOWN_METER: { status: 422, title: 'Read for a meter not in the registry', retriable: false },
  IES_ERR_VEE_FOREIGN_HEADEND: { status: 422, title: 'Meter registered to another head-end', retriable: false },
  IES_ERR_VEE_FOREIGN_METER: { status: 422, title: 'Read for a meter of another DISCOM', retriable: false },
  IES_ERR_VEE_BLOCK_MISALIGNED: { status: 422, title: 'Block start not on a 15-minute boundary', retriable: false },
  IES_ERR_VEE_FUTURE_BLOCK: { status: 422, title: 'Block ends after the node clock', retriable: false },
  IES_ERR_VEE_NEGATIVE: { status: 422, title: 'Negative energy', retriable: false },
  IES_ERR_VEE_IMPLAUSIBLE: { status: 422, title: 'Energy above the plausible maximum for the meter', retriable: false },
  IES_ERR_VEE_DUPLICATE: { status: 422, title: 'Same meter, block and channel twice in one batch', retriable: false },
  IES_ERR_DR_EVENT_INVALID: { status: 422, title: 'DR event request is invalid', retriable: false },
  IES_ERR_DR_POLICY_PACK_INVALID: { status: 422, title: 'Baseline policy pack is invalid', retriable: false },
  IES_ERR_DR_POLICY_UNKNOWN: { status: 422, title: 'Baseline methodology is not a loaded policy pack', retriable: false },
  IES_ERR_DR_INPUT_INVALID: { status: 422, title: 'Baseline or performance input is malformed', retriable: false },
  IES_ERR_DR_TRANSITION_INVALID: { status: 409, title: 'DR event lifecycle transition not allowed', retriable: false },
  IES_ERR_P2P_CONTRACT_INVALID: { status: 422, title: 'DEG message is not a P2P contract this node can read', retriable: false },
  IES_ERR_P2P_ACTION_UNSUPPORTED: { status: 422, title: 'DEG action is not confirm, on_confirm or update', retriable: false },
  IES_ERR_P2P_PLATFORM_UNKNOWN: { status: 422, title: 'Trading platform not in the registry', retriable: false },
  IES_ERR_P2P_PLATFORM_NOT_PARTY: { status: 403, title: 'Signing platform is not a platform of the contract', retriable: false },
  IES_ERR_P2P_METER_MISSING: { status: 422, title: 'Contract names no single meter for the buyer or the seller', retriable: false },
  IES_ERR_P2P_METER_UNKNOWN: { status: 422, title: 'Meter not in the registry and not resolvable to a peer DISCOM', retriable: false },
  IES_ERR_P2P_SAME_METER: { status: 422, title: 'Buyer meter and seller meter are the same', retriable: false },
  IES_ERR_P2P_DISCOM_MISMATCH: { status: 422, title: 'Contract names a DISCOM other than the meter’s registered DISCOM', retriable: false },
  IES_ERR_P2P_TENANT_NOT_PARTY: { status: 403, title: 'Neither meter of the trade belongs to this DISCOM', retriable: false },
  IES_ERR_P2P_UNIT_UNSUPPORTED: { status: 422, title: 'Quantity not in kWh or price not in INR', retriable: false },
  IES_ERR_P2P_VALUE_INVALID: { status: 422, title: 'Price or quantity not a non-negative decimal within paise or Wh precision', retriable: false },
  IES_ERR_P2P_INTERVAL_MISALIGNED: { status: 422, title: 'Interval start or duration not on the 15-minute grid', retriable: false },
  IES_ERR_P2P_INTERVAL_GAP: { status: 422, title: 'Gap between consecutive trade intervals', retriable: false },
  IES_ERR_P2P_INTERVAL_OVERLAP: { status: 422, title: 'Trade intervals overlap', retriable: false },
  IES_ERR_P2P_DUPLICATE: { status: 422, title: 'Same commitment or interval id twice in one message', retriable: false },
  IES_ERR_P2P_WINDOW_PAST: { status: 422, title: 'Delivery window (or the changed part of it) has already started', retriable: false },
  IES_ERR_P2P_TRADE_CONFLICT: { status: 409, title: 'Trade id already confirmed with different content', retriable: false },
  IES_ERR_P2P_TRADE_UNKNOWN: { status: 404, title: 'Update for a trade this node does not hold', retriable: false },
  IES_ERR_P2P_UPDATE_INVALID: { status: 422, title: 'Update changes parties, prices or the interval grid, or raises a quantity', retriable: false },
  IES_ERR_P2P_TRADE_TRANSITION: { status: 409, title: 'Trade lifecycle transition not allowed', retriable: false },
  IES_ERR_P2P_SIDE_INVALID: { status: 422, title: 'Side allocation message malformed or inconsistent with the trade', retriable: false },
  IES_ERR_P2P_SIDES_MISMATCH: { status: 422, title: 'Seller and buyer side allocations do not describe the same trade intervals', retriable: false },
  IES_ERR_POLICY_PACK_INVALID: { status: 422, title: 'Settlement policy pack invalid', retriable: false },
  IES_ERR_POLICY_NOT_EFFECTIVE: { status: 404, title: 'No policy pack of the DISCOM is effective on the settlement day', retriable: false },
  IES_ERR_STATEMENT_INPUT_INVALID: { status: 422, title: 'Statement inputs inconsistent', retriable: false },
  IES_ERR_STATEMENT_NOT_BALANCED: { status: 500, title: 'Statement flows do not sum to zero', retriable: false },
  IES_ERR_STATEMENT_REVISION_INVALID: { status: 409, title: 'Revision does not continue the statement it claims to revise', retriable: false },
  IES_ERR_STATEMENT_INTERDISCOM_MISMATCH: { status: 409, title: 'Two DISCOMs’ statements disagree on their mutual position', retriable: false },
  IES_ERR_STATEMENT_TRANSITION: { status: 409, title: 'Statement lifecycle transition not allowed', retriable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
