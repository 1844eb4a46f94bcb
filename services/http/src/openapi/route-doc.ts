import type { FastifySchema } from 'fastify';

/**
 * How a route schema documents itself for the node's OpenAPI document (/openapi.json), which
 * the gateway generates with @fastify/swagger from every service plugin's route schemas. The
 * types live here so that a service's routes carry their own documentation.
 */

/** Security requirements of an operation (OpenAPI `security`). */
type Security = Record<string, string[]>[];
export const BEARER: Security = [{ bearer: [] }];
export const SIGNED: Security = [{ detachedJws: [] }];
/** An auditor adds the DISCOM's capability to its bearer token. */
export const BEARER_OR_CAPABILITY: Security = [{ bearer: [] }, { bearer: [], capability: [] }];

/**
 * A request body fastify does not parse (a signed write: the signature covers its exact
 * bytes, which stay a Buffer), keyed by media type. It is documented only: fastify ignores
 * the `rawBody` key, and the gateway's swagger transform shows it as the request body.
 */
export interface RawBody {
  description: string;
  content: Record<string, { schema: object }>;
}

/** A route schema as the services write it: fastify's keys plus OpenAPI's and `rawBody`. */
export type RouteDoc = FastifySchema & {
  summary: string;
  description?: string;
  tags?: string[];
  security?: Security;
  rawBody?: RawBody;
  response: Record<number, object>;
};

/** Types a route schema with the keys fastify leaves to @fastify/swagger. */
export const doc = (schema: RouteDoc): FastifySchema => schema;
