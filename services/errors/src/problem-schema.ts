import { ERROR_CODES } from './codes.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/** The `$id` under which an app registers {@link problemDetailsSchema} (`app.addSchema`). */
export const PROBLEM_SCHEMA_ID = 'ProblemDetails';

/**
 * JSON Schema of the RFC 9457 problem details every service answers with (see toProblem).
 * Open: a problem carries its code's extension members (`errors`, `problems`, `paths`,
 * `retryAfterSeconds`, …) beside the standard ones.
 */
export const problemDetailsSchema = {
  $id: PROBLEM_SCHEMA_ID,
  type: 'object',
  description: 'RFC 9457 problem details; `code` is a stable code of docs/errors.md',
  required: ['type', 'title', 'status', 'detail', 'code', 'retriable'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', description: 'urn:ies-backbone:error:<code>' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    retriable: { type: 'boolean', description: 'true: the same request may succeed later (honour Retry-After)' },
    instance: { type: 'string', description: 'The request path' },
  },
} as const;

/** What each status means for a client, as the description of its problem response. */
const MEANING: Readonly<Record<number, string>> = {
  400: 'The request is malformed or does not match its schema (IES_ERR_VALIDATION and others)',
  401: 'Missing, invalid, stale or unbound credential (signature or bearer token)',
  403: 'The credential is valid but its participant may not do this',
  404: 'No such resource visible to the caller',
  406: 'The Accept header names no representation this route serves',
  409: 'Conflicts with the current state or with an earlier request of the same jti',
  413: 'The body is larger than the route accepts',
  414: 'The URL (a path parameter) is longer than the node accepts',
  415: 'The Content-Type is not one the route accepts',
  422: 'Well-formed, but refused by a domain rule (the code names which)',
  503: 'A backing service (Kafka, Redis, ClickHouse) did not answer; retry after Retry-After',
};

/**
 * Problem responses for a route's schema (`schema.response`), one per status, each
 * `application/problem+json` referencing the registered {@link problemDetailsSchema}.
 */
export function problemResponses(...statuses: number[]): Record<number, object> {
  const out: Record<number, object> = {};
  for (const status of statuses) {
    out[status] = {
      description: MEANING[status] ?? 'Refused (problem details)',
      ...(status === 503 ? { headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait before retrying' } } } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${PROBLEM_SCHEMA_ID}#` } } },
    };
  }
  return out;
}
