import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPrivateJwk, generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';

/**
 * Demo participants' keys on the local stack: `<keys dir>/participants/<DISCOM>/<id>.private.jwk.json`
 * (mode 600), beside the operator key the demo makes. The demo keeps its settlement desks
 * there and `ies console --as` signs the console's one-time links with them.
 */
export function participantKeyFile(keysDir: string, discomId: string, participantId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(discomId) || !/^[A-Za-z0-9._:-]+$/.test(participantId)) throw new Error(`${discomId}/${participantId} is not a DISCOM id and participant id`);
  return path.join(keysDir, 'participants', discomId, `${participantId}.private.jwk.json`);
}

export async function loadParticipantKey(file: string): Promise<Pick<KeyPair, 'kid' | 'alg' | 'privateKey'> | undefined> {
  if (!existsSync(file)) return undefined;
  return importPrivateJwk(JSON.parse(await readFile(file, 'utf8')));
}

export async function saveParticipantKey(file: string, key: KeyPair): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(await exportPrivateJwk(key), null, 2)}\n`, { mode: 0o600 });
}

/**
 * A new key for a participant, registered with the node by an operator-signed registry
 * document (as the demo registers its desks) and saved under the keys directory.
 */
export async function registerParticipantKey(o: { gatewayUrl: string; operatorKeyFile: string; keysDir: string; discomId: string; participantId: string; role: string; name: string }): Promise<KeyPair> {
  const key = await generateSigningKey('EdDSA');
  const operator = await importPrivateJwk(JSON.parse(await readFile(o.operatorKeyFile, 'utf8')));
  const body = Buffer.from(`discom: ${o.discomId}\nparticipants:\n  - id: ${o.participantId}\n    role: ${o.role}\n    name: ${o.name}\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `DEMO-PARTICIPANT-${randomUUID()}`, htm: 'POST', htu: '/v1/registry', tenant: o.discomId });
  const res = await fetch(`${o.gatewayUrl}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  if (!res.ok) throw new Error(`registering ${o.participantId} of ${o.discomId} failed: ${res.status} ${await res.text()}`);
  await saveParticipantKey(participantKeyFile(o.keysDir, o.discomId, o.participantId), key);
  return key;
}
