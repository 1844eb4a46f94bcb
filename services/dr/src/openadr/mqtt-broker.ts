import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { LogSink } from '@ies/kafka';
import type { Redis } from '@ies/redis';
import type { AccessTokens } from './access-token.js';
import { MQTT_CHANNEL } from './mqtt-channel.js';
import { maySubscribe } from './mqtt-topics.js';
import type { MqttMessage } from './object-change.js';

export interface MqttBrokerOptions {
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  tokens: AccessTokens;
  /** A Redis connection of its own: it is put in subscriber mode on MQTT_CHANNEL. */
  subscriber: Redis;
  now: () => number;
  log: LogSink;
}

export interface MqttBroker {
  readonly port: number;
  close(): Promise<void>;
}

interface Holder {
  discomId: string;
  participantId: string;
  bl: boolean;
}

const refusal = (message: string, returnCode: number): AuthenticateError => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

/**
 * The OpenADR 3.1 MQTT notifier binding's broker (aedes), run by the DR service. A client
 * connects with its client id as username and one of its OAuth access tokens
 * (/openadr/3.1/auth/token) as password: the spec's OAUTH2_BEARER_TOKEN method. The token is
 * checked like on every VTN request, and the connection is closed when the token expires
 * (a VEN reconnects with a fresh one; a revoked client secret gets none). A VEN may subscribe
 * only under its own topic tree, the BL under its tenant's; no client may publish: the
 * messages come from the node (MQTT_CHANNEL), as notification JSON, QoS 0, not retained.
 */
export async function startMqttBroker(o: MqttBrokerOptions): Promise<MqttBroker> {
  const holders = new WeakMap<Client, Holder>();
  const timers = new Set<NodeJS.Timeout>();
  const broker = await Aedes.createBroker({
    drainTimeout: 30_000,
    authenticate: (client, username, password, done) => {
      void (async () => {
        if (username === undefined || password === undefined) return done(refusal('username (your client id) and password (an access token) are required', 4), false);
        let claims;
        try {
          claims = await o.tokens.verify(`Bearer ${password.toString('utf8')}`, o.now());
        } catch {
          return done(refusal('the password is not a valid access token of this node', 4), false);
        }
        if (username !== `${claims.discomId}/${claims.participantId}`) return done(refusal('the username must be the client id the access token was issued to', 4), false);
        holders.set(client, { discomId: claims.discomId, participantId: claims.participantId, bl: claims.scopes.includes('read_bl') || claims.scopes.includes('read_all') });
        if (claims.expiresAtMs !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            client.close();
          }, Math.max(0, claims.expiresAtMs - o.now()));
          timer.unref();
          timers.add(timer);
        }
        done(null, true);
      })().catch((err: unknown) => {
        o.log.warn({ err }, 'MQTT authentication failed');
        done(refusal('authentication is unavailable; retry', 3), false);
      });
    },
    authorizeSubscribe: (client, subscription, done) => {
      const holder = holders.get(client);
      // A refused filter is granted 0x80 (failure) in SUBACK; the connection stays.
      done(null, holder !== undefined && maySubscribe(holder, subscription.topic) ? subscription : null);
    },
    authorizePublish: (_client, packet, done) => done(new Error(`clients do not publish here (${packet.topic})`)),
  });
  await o.subscriber.subscribe(MQTT_CHANNEL);
  o.subscriber.on('message', (channel: string, text: string) => {
    if (channel !== MQTT_CHANNEL) return;
    let messages: MqttMessage[];
    try {
      messages = JSON.parse(text) as MqttMessage[];
    } catch (err) {
      o.log.error({ err }, 'MQTT notification on the Redis channel is not JSON; dropped');
      return;
    }
    for (const m of messages) {
      broker.publish({ cmd: 'publish', topic: m.topic, payload: Buffer.from(JSON.stringify(m.payload)), qos: 0, retain: false, dup: false }, (err) => {
        if (err) o.log.warn({ err, topic: m.topic }, 'MQTT notification not published');
      });
    }
  });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const t of timers) clearTimeout(t);
      await o.subscriber.unsubscribe(MQTT_CHANNEL).catch(() => undefined);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
