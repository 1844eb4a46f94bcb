import { readFile } from 'node:fs/promises';
import { parseCosignerKey, parseMlDsaKey, receiptFromJws, trustFromVerifierKeys, verifyTlogProof, verifyCheckpoint, verifyCheckpointConsistency, verifyReadProof, verifyReceipt, type ReadProofDocument, type ReceiptDocument, type TrustAnchors } from '@ies/verify';
import { parseArgs } from './args.js';
import { runVerifyStatement } from './verify-statement.js';

const USAGE = `usage: ies verify <what> FILE… --vkey KEY [--origin ORIGIN] [--witness KEY[,KEY…] | --witness-file FILE] [--quorum N]
                 [--mldsa-vkey KEY --signatures ed25519|ml-dsa-44|both|either]

  checkpoint FILE                 a signed checkpoint (GET /v1/log/checkpoint)
  receipt FILE                    a batch receipt (GET /v1/batches/{id}/receipt), or a bare receipt JWS
  proof FILE                      a read proof (GET /v1/reads/proof)
  tlog-proof FILE                 a c2sp.org/tlog-proof@v1 file of a batch or a read (.tlog-proof,
                                  GET /v1/batches/{id}/tlog-proof, GET /v1/reads/proof?format=tlog-proof)
  consistency OLD NEW PROOF       two checkpoints and GET /v1/log/consistency?first=…&second=…
  statement FILE --jwks FILE|URL [--checkpoints DIR --vkey KEY [--witness KEY[,KEY…] --quorum N]]
                                  a signed statement (GET /v1/statements/{id}, Accept: application/jose):
                                  signature by a SETTLEMENT key of the JWKS, canonical JSON, zero-sum,
                                  and each evidence checkpoint against the signed notes in DIR;
                                  with --witness, each also extended (the *.consistency.json proofs
                                  in DIR) by a checkpoint cosigned by --quorum of the witnesses

FILE may be - for standard input. --vkey is the notary's note verifier key (GET /v1/log/key,
best obtained out of band); --vkey-file reads one key per line. --witness names the witnesses'
cosignature/v1 verifier keys (GET /witness/vkey of each witness; --witness-file: one per line):
a checkpoint must then carry valid cosignatures by --quorum of them (default 1), and the output
names them; a receipt or read proof counts when its own checkpoint does, or when the witnessed
checkpoint it carries ("witnessed": {checkpoint, consistency}) does and is proven to extend it. --mldsa-vkey is the log's ML-DSA-44 key (GET
/v1/log/key?type=ml-dsa-44) and --signatures which of the log's lines a checkpoint must carry
(default ed25519; both or ml-dsa-44 ask for the post-quantum line). Nothing else is trusted or
fetched. Exit status: 0 verified, 1 not verified (the reason is printed), 2 usage.`;

/** `ies verify …`: offline verification with the notary's public key alone. */
export async function runVerify(argv: readonly string[], stdin: () => Promise<string> = readStdin): Promise<number> {
  const args = parseArgs(argv);
  const [what, ...files] = args.positional;
  const vkey = args.options.get('vkey');
  const vkeyFile = args.options.get('vkey-file');
  const keys = typeof vkey === 'string' ? [vkey] : typeof vkeyFile === 'string' ? (await readFile(vkeyFile, 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean) : [];
  const read = (f: string) => (f === '-' ? stdin() : readFile(f, 'utf8'));
  if (what === 'statement') return files.length === 1 ? runVerifyStatement(files[0], args.options, read, USAGE) : (console.error(USAGE), 2);
  const need = what === 'consistency' ? 3 : 1;
  if (!what || !['checkpoint', 'receipt', 'proof', 'tlog-proof', 'consistency'].includes(what) || files.length !== need || keys.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const origin = args.options.get('origin');
  let trust: TrustAnchors;
  try {
    trust = await trustFromVerifierKeys(keys, typeof origin === 'string' ? origin : undefined);
  } catch (err) {
    console.error(`ies verify: the verifier key is not usable: ${(err as Error).message}`);
    return 2;
  }
  const witnessOption = args.options.get('witness');
  const witnessFile = args.options.get('witness-file');
  const witnessKeys = typeof witnessOption === 'string' ? witnessOption.split(',') : typeof witnessFile === 'string' ? (await readFile(witnessFile, 'utf8')).split('\n') : [];
  const quorumOption = args.options.get('quorum');
  const quorum = typeof quorumOption === 'string' ? Number(quorumOption) : 1;
  if (witnessKeys.some((k) => k.trim()) || quorumOption !== undefined) {
    if (!Number.isSafeInteger(quorum) || quorum < 1 || typeof quorumOption === 'boolean') {
      console.error(`ies verify: --quorum must be a whole number ≥ 1\n${USAGE}`);
      return 2;
    }
    try {
      trust = { ...trust, witnesses: { keys: witnessKeys.map((k) => k.trim()).filter(Boolean).map((k) => parseCosignerKey(k)), quorum } };
    } catch (err) {
      console.error(`ies verify: a witness key is not usable: ${(err as Error).message}`);
      return 2;
    }
  }
  const mlDsaOption = args.options.get('mldsa-vkey');
  const signatures = args.options.get('signatures');
  if (signatures !== undefined && !['ed25519', 'ml-dsa-44', 'both', 'either'].includes(String(signatures))) {
    console.error(`ies verify: --signatures is ed25519, ml-dsa-44, both or either\n${USAGE}`);
    return 2;
  }
  if (typeof mlDsaOption === 'string' || signatures !== undefined) {
    try {
      const mlDsaKeys = typeof mlDsaOption === 'string' ? mlDsaOption.split(',').map((k) => parseMlDsaKey(k)) : [];
      trust = { ...trust, mlDsaKeys, logSignatures: (signatures as 'ed25519' | 'ml-dsa-44' | 'both' | 'either' | undefined) ?? 'both' };
    } catch (err) {
      console.error(`ies verify: the ML-DSA-44 key is not usable: ${(err as Error).message}`);
      return 2;
    }
  }
  const witnessed = (by: readonly string[]) => (trust.witnesses ? `; cosigned by ${by.length} witness(es): ${by.join(', ')}` : '');
  const texts = await Promise.all(files.map(read));
  const report = (ok: boolean, message: string) => {
    (ok ? console.log : console.error)(`${ok ? 'VERIFIED' : 'NOT VERIFIED'}: ${message}`);
    return ok ? 0 : 1;
  };
  switch (what) {
    case 'checkpoint': {
      const r = verifyCheckpoint(texts[0]!, trust);
      return r.ok ? report(true, `checkpoint of ${r.checkpoint.origin}, size ${r.checkpoint.size}, root ${Buffer.from(r.checkpoint.rootHash).toString('base64')}${witnessed(r.witnessedBy)}`) : report(false, `${r.code}: ${r.reason}`);
    }
    case 'receipt': {
      const doc = parseReceipt(texts[0]!);
      if (!doc) return report(false, 'MALFORMED: the file is neither a receipt document {"receipt","jws"} nor a compact JWS');
      const r = await verifyReceipt(doc, trust);
      return r.ok ? report(true, `batch ${doc.receipt.batchId} (${doc.receipt.readCount} reads, root ${doc.receipt.batchRoot}) is entry ${doc.receipt.logIndex} of ${r.checkpoint.origin} at size ${r.checkpoint.size}${witnessed(r.witnessedBy)}`) : report(false, `${r.code}: ${r.reason}`);
    }
    case 'proof': {
      const doc = parseJson<ReadProofDocument>(texts[0]!);
      if (!doc?.read || !doc.receipt) return report(false, 'MALFORMED: a read proof has read, indexInBatch, batchPath and receipt');
      const r = await verifyReadProof(doc, trust);
      return r.ok ? report(true, `read ${doc.read.meterId} ${String(doc.read.blockStart)} ${doc.read.channel} = ${doc.read.wh} Wh (${doc.read.validationStatus}) is leaf ${doc.indexInBatch} of batch ${doc.receipt.receipt.batchId}, entry ${doc.receipt.receipt.logIndex} of ${r.checkpoint.origin} at size ${r.checkpoint.size}${witnessed(r.witnessedBy)}`) : report(false, `${r.code}: ${r.reason}`);
    }
    case 'tlog-proof': {
      const r = verifyTlogProof(texts[0]!, trust);
      if (!r.ok) return report(false, `${r.code}: ${r.reason}`);
      const { entry, read } = r.proof.extra;
      const what = read ? `read ${read.meterId} ${String(read.blockStart)} ${read.channel} = ${read.wh} Wh, leaf ${r.proof.extra.indexInBatch} of batch ${entry.batchId},` : `batch ${entry.batchId} (${entry.readCount} reads, root ${entry.batchRoot})`;
      return report(true, `${what} is entry ${r.proof.index} of ${r.checkpoint.origin} at size ${r.checkpoint.size}${witnessed(r.witnessedBy)}`);
    }
    default: {
      const proof = parseJson<{ first: number; second: number; proof: string[] }>(texts[2]!);
      if (!Array.isArray(proof?.proof)) return report(false, 'MALFORMED: the proof file is {"first","second","proof":[…]}');
      const r = verifyCheckpointConsistency(texts[0]!, texts[1]!, proof.proof, trust);
      if (r.ok && (Math.min(r.first.size, r.second.size) !== proof.first || Math.max(r.first.size, r.second.size) !== proof.second)) return report(false, `MALFORMED: the proof is for sizes ${proof.first}→${proof.second}, the checkpoints are ${r.first.size} and ${r.second.size}`);
      return r.ok ? report(true, `the checkpoint of size ${Math.max(r.first.size, r.second.size)} extends the one of size ${Math.min(r.first.size, r.second.size)} (${r.first.origin})`) : report(false, `${r.code}: ${r.reason}`);
    }
  }
}

function parseReceipt(text: string): ReceiptDocument | undefined {
  const trimmed = text.trim();
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(trimmed)) return receiptFromJws(trimmed);
  const doc = parseJson<ReceiptDocument>(trimmed);
  return doc && typeof doc.jws === 'string' && typeof doc.receipt === 'object' ? doc : undefined;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
