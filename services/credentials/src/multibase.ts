const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Bitcoin base58 (the `z` multibase), as DID keys and Ed25519VerificationKey2020 write public keys. */
export function base58btc(bytes: Uint8Array): string {
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i += 1) {
      carry += (digits[i] as number) << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '';
  for (const byte of bytes) {
    if (byte !== 0) break;
    out += '1';
  }
  for (let i = digits.length - 1; i >= 0; i -= 1) out += BASE58_ALPHABET[digits[i] as number];
  return out;
}

/** The multicodec prefix of an Ed25519 public key (0xed, varint-encoded). */
const ED25519_PUB = [0xed, 0x01];

/**
 * The `publicKeyMultibase` of an Ed25519 JWK's `x` (base64url): `z` + base58btc(0xed01 ‖ key),
 * the form both Ed25519VerificationKey2020 and Multikey documents carry.
 */
export function ed25519PublicKeyMultibase(x: string): string {
  const raw = Buffer.from(x, 'base64url');
  if (raw.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return `z${base58btc(Uint8Array.from([...ED25519_PUB, ...raw]))}`;
}
