import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseVerifierKey } from '@ies/verify';
import { NotaryKeyFile } from './keys.js';

test('every published verifier key is a note key (type byte 0x01), the rotated ones too', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-notary-keys-'));
  const jwk = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  writeFileSync(path.join(dir, 'T-1.jwks.json'), JSON.stringify({ keys: [jwk(), jwk(), jwk()] }));
  const keys = await new NotaryKeyFile(dir, 'ies.local/T-1', 'T-1').current();
  assert.equal(keys.verifierKeys.length, 3);
  for (const vkey of keys.verifierKeys) {
    assert.equal(Buffer.from(vkey.split('+')[2] as string, 'base64')[0], 0x01, vkey);
    assert.equal(parseVerifierKey(vkey).name, 'ies.local/T-1');
  }
});
