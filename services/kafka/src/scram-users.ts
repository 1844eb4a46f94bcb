import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Socket, connect } from 'node:net';
import { IesError } from '@ies/errors';

/**
 * Creates and deletes SCRAM-SHA-512 users on the cluster with the AlterUserScramCredentials
 * request (KIP-554, API key 51), which kafkajs does not implement. One short connection per
 * call: SaslHandshake + SaslAuthenticate (RFC 5802 SCRAM as the calling principal), then the
 * request. The cluster requires ALTER on the CLUSTER resource for it (a super-user in
 * practice). Only the salted password travels; the clear one never leaves this process.
 */
export interface ScramAdminAuth {
  readonly brokers: readonly string[];
  readonly username: string;
  readonly password: string;
}

/** Kafka's ScramMechanism enum value for SCRAM-SHA-512. */
const SCRAM_SHA_512 = 2;
/** Kafka's minimum for SHA-512 is 4096 iterations. */
export const SCRAM_ITERATIONS = 8192;
const API = { saslHandshake: 17, saslAuthenticate: 36, alterUserScramCredentials: 51 } as const;
const RESOURCE_NOT_FOUND = 91;

/** Upserts the SCRAM-SHA-512 credential of `name` (creates the user). */
export async function upsertScramUser(auth: ScramAdminAuth, name: string, password: string): Promise<void> {
  const salt = randomBytes(32);
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, SCRAM_ITERATIONS, 64, 'sha512');
  await alterScram(auth, { upsert: { name, salt, salted } });
}

/** Deletes the SCRAM-SHA-512 credential of `name`; a user that does not exist is not an error. */
export async function deleteScramUser(auth: ScramAdminAuth, name: string): Promise<void> {
  await alterScram(auth, { remove: name });
}

async function alterScram(auth: ScramAdminAuth, change: { upsert?: { name: string; salt: Buffer; salted: Buffer }; remove?: string }): Promise<void> {
  const conn = await KafkaWire.open(auth.brokers);
  try {
    await conn.authenticate(auth.username, auth.password);
    const w = new Writer();
    w.uvarint(0); // header v2 tagged fields (this request is flexible from v0)
    w.uvarint(change.remove === undefined ? 1 : 2);
    if (change.remove !== undefined) {
      w.compactString(change.remove).int8(SCRAM_SHA_512).uvarint(0);
    }
    w.uvarint(change.upsert === undefined ? 1 : 2);
    if (change.upsert !== undefined) {
      w.compactString(change.upsert.name).int8(SCRAM_SHA_512).int32(SCRAM_ITERATIONS).compactBytes(change.upsert.salt).compactBytes(change.upsert.salted).uvarint(0);
    }
    w.uvarint(0);
    const r = await conn.request(API.alterUserScramCredentials, 0, w.bytes());
    r.uvarint(); // response header v1 tagged fields
    r.int32(); // throttle
    const n = r.uvarint() - 1;
    for (let i = 0; i < n; i++) {
      const user = r.compactString();
      const code = r.int16();
      const message = r.compactString();
      r.skipTags();
      if (code !== 0 && !(code === RESOURCE_NOT_FOUND && change.remove === user)) {
        throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka refused to alter the SCRAM credential of ${user}: error ${code} ${message ?? ''}`.trim(), { details: { kafkaErrorCode: code } });
      }
    }
  } finally {
    conn.close();
  }
}

/** The few Kafka wire requests this file needs, over one socket, one request at a time. */
class KafkaWire {
  private correlation = 0;
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const w = this.waiting;
        this.waiting = undefined;
        w?.(frame);
      }
    });
    socket.on('error', (err) => { this.failure = err; });
  }

  static async open(brokers: readonly string[]): Promise<KafkaWire> {
    let last: unknown;
    for (const b of brokers) {
      const [host, port] = [b.slice(0, b.lastIndexOf(':')), Number(b.slice(b.lastIndexOf(':') + 1))];
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ host, port }, () => resolve(s));
          s.once('error', reject);
          s.setTimeout(10_000, () => s.destroy(new Error(`no answer from ${b} in 10 s`)));
        });
        return new KafkaWire(socket);
      } catch (err) {
        last = err;
      }
    }
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `no Kafka broker of ${brokers.join(',')} accepted a connection: ${(last as Error)?.message}`, { cause: last });
  }

  async request(apiKey: number, version: number, body: Buffer): Promise<Reader> {
    const id = ++this.correlation;
    const header = new Writer().int16(apiKey).int16(version).int32(id).string('ies-scram-admin').bytes();
    const frame = Buffer.concat([header, body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length);
    const answer = new Promise<Buffer>((resolve, reject) => {
      this.waiting = resolve;
      this.socket.once('close', () => reject(this.failure ?? new Error('the broker closed the connection')));
    });
    this.socket.write(Buffer.concat([size, frame]));
    const r = new Reader(await answer);
    if (r.int32() !== id) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', 'Kafka answered another request (correlation id mismatch)');
    return r;
  }

  /** SASL/SCRAM-SHA-512 (RFC 5802 with RFC 7677's hash), Kafka's SaslHandshake v1 + SaslAuthenticate v1. */
  async authenticate(username: string, password: string): Promise<void> {
    const hs = await this.request(API.saslHandshake, 1, new Writer().string('SCRAM-SHA-512').bytes());
    const hsCode = hs.int16();
    if (hsCode !== 0) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka does not offer SCRAM-SHA-512 (SaslHandshake error ${hsCode})`);
    const nonce = randomBytes(24).toString('base64');
    const firstBare = `n=${username.replaceAll('=', '=3D').replaceAll(',', '=2C')},r=${nonce}`;
    const serverFirst = (await this.saslStep(`n,,${firstBare}`)).toString('utf8');
    const fields = Object.fromEntries(serverFirst.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)]));
    if (!fields.r?.startsWith(nonce) || !fields.s || !fields.i) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', 'Kafka sent a malformed SCRAM server-first message');
    const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(fields.s, 'base64'), Number(fields.i), 64, 'sha512');
    const clientKey = hmac(salted, 'Client Key');
    const finalBare = `c=biws,r=${fields.r}`;
    const authMessage = `${firstBare},${serverFirst},${finalBare}`;
    const signature = hmac(createHash('sha512').update(clientKey).digest(), authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number)));
    const serverFinal = (await this.saslStep(`${finalBare},p=${proof.toString('base64')}`)).toString('utf8');
    const expected = hmac(hmac(salted, 'Server Key'), authMessage);
    const got = Buffer.from(serverFinal.replace(/^v=/, ''), 'base64');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', 'Kafka did not prove it knows the SCRAM credential (server signature mismatch)');
  }

  private async saslStep(message: string): Promise<Buffer> {
    const r = await this.request(API.saslAuthenticate, 1, new Writer().bytesField(Buffer.from(message, 'utf8')).bytes());
    const code = r.int16();
    const error = r.string();
    if (code !== 0) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka refused the SCRAM authentication: error ${code} ${error ?? ''}`.trim(), { details: { kafkaErrorCode: code } });
    return r.bytesField();
  }

  close(): void {
    this.socket.destroy();
  }
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha512', key).update(text, 'utf8').digest();
}

class Writer {
  private readonly parts: Buffer[] = [];
  int8(n: number): this { const b = Buffer.alloc(1); b.writeInt8(n); this.parts.push(b); return this; }
  int16(n: number): this { const b = Buffer.alloc(2); b.writeInt16BE(n); this.parts.push(b); return this; }
  int32(n: number): this { const b = Buffer.alloc(4); b.writeInt32BE(n); this.parts.push(b); return this; }
  uvarint(n: number): this {
    const out: number[] = [];
    while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
    out.push(n);
    this.parts.push(Buffer.from(out));
    return this;
  }
  string(s: string): this { const b = Buffer.from(s, 'utf8'); return this.int16(b.length).raw(b); }
  bytesField(b: Buffer): this { return this.int32(b.length).raw(b); }
  compactString(s: string): this { const b = Buffer.from(s, 'utf8'); return this.uvarint(b.length + 1).raw(b); }
  compactBytes(b: Buffer): this { return this.uvarint(b.length + 1).raw(b); }
  raw(b: Buffer): this { this.parts.push(b); return this; }
  bytes(): Buffer { return Buffer.concat(this.parts); }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number { const v = this.buf.readInt16BE(this.at); this.at += 2; return v; }
  int32(): number { const v = this.buf.readInt32BE(this.at); this.at += 4; return v; }
  uvarint(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.buf[this.at++] as number;
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v >>> 0;
    }
  }
  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
  bytesField(): Buffer { const n = this.int32(); const b = this.buf.subarray(this.at, this.at + Math.max(0, n)); this.at += Math.max(0, n); return b; }
  compactString(): string | null {
    const n = this.uvarint() - 1;
    if (n < 0) return null;
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }
  skipTags(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) { this.uvarint(); this.at += this.uvarint(); }
  }
}
