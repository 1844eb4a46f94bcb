import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { IssuedCredential } from '../kafka-credentials/issuer.js';

/** Where an aggregator's registry view is served (the credential's fulfillment:schemaRegistryUrl). */
export const SCHEMA_REGISTRY_VIEW_PREFIX = '/v1/dr/schema-registry';
/** A registry version's id never changes: cached for as long as the process lives (bounded by the subjects the feeds have). */
const MAX_CACHED = 10_000;
const HIDDEN = { schema: { hide: true } as FastifySchema };

export interface SchemaRegistryViewDeps {
  /** The credential an HTTP Basic username and password name, if live (KafkaCredentialIssuer.authenticate). */
  authenticate: ((username: string, password: string) => Promise<IssuedCredential | undefined>) | undefined;
  /** The node's own registry (ccompat base URL, credentials in its userinfo if any). */
  registryUrl: string;
}

/**
 * An aggregator's read-only view of the schema registry, in the Confluent REST shape its
 * Avro deserialiser speaks (`@kafkajs/confluent-schema-registry`, Confluent's own clients):
 * HTTP Basic with the Kafka credential's SASL username and password; it lists only the
 * TopicNameStrategy subjects of the credential's feed topics (`<feed topic>-value`), each
 * the subject of the tenant topic the feed copies (the feed carries that subject's schema
 * ids), and serves a schema by id only when it is a version of one of those. Everything
 * else is 403 (another aggregator's or tenant's subject) or 401 (no, expired or revoked
 * credential). Nothing can be written. The contract is the Confluent Schema Registry API,
 * so the routes are left out of /openapi.json (docs/topics.md).
 */
export function schemaRegistryViewRoutes(app: FastifyInstance, deps: SchemaRegistryViewDeps): void {
  const upstream = new URL(deps.registryUrl);
  const authorization = upstream.username === '' ? undefined : `Basic ${Buffer.from(`${decodeURIComponent(upstream.username)}:${decodeURIComponent(upstream.password)}`).toString('base64')}`;
  upstream.username = '';
  upstream.password = '';
  const base = upstream.toString().replace(/\/+$/, '');
  const ids = new Map<string, number>();

  const get = async (path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${base}${path}`, { headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json', ...(authorization ? { authorization } : {}) } });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const fail = (reply: FastifyReply, status: number, code: number, message: string) => reply.code(status).type('application/vnd.schemaregistry.v1+json').send({ error_code: code, message });
  /** The credential, or a 401 answered. */
  const credential = async (req: FastifyRequest, reply: FastifyReply): Promise<IssuedCredential | undefined> => {
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const decoded = basic ? Buffer.from(basic[1] as string, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const found = colon > 0 && deps.authenticate ? await deps.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1)) : undefined;
    if (!found) {
      void reply.header('www-authenticate', 'Basic realm="ies aggregator schema registry"');
      void fail(reply, 401, 40101, 'authenticate with your Kafka credential: HTTP Basic, fulfillment:saslUsername and fulfillment:saslPassword (live, not revoked)');
    }
    return found;
  };
  /** The credential's subjects: `<feed topic>-value` → the tenant topic's subject it stands for. */
  const subjectsOf = (c: IssuedCredential) => new Map(c.topics.map((t) => [`${t}-value`, `${t.replace(`.agg.${c.aggregatorId}.`, '.')}-value`]));
  const versionsOf = async (subject: string): Promise<number[]> => {
    const r = await get(`/subjects/${encodeURIComponent(subject)}/versions`);
    return r.status === 200 && Array.isArray(r.body) ? (r.body as number[]) : [];
  };
  const idOf = async (subject: string, version: number): Promise<number | undefined> => {
    const key = `${subject}\n${version}`;
    if (!ids.has(key)) {
      const r = await get(`/subjects/${encodeURIComponent(subject)}/versions/${version}`);
      if (r.status !== 200) return undefined;
      if (ids.size >= MAX_CACHED) ids.clear();
      ids.set(key, (r.body as { id: number }).id);
    }
    return ids.get(key);
  };

  void app.register(async (view) => {
    view.get('/subjects', HIDDEN, async (req, reply) => {
      const c = await credential(req, reply);
      if (c) return [...subjectsOf(c).keys()];
      return reply;
    });
    view.get('/subjects/:subject/versions', HIDDEN, async (req, reply) => {
      const c = await credential(req, reply);
      if (!c) return reply;
      const source = subjectsOf(c).get((req.params as { subject: string }).subject);
      if (source === undefined) return fail(reply, 403, 40301, 'this credential reads no topic of that subject');
      return versionsOf(source);
    });
    view.get('/subjects/:subject/versions/:version', HIDDEN, async (req, reply) => {
      const c = await credential(req, reply);
      if (!c) return reply;
      const { subject, version } = req.params as { subject: string; version: string };
      const source = subjectsOf(c).get(subject);
      if (source === undefined) return fail(reply, 403, 40301, 'this credential reads no topic of that subject');
      if (version !== 'latest' && !/^[1-9]\d{0,8}$/.test(version)) return fail(reply, 422, 42202, `version ${JSON.stringify(version.slice(0, 20))} must be a positive integer or latest`);
      const r = await get(`/subjects/${encodeURIComponent(source)}/versions/${version}`);
      if (r.status !== 200) return fail(reply, r.status === 404 ? 404 : 502, r.status === 404 ? 40402 : 50001, `no version ${version} of ${subject}`);
      return { ...(r.body as object), subject };
    });
    view.get('/schemas/ids/:id', HIDDEN, async (req, reply) => {
      const c = await credential(req, reply);
      if (!c) return reply;
      const id = Number((req.params as { id: string }).id);
      if (!Number.isSafeInteger(id) || id < 0) return fail(reply, 404, 40403, 'no such schema');
      // The id must be a version of one of the credential's subjects: a schema of another tenant's or aggregator's topic is not served.
      for (const source of subjectsOf(c).values()) {
        for (const v of await versionsOf(source)) {
          if ((await idOf(source, v)) !== id) continue;
          const r = await get(`/schemas/ids/${id}`);
          if (r.status === 200) return r.body;
        }
      }
      return fail(reply, 404, 40403, `schema ${id} is not one of this credential's subjects`);
    });
  }, { prefix: SCHEMA_REGISTRY_VIEW_PREFIX });
}
