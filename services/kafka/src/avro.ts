import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { valueSubject, type TopicSpec } from '@ies/contracts';
import { IesError } from '@ies/errors';

/** schemas-avro/ at the repository root (this file is services/kafka/dist/src/avro.js). */
export const DEFAULT_SCHEMAS_DIR = fileURLToPath(new URL('../../../../schemas-avro/', import.meta.url));

/**
 * A reader schema for one topic that keeps only some of its fields (`AvroSerde.readerOf`).
 * Decoding with it resolves each writer schema to it once (Avro schema resolution): the
 * writer's other fields are skipped, never built into objects.
 */
export interface AvroReader {
  readonly topic: string;
  readonly fields: readonly string[];
  readonly type: avro.Type;
  readonly resolvers: Map<number, avro.Resolver>;
}

export interface AvroSerdeOptions {
  registryUrl: string;
  schemasDir?: string;
}

/**
 * Avro values in the Confluent wire format (magic 0, 4-byte schema id, Avro body) over a
 * Confluent-compatible registry. Schemas come from schemas-avro/ and are registered under
 * TopicNameStrategy subjects with BACKWARD compatibility; the registry refuses a change
 * that would break existing readers.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly schemasDir: string;
  private readonly ids = new Map<string, Promise<number>>();
  /** Registry id → its schema's fingerprint (writerSchemaOf): a registered id's schema never changes. */
  private readonly fingerprints = new Map<number, string>();

  constructor(options: AvroSerdeOptions) {
    this.registry = new SchemaRegistry({ host: options.registryUrl, retry: { retries: 3 } });
    this.schemasDir = options.schemasDir ?? DEFAULT_SCHEMAS_DIR;
  }

  /** Reads an .avsc file from the schemas folder. */
  async loadSchema(file: string): Promise<string> {
    try {
      return await readFile(path.join(this.schemasDir, file), 'utf8');
    } catch (cause) {
      throw new IesError('IES_ERR_SCHEMA_NOT_FOUND', `Avro schema ${file} not found in ${this.schemasDir}`, { cause });
    }
  }

  /** Registers (or finds) the topic's value schema for `discom`; returns its registry id. */
  async registerTopic(discom: string, topic: TopicSpec): Promise<number> {
    if (topic.valueSchema === undefined) throw new IesError('IES_ERR_SCHEMA_NOT_FOUND', `topic ${topic.name} has no Avro value schema`);
    const subject = valueSubject(discom, topic);
    // One registration per subject, shared by concurrent callers: parallel first
    // registrations race on the subject's compatibility rule in the registry.
    let id = this.ids.get(subject);
    if (id === undefined) {
      const schemaFile = topic.valueSchema;
      id = this.loadSchema(schemaFile).then((text) => this.registerSchema(subject, text));
      this.ids.set(subject, id);
      id.catch(() => this.ids.delete(subject));
    }
    return id;
  }

  /**
   * Registers a schema text under a subject, mapping a compatibility refusal to a stable code.
   * Processes registering a new subject at once race on the subject's compatibility rule in
   * the registry (Apicurio answers the losers 409 "A rule named 'COMPATIBILITY' already
   * exists", or the client finds the rule not set yet): that is not a refusal of the schema,
   * so the registration is tried again.
   */
  async registerSchema(subject: string, schemaText: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.registerOnce(subject, schemaText);
      } catch (err) {
        if (!(err instanceof IesError && isRuleRace(err.cause)) || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  private async registerOnce(subject: string, schemaText: string): Promise<number> {
    try {
      const { id } = await this.registry.register({ type: SchemaType.AVRO, schema: schemaText }, { subject });
      return id;
    } catch (cause) {
      const status = (cause as { status?: number }).status;
      if (status === 409) {
        throw new IesError('IES_ERR_SCHEMA_INCOMPATIBLE', `schema for ${subject} is not BACKWARD compatible with the registered versions: ${(cause as Error).message}`, { cause });
      }
      if (status === undefined || status >= 500) {
        throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `schema registry failed for ${subject}: ${(cause as Error).message}`, { cause });
      }
      throw cause;
    }
  }

  /** Encodes `value` with the topic's registered schema; names the offending field on error. */
  async encode(discom: string, topic: TopicSpec, value: unknown): Promise<Buffer> {
    const id = await this.registerTopic(discom, topic);
    try {
      // avsc validates while writing; the paths are only collected when that fails.
      return await this.registry.encode(id, value);
    } catch (cause) {
      const paths = (cause as { paths?: string[][] }).paths;
      if (paths === undefined) throw cause;
      throw encodeError(topic, paths.map((p) => p.join('.') || '(root)'), cause);
    }
  }

  /**
   * A synchronous `encode` for one topic of one tenant: the schema is registered (or looked up)
   * once here, and each value is then framed and written without a promise, byte for byte as
   * `encode` writes it (magic byte 0, the 4-byte schema id, the Avro body).
   */
  async encoderOf(discom: string, topic: TopicSpec): Promise<(value: unknown) => Buffer> {
    const id = await this.registerTopic(discom, topic);
    const type = (await this.registry.getSchema(id)) as unknown as avro.Type;
    const frame = Buffer.alloc(5);
    frame.writeInt32BE(id, 1);
    return (value) => {
      let body: Buffer;
      try {
        body = type.toBuffer(value);
      } catch (cause) {
        const paths: string[] = [];
        type.isValid(value, { errorHook: (p) => paths.push(p.join('.') || '(root)') });
        throw encodeError(topic, paths, cause);
      }
      return Buffer.concat([frame, body]);
    };
  }

  /**
   * The registry id and the Parsing Canonical Form fingerprint (SHA-256, hex) of the schema
   * `encode` writes `topic`'s values of `discom` with: for an encoder that writes a topic's
   * bytes itself (the gateway's compact-CSV batches), which must check it writes that schema.
   */
  async writerSchemaOf(discom: string, topic: TopicSpec): Promise<{ id: number; fingerprint: string }> {
    const id = await this.registerTopic(discom, topic);
    let fingerprint = this.fingerprints.get(id);
    if (fingerprint === undefined) {
      fingerprint = schemaFingerprint((await this.registry.getSchema(id)) as unknown as avro.Type);
      this.fingerprints.set(id, fingerprint);
    }
    return { id, fingerprint };
  }

  /** Decodes a registry-framed value (the schema is fetched by id and cached). */
  async decode<T = unknown>(buffer: Buffer): Promise<T> {
    checkFrame(buffer);
    try {
      return (await this.registry.decode(buffer)) as T;
    } catch (cause) {
      throw decodeError(cause);
    }
  }

  /**
   * A reader of `topic`'s values that keeps only `fields` of its schema (schemas-avro/), in
   * their order, the rest dropped. Every field it keeps must be in the writer's schema or have
   * a default (a field added later reads as its default from older records).
   */
  async readerOf(topic: TopicSpec, fields: readonly string[]): Promise<AvroReader> {
    if (topic.valueSchema === undefined) throw new IesError('IES_ERR_SCHEMA_NOT_FOUND', `topic ${topic.name} has no Avro value schema`);
    const full = JSON.parse(await this.loadSchema(topic.valueSchema)) as { fields: { name: string }[] };
    const kept = full.fields.filter((f) => fields.includes(f.name));
    const missing = fields.filter((name) => !kept.some((f) => f.name === name));
    if (missing.length > 0) throw new IesError('IES_ERR_SCHEMA_NOT_FOUND', `${topic.valueSchema} has no field ${missing.join(', ')}`);
    return { topic: topic.name, fields: [...fields], type: avro.Type.forSchema({ ...full, fields: kept } as avro.Schema), resolvers: new Map() };
  }

  /** Decodes a registry-framed value into `reader`'s fields only (see readerOf). */
  async decodeWith<T = unknown>(buffer: Buffer, reader: AvroReader): Promise<T> {
    checkFrame(buffer);
    const id = buffer.readInt32BE(1);
    try {
      let resolver = reader.resolvers.get(id);
      if (resolver === undefined) {
        const writer = (await this.registry.getSchema(id)) as unknown as avro.Type;
        resolver = reader.type.createResolver(writer);
        reader.resolvers.set(id, resolver);
      }
      return reader.type.fromBuffer(buffer.subarray(5), resolver) as T;
    } catch (cause) {
      throw decodeError(cause);
    }
  }
}

/** A value that does not fit its topic's schema, naming the first paths that do not. */
function encodeError(topic: TopicSpec, paths: readonly string[], cause: unknown): IesError {
  return new IesError('IES_ERR_AVRO_ENCODE', `value for ${topic.name} does not match its Avro schema at ${paths.slice(0, 5).join(', ')}`, { cause, details: { paths: paths.slice(0, 20) } });
}

function checkFrame(buffer: Buffer): void {
  if (buffer.length < 5 || buffer[0] !== 0) {
    throw new IesError('IES_ERR_AVRO_DECODE', `record of ${buffer.length} bytes does not start with the Confluent magic byte 0 and a schema id`);
  }
}

/** A failed decode: retriable when the registry did not answer (the record may be fine), else the record's fault. */
function decodeError(cause: unknown): IesError {
  if (cause instanceof IesError) return cause;
  const status = (cause as { status?: number }).status;
  const code = (cause as { code?: string; cause?: { code?: string } }).code ?? (cause as { cause?: { code?: string } }).cause?.code;
  const registryDown = (status !== undefined && status >= 500) || (code !== undefined && /^(ECONN|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|UND_ERR)/.test(code)) || /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|fetch failed|socket hang up|timeout/i.test((cause as Error).message);
  // (mappersmith reports a refused connection as "status 400: connect ECONNREFUSED …", hence the message test.)
  if (registryDown) return new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `schema registry failed while decoding: ${(cause as Error).message}`, { cause });
  return new IesError('IES_ERR_AVRO_DECODE', `record cannot be decoded: ${(cause as Error).message}`, { cause });
}

/**
 * The two faces of a first-registration race: the registry's 409 for a rule another
 * registration created a moment earlier, and the client library finding the subject's rule
 * not set yet ("BACKWARD != NONE") because the winner has not set it.
 */
function isRuleRace(cause: unknown): boolean {
  const e = cause as { status?: number; name?: string; message?: string } | undefined;
  if (e?.status === 409 && /rule named '?COMPATIBILITY'? already exists/i.test(e.message ?? '')) return true;
  return e?.name === 'ConfluentSchemaRegistryCompatibilityError' && /!= NONE\)?$/.test(e.message ?? '');
}

/** A schema's Parsing Canonical Form fingerprint (SHA-256, hex): equal for equal schemas whatever their docs, defaults and spacing. */
export function schemaFingerprint(type: avro.Type): string {
  return type.fingerprint('sha256').toString('hex');
}

/**
 * An encoder of `topic`'s schema file (schemas-avro/) framed with `schemaId`, without a
 * registry: the bytes `AvroSerde.encode` writes when the registry holds that file's schema
 * under that id, and its decoder. For tests of encoders that write a topic's bytes themselves.
 */
export async function fileEncoderOf(topic: TopicSpec, schemaId: number, schemasDir: string = DEFAULT_SCHEMAS_DIR): Promise<{ encode: (value: unknown) => Buffer; decode: (framed: Buffer) => unknown; fingerprint: string }> {
  if (topic.valueSchema === undefined) throw new IesError('IES_ERR_SCHEMA_NOT_FOUND', `topic ${topic.name} has no Avro value schema`);
  const type = avro.Type.forSchema(JSON.parse(await readFile(path.join(schemasDir, topic.valueSchema), 'utf8')) as avro.Schema);
  const frame = Buffer.alloc(5);
  frame.writeInt32BE(schemaId, 1);
  return { encode: (value) => Buffer.concat([frame, type.toBuffer(value)]), decode: (framed) => type.fromBuffer(framed.subarray(5)), fingerprint: schemaFingerprint(type) };
}
