/** The shape of the runtime configuration: what loadConfig returns, frozen. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The whole runtime configuration, read once from the environment and frozen. */
export interface Config {
  readonly nodeId: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    /** Replication factor for topics the project creates (3 on a 3-broker cluster). */
    readonly replicationFactor: number;
    /** The principal this process authenticates as; undefined when none was named (no Kafka client can be made). */
    readonly sasl: KafkaSasl | undefined;
  };
  readonly registry: { readonly url: string };
  readonly clickhouse: {
    readonly url: string;
    readonly database: string;
    readonly username: string;
    readonly password: string;
  };
  readonly redis: {
    readonly url: string;
    /** AUTH password ('' = none): IES_REDIS_PASSWORD, else the URL's, else `<secretsDir>/redis.password`. */
    readonly password: string;
  };
  /** Where the local stack's credentials are (IES_SECRETS_DIR, default `$IES_STACK_DIR/secrets` or `.stack/secrets`). */
  readonly secretsDir: string;
  readonly dr: {
    /** An event is measured once its window closed this long ago (reads arrive after the fact). */
    readonly performanceGraceMs: number;
    /** How often open events are (re)measured; late reads produce a new version. */
    readonly sweepIntervalMs: number;
    /** The node's private key (JWK file, created on first start) that signs webhook deliveries. */
    readonly webhookKeyFile: string;
    /** Accept loopback webhooks, and http:// ones on 127.0.0.1/localhost (local stack and demo only). */
    readonly allowLoopbackWebhooks: boolean;
    /** Non-public networks (CIDR) webhooks may still be delivered to; by default public addresses only. */
    readonly webhookAllowedNetworks: readonly string[];
    /** Kafka consumer credentials issued to aggregators (docs/dr.md "Kafka credentials"). */
    readonly kafkaCredentials: KafkaCredentialSettings;
    /** The bullmq queue of webhook and OpenADR callback deliveries (undefined: the webhooks service's default). */
    readonly webhookQueue: string | undefined;
    /** The OpenADR MQTT notifier binding's broker, run by the DR service (docs/openadr.md "MQTT"). */
    readonly mqtt: {
      /** Where the broker listens; port 0 = no broker in this process. */
      readonly host: string;
      readonly port: number;
      /** What GET /openadr/3.1/notifiers advertises (empty: no MQTT binding). */
      readonly uris: readonly string[];
    };
  };
  readonly notary: {
    /** Directory of per-tenant notary key files `<discom>.jwks.json` (private; created on first start). */
    readonly keysDir: string;
    /**
     * Log origin prefix: a tenant's log is `<originPrefix>/<discom>` (C2SP checkpoint origin and
     * note key name). Default: the node's public URL without scheme + `/logs`, the prefix its
     * tiled logs are served under (c2sp.org/tlog-tiles), e.g. `127.0.0.1:8080/logs`.
     */
    readonly originPrefix: string;
    /** Minimum time between two checkpoints while batches arrive. */
    readonly checkpointIntervalMs: number;
    /**
     * Witnesses the notary pushes each tenant's new checkpoints to (c2sp.org/tlog-witness):
     * the witness's submission prefix, its cosignature/v1 vkey, and the tenants it witnesses
     * (all hosted tenants when absent).
     */
    readonly witnesses: readonly NotaryWitness[];
    /** Cosignatures a checkpoint needs to count as witnessed (capped by the tenant's witnesses). */
    readonly witnessQuorum: number;
    /**
     * Also sign each checkpoint with ML-DSA-44 (FIPS 204, c2sp.org/tlog-cosignature type 0x06),
     * beside Ed25519: keys in `<keysDir>/<discom>.mldsa44.json`, created on first start.
     */
    /**
     * Share (0–100) of the batch roots the gateway carried that the notary's re-checker
     * (`ies-notary-recheck`) recomputes from the reads, chosen at random per batch.
     */
    readonly recheckPercent: number;
    /** The scheduling priority (nice, 0–19) the re-checker lowers itself to, so it yields CPU to ingest. */
    readonly recheckNice: number;
    readonly mlDsa44: boolean;
    /**
     * The scheduling priority (nice, 0–19) the separate tile server (`ies-tiles`) lowers itself
     * to, so that on shared cores serving tiles yields CPU to ingest.
     */
    readonly tilesNice: number;
  };
  /** This node as a C2SP witness (c2sp.org/tlog-witness) of its peers' logs. */
  readonly witness: {
    /** The witness's cosigner name (a schemeless URL; key name of its cosignature/v1 lines). */
    readonly name: string;
    /** Directory of the witness key file `witness.jwks.json` (private; created on first start; newest key first). */
    readonly keysDir: string;
    /** Verifier keys (vkeys, type 0x01) of the logs it witnesses; a vkey's key name is the log's origin. */
    readonly logs: readonly string[];
  };
  readonly loader: {
    /**
     * INSERTs the loader runs at once. ClickHouse parses one INSERT on one core: one per core it
     * can give to inserts (bench:loader, ClickHouse on one core: 0.98–1.19 µs of its CPU per row
     * with one INSERT at a time, 1.10–1.45 with two; the day's split runs).
     */
    readonly insertsInFlight: number;
  };
  readonly settlement: {
    /** Directory of per-DISCOM settlement key files `<discom>.jwks.json` (private; created on first use). */
    readonly keysDir: string;
    /** Directory of the settlement policy packs (`*.json`); '' = the packs shipped in services/settlement/policies. */
    readonly policiesDir: string;
    /** A trade's side is allocated once its delivery window ended this long ago (reads arrive after the fact). */
    readonly reconcileGraceMs: number;
    /** How many IST days back the sweep recomputes trades, so late or revised reads reopen them. */
    readonly reconcileLookbackDays: number;
    /** How often the P2P reconciliation sweep runs. */
    readonly reconcileIntervalMs: number;
    /** Settlement endpoints of peer DISCOMs on other nodes (`POST <url>/v1/p2p/sides`), by DISCOM id. */
    readonly peerUrls: Readonly<Record<string, string>>;
    /**
     * How late a platform may lodge a trade it confirmed before delivery (0 = never: a trade's
     * window must start after the node's clock). Within it, the contract's own timestamp is
     * the time the window and cancellations are judged at; the signature must still be fresh.
     */
    readonly tradeBackfillMs: number;
    /** A day's statement is first built once the IST day ended this long ago (reconciliation and late reads settle first). */
    readonly statementGraceMs: number;
    /** How many IST days back statements are re-evaluated, so late data yields a DRAFT update or a revision. */
    readonly statementWindowDays: number;
    /** How often each DISCOM's statement sweep (a bullmq repeatable job) runs. */
    readonly statementIntervalMs: number;
  };
  readonly console: {
    /** One-time sign-in links (`ies console --as`): local stack and demo only, refused unless the node listens on loopback. */
    readonly signInLinks: boolean;
  };
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** The node's public base URL (IES_PUBLIC_URL, default `http://<host>:<port>`): where others reach its routes. */
    readonly publicUrl: string;
    /** The whole request (headers and body) must arrive within this; then 408 and the connection is closed. */
    readonly requestTimeoutMs: number;
    /** The request line and headers must arrive within this (at most requestTimeoutMs). */
    readonly headersTimeoutMs: number;
    /** A connection with no traffic either way for this long is closed. */
    readonly connectionTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    readonly keepAliveTimeoutMs: number;
  };
  /** DISCOMs this node serves (its tenants). */
  readonly tenants: readonly string[];
  readonly auth: {
    /** Allowed distance between a signature's `iat` and the node clock, both ways. */
    readonly maxSkewSeconds: number;
    /** JWKS file holding the node operator's public key(s); they sign registry documents. */
    readonly operatorJwksFile: string;
  };
  readonly credentials: {
    /**
     * A directory of JSON-LD contexts the operator supplies for MeterDataCredentials
     * (IES_CREDENTIAL_CONTEXTS_DIR; undefined = the bundled contexts only): `index.json` maps
     * each context URL to a file beside it. The gateway, the notary and the loader read it at
     * start (@ies/credentials loadCredentialContexts); docs/ingest.md section 5.
     */
    readonly contextsDir: string | undefined;
  };
  readonly ingest: {
    readonly maxReadsPerBatch: number;
    readonly maxBodyBytes: number;
    /** How long a batch id is remembered for replay detection. */
    readonly idempotencyTtlSeconds: number;
    /** How long an accepted write may wait for Kafka's acknowledgement before answering 503. */
    readonly kafkaAckTimeoutMs: number;
    /** How long a claimed batch id stays PENDING when its Kafka write is uncertain; longer than any send can take. */
    readonly pendingTtlSeconds: number;
    /**
     * New batches get 503 + Retry-After while the notary's oldest batch without a receipt has
     * waited longer than its checkpoint interval plus this (default 500 ms; 0 = off).
     */
    readonly maxNotaryLagMs: number;
    /**
     * Compact CSV batches of plain rows that all pass VEE are normalised into columns and
     * written to Avro without an object per read (default true; false = every batch the
     * general way, same bytes: services/gateway/README.md, "Compact CSV fast path").
     */
    readonly compactFastPath: boolean;
    /**
     * IES_INGEST_COALESCE_SENDS: batch records of concurrent requests go to Kafka in one produce
     * request per event-loop turn (default true; false = one request per batch:
     * services/gateway/src/ingest/coalesced-send.ts).
     */
    readonly coalesceSends: boolean;
  };
}

export interface KafkaCredentialSettings {
  /**
   * The Kafka principal that creates the aggregators' SCRAM users and ACLs (ALTER on the
   * cluster, which Kafka gives super-users in practice: see docs/security.md); undefined =
   * the node issues no credentials (IES_DR_KAFKA_ISSUER unset).
   */
  readonly issuer: { readonly username: string; readonly password: string } | undefined;
  /** Lifetime of a credential when the request names none, and the most it may ask for. */
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  /** What the aggregator is told to connect to (the addresses it reaches, which may differ from the node's). */
  readonly bootstrapServers: readonly string[];
  readonly schemaRegistryUrl: string;
  /** How often expired credentials are deleted (SCRAM user and ACLs). */
  readonly sweepIntervalMs: number;
}

export interface KafkaSasl {
  readonly mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  readonly username: string;
  readonly password: string;
  /** Where the password came from (env name or file path), for error messages; never the secret. */
  readonly passwordFrom: string;
}

export interface LoadConfigOptions {
  /**
   * The Kafka principal this process is (`notary`, `gateway`, …, `admin` for provisioning):
   * its password is read from `<secretsDir>/kafka/<principal>.password` unless
   * IES_KAFKA_PASSWORD or IES_KAFKA_PASSWORD_FILE says otherwise. IES_KAFKA_USERNAME, when
   * set, replaces it (a process deployed under another user name).
   */
  readonly principal?: string;
}

/** One witness of the notary's logs (IES_NOTARY_WITNESSES). */
export interface NotaryWitness {
  readonly url: string;
  readonly vkey: string;
  readonly tenants?: readonly string[];
}
