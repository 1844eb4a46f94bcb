import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SignJWT } from 'jose';
import { loadConfig } from '@ies/config';
import { option, parseArgs } from './args.js';
import { loadParticipantKey, participantKeyFile, registerParticipantKey } from './demo-participants.js';

const USAGE = `usage: ies console --as DISCOM/PARTICIPANT [--url URL] [--role ROLE] [--page data|auditor|sign-in]

Prints a one-time link that opens the node's web console signed in as a participant of the
local stack or the demo. The command signs a bearer token (5 minutes, the longest the API
accepts) with the participant's key from IES_KEYS_DIR (default .stack/keys)/participants/ and
parks it on the node, which hands it out once, within 60 s, for the link's code (in the URL
fragment, which browsers never send to a server). The node must run with
IES_CONSOLE_SIGN_IN_LINKS=true (the demo does; refused unless it listens on loopback). A participant without a key there gets one,
registered with the node by the operator key of that directory (role --role, default DISCOM;
an already registered participant needs --role, so its role is never guessed).
Only for a node on this machine (127.0.0.1, localhost, ::1); a production node has no
sign-in of its own: a user brings a token signed by their registered key.
  --url   the node (default http://127.0.0.1:IES_HTTP_PORT, 8080)`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `ies console --as DEMO-DL/SETTLEMENT-DESK`: a one-time sign-in link for the local console. */
export async function runConsole(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseArgs(argv);
  const as = args.options.get('as');
  if (typeof as !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(as) || args.options.has('help')) {
    console.error(USAGE);
    return 2;
  }
  const [discomId, participantId] = as.split('/') as [string, string];
  const config = loadConfig(env);
  const url = new URL(option(args, 'url', `http://127.0.0.1:${config.http.port}`));
  if (!LOOPBACK.has(url.hostname)) {
    console.error(`ies console: ${url.host} is not this machine; the one-time link is for the local stack and the demo only`);
    return 2;
  }
  const keysDir = env.IES_KEYS_DIR ?? '.stack/keys';
  const file = participantKeyFile(keysDir, discomId, participantId);
  let key = await loadParticipantKey(file);
  if (!key) {
    // Registering re-states the participant's role: never guess it for one that exists.
    const role = args.options.get('role');
    if (role === undefined && (await isRegistered(url.origin, discomId, participantId))) {
      console.error(`ies console: ${participantId} of ${discomId} is registered but its key is not in ${file}; pass --role with its role to add a new key`);
      return 2;
    }
    key = await registerParticipantKey({
      gatewayUrl: url.origin, operatorKeyFile: path.join(keysDir, 'operator.private.jwk.json'), keysDir, discomId, participantId, role: typeof role === 'string' ? role : 'DISCOM', name: `${participantId} (console)`,
    });
  }
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(participantId).setAudience(config.nodeId).setJti(randomUUID()).setIssuedAt().setExpirationTime('300s').sign(key.privateKey);
  const page = option(args, 'page', 'data');
  const parked = await fetch(`${url.origin}/console/sign-in-links`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (parked.status === 404) {
    console.error(`ies console: ${url.origin} offers no sign-in links; the local stack's node and the demo turn them on with IES_CONSOLE_SIGN_IN_LINKS=true`);
    return 1;
  }
  if (parked.status !== 201) {
    console.error(`ies console: ${url.origin} refused the sign-in link: ${parked.status} ${await parked.text()}`);
    return 1;
  }
  const { code, expiresAt } = (await parked.json()) as { code: string; expiresAt: number };
  // Printed for the user to open, never logged: the fragment keeps it out of server logs.
  console.log(`${url.origin}/console/#code=${code}&go=${encodeURIComponent(page)}`);
  console.error(`ies console: a link for ${participantId} of ${discomId} (key ${key.kid} from ${file}); it works once, for ${Math.round((expiresAt - Date.now()) / 1000)} s`);
  return 0;
}

/** Whether the tenant's public JWKS lists a key of the participant. */
async function isRegistered(node: string, discomId: string, participantId: string): Promise<boolean> {
  const res = await fetch(`${node}/.well-known/jwks.json?discom=${encodeURIComponent(discomId)}`);
  if (!res.ok) throw new Error(`${node} does not host ${discomId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { keys: { participant?: string }[] }).keys.some((k) => k.participant === participantId);
}
