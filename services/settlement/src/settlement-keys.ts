import type { JWK } from 'jose';
import { SETTLEMENT_KEY_ROLE } from '@ies/verify';
import { Ed25519KeyFile } from '@ies/crypto';
import type { Redis } from '@ies/redis';
import type { RegistryState } from '@ies/registry';

const publishedKey = (discomId: string) => `ies:${discomId}:settlement:keys`;

/**
 * The settlement keys of the DISCOMs this node hosts: one rotating Ed25519 key file per
 * DISCOM (`<keysDir>/<discom>.jwks.json`, created on first use). Their public JWKs are
 * published in Redis, from where the gateway lists them in /.well-known/jwks.json (role
 * SETTLEMENT) and any service of the node trusts them, without access to the key files.
 */
export class SettlementKeys {
  private readonly files = new Map<string, Ed25519KeyFile>();

  constructor(
    private readonly redis: Redis,
    private readonly keysDir: string,
  ) {}

  keyFile(discomId: string): Ed25519KeyFile {
    let file = this.files.get(discomId);
    if (!file) {
      file = new Ed25519KeyFile(this.keysDir, discomId);
      this.files.set(discomId, file);
    }
    return file;
  }

  /** Publishes the DISCOM's public settlement JWKs (newest first); run on start and each sweep, so a rotation shows up. */
  async publish(discomId: string): Promise<readonly JWK[]> {
    const { jwks } = await this.keyFile(discomId).current();
    await this.redis.set(publishedKey(discomId), JSON.stringify(jwks));
    return jwks;
  }
}

/** The public settlement JWKs a hosted DISCOM published (undefined before its settlement service first started). */
export async function publishedSettlementKeys(redis: Redis, discomId: string): Promise<JWK[] | undefined> {
  const raw = await redis.get(publishedKey(discomId));
  return raw === null ? undefined : (JSON.parse(raw) as JWK[]);
}

/** The DISCOM's settlement keys as its JWKS lists them: tagged `ies:role` SETTLEMENT, which a statement verifier requires. */
export async function settlementJwksEntries(redis: Redis, discomId: string): Promise<JWK[]> {
  return ((await publishedSettlementKeys(redis, discomId)) ?? []).map((k) => ({ ...k, 'ies:role': SETTLEMENT_KEY_ROLE }));
}

/**
 * The keys `receiver` trusts for side allocations signed by `sender`:
 * - a DISCOM hosted on this node: the keys it published here;
 * - a peer DISCOM on another node: the ACTIVE keys of the participant `sender` with role
 *   PEER_DISCOM in the receiver's registry (a role that can do nothing else) (the operator registers the peer's published
 *   SETTLEMENT keys there; rotation and revocation go through the registry like any key).
 */
export async function trustedSettlementKeys(redis: Redis, registry: RegistryState | undefined, hosted: readonly string[], receiver: string, sender: string): Promise<JWK[]> {
  if (hosted.includes(sender)) return (await publishedSettlementKeys(redis, sender)) ?? [];
  if (!registry || registry.participant(receiver, sender)?.role !== 'PEER_DISCOM') return [];
  return registry.jwks(receiver).keys.filter((k) => k.participant === sender && k.status === 'ACTIVE').map(({ status: _s, participant: _p, ...jwk }) => jwk as JWK);
}
