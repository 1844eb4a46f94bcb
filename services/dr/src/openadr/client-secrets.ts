import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from '@ies/redis';

/**
 * OAuth2 client secrets of OpenADR clients (RFC 6749 §2.3.1), issued by the DISCOM for one
 * of its participants. A secret is 32 random bytes (base64url) shown once; only its SHA-256
 * is kept: a fast hash is enough for a 256-bit random secret (nothing to guess or brute-force
 * from a dictionary), unlike a password. A new secret replaces the previous one.
 */
export class ClientSecrets {
  constructor(private readonly redis: Redis) {}

  private key(discomId: string, participantId: string): string {
    return `ies:${discomId}:openadr:client:${participantId}`;
  }

  /** A fresh secret for the participant; the previous one stops working. */
  async issue(discomId: string, participantId: string, by: string, nowMs: number): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(discomId, participantId), JSON.stringify({ sha256: sha256(secret), issuedAt: nowMs, by }));
    return secret;
  }

  async matches(discomId: string, participantId: string, secret: string): Promise<boolean> {
    const raw = await this.redis.get(this.key(discomId, participantId));
    if (raw === null) return false;
    const stored = Buffer.from((JSON.parse(raw) as { sha256: string }).sha256, 'hex');
    const given = Buffer.from(sha256(secret), 'hex');
    return stored.length === given.length && timingSafeEqual(stored, given);
  }

  async revoke(discomId: string, participantId: string): Promise<void> {
    await this.redis.del(this.key(discomId, participantId));
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
