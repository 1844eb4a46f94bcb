import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateSigningKey, parseStrictJson, signDetached, type KeyPair } from '@ies/crypto';
import { CSV_HEADER, compactCsvColumns, normaliseBatch, type RejectedRead } from '@ies/meterdata';
import { parseRegistryDocument } from './model.js';
import { sha256Hex } from './signed-document.js';
import { RegistryState } from './state.js';
import { BatchVerifier, ingestContextFor, readsDifference, sameColumns, verifyMeterBatch, type MeterBatchRecord, type RecordReadColumns } from './verify-batch.js';

const T = 'VB-DL';
const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const RECEIVED = Date.UTC(2026, 10, 21, 4, 0);
const REGISTERED_AT = Date.UTC(2026, 10, 1);

interface Fixture {
  registry: RegistryState;
  he1: KeyPair;
  he2: KeyPair;
  agg: KeyPair;
}

let cached: Promise<Fixture> | undefined;
function fixture(): Promise<Fixture> {
  cached ??= (async () => {
    const [he1, he2, agg] = await Promise.all([generateSigningKey(), generateSigningKey('ES256'), generateSigningKey()]);
    const registry = new RegistryState();
    const doc = {
      discom: T,
      participants: [
        { id: 'HE-1', role: 'HEADEND', keys: [he1.publicJwk] },
        { id: 'HE-2', role: 'HEADEND', keys: [he2.publicJwk] },
        { id: 'AGG-1', role: 'AGGREGATOR', keys: [agg.publicJwk] },
      ],
      // 5 kW sanctioned: at most 5000 W × 0.25 h × 1.5 = 1875 Wh per block.
      meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }, { id: 'M-2', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }],
    };
    for (const e of parseRegistryDocument(JSON.stringify(doc), REGISTERED_AT)) registry.apply(e);
    return { registry, he1, he2, agg };
  })();
  return cached;
}

const CSV = `${CSV_HEADER}\nM-1,${new Date(BLOCK).toISOString()},420,,VALID\nM-2,${new Date(BLOCK).toISOString()},300,12,VALID\nM-2,${new Date(BLOCK + 900_000).toISOString()},-5,,VALID\n`;

/** A record exactly as the gateway writes it for `csv` signed by `key` as `headEndId`. */
async function record(registry: RegistryState, key: KeyPair, o: { headEndId?: string; jti?: string; iat?: number; csv?: string; receivedAt?: number; htm?: string } = {}): Promise<Omit<MeterBatchRecord, 'rejected'> & { rejected: RejectedRead[] }> {
  const headEndId = o.headEndId ?? 'HE-1';
  const jti = o.jti ?? 'B-1';
  const receivedAt = o.receivedAt ?? RECEIVED;
  const body = Buffer.from(o.csv ?? CSV);
  const signature = await signDetached(body, key, { iat: o.iat ?? Math.floor(receivedAt / 1000), jti, htm: o.htm ?? 'POST', htu: '/v1/meter-data', tenant: T });
  const { reads, rejected } = normaliseBatch('COMPACT_CSV', body, ingestContextFor(registry, T, headEndId, receivedAt), parseStrictJson);
  return { batchId: `${headEndId}:${jti}`, discomId: T, headEndId, receivedAt, format: 'COMPACT_CSV', bodySha256: sha256Hex(body), signature, body, reads, rejected };
}

/** `reads` as a wire decoder gives them: meter ids as UTF-8 in one buffer, enums as symbol indexes. */
function columnsOf(reads: MeterBatchRecord['reads']): RecordReadColumns {
  const channelSymbols = ['IMPORT', 'EXPORT'];
  const statusSymbols = ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED'];
  const sourceSymbols = ['MDM', 'METER', 'HES'];
  const ids = reads.map((x) => Buffer.from(`#${x.meterId}`));
  const starts = ids.map((_, i) => ids.slice(0, i).reduce((n, b) => n + b.length, 0) + 1);
  return {
    count: reads.length,
    bytes: Buffer.concat(ids),
    meterAt: Uint32Array.from(starts),
    meterLength: Uint32Array.from(ids.map((b) => b.length - 1)),
    blockStart: Float64Array.from(reads.map((x) => x.blockStart)),
    wh: Float64Array.from(reads.map((x) => x.wh)),
    channel: Uint8Array.from(reads.map((x) => channelSymbols.indexOf(x.channel))),
    status: Uint8Array.from(reads.map((x) => statusSymbols.indexOf(x.validationStatus))),
    source: Uint8Array.from(reads.map((x) => sourceSymbols.indexOf(x.source))),
    channelSymbols,
    statusSymbols,
    sourceSymbols,
  };
}

async function refusal(r: MeterBatchRecord, registry: RegistryState, tenant = T) {
  const v = await verifyMeterBatch(r, tenant, registry);
  assert.equal(v.ok, false, 'the record must be refused');
  return v as Extract<typeof v, { ok: false }>;
}

test('a record as the gateway writes it verifies', async () => {
  const { registry, he1 } = await fixture();
  const r = await record(registry, he1);
  assert.equal(r.reads.length, 3);
  assert.equal(r.rejected?.length, 1, 'the negative read was rejected by VEE');
  const v = await verifyMeterBatch(r, T, registry);
  assert.deepEqual(v, { ok: true, kid: he1.kid, iat: Math.floor(RECEIVED / 1000) });
});

test('reads changed after signing (424,242 Wh, far over the plausibility limit) are refused', async () => {
  const { registry, he1 } = await fixture();
  const r = await record(registry, he1);
  const forged = { ...r, reads: r.reads.map((x, i) => (i === 0 ? { ...x, wh: 424_242 } : x)) };
  const v = await refusal(forged, registry);
  assert.equal(v.code, 'IES_ERR_BATCH_READS_MISMATCH');
  assert.match(v.message, /424242 Wh/);
  // Also a read dropped, a read added, a rejected read moved among the accepted ones.
  assert.equal((await refusal({ ...r, reads: r.reads.slice(1) }, registry)).code, 'IES_ERR_BATCH_READS_MISMATCH');
  assert.equal((await refusal({ ...r, reads: [...r.reads, { ...r.reads[0]!, blockStart: BLOCK + 1_800_000 }] }, registry)).code, 'IES_ERR_BATCH_READS_MISMATCH');
  assert.equal((await refusal({ ...r, rejected: [] }, registry)).code, 'IES_ERR_BATCH_READS_MISMATCH');
});

test('a body whose reads the gateway would have refused as implausible cannot be carried as accepted', async () => {
  const { registry, he1 } = await fixture();
  const csv = `${CSV_HEADER}\nM-1,${new Date(BLOCK).toISOString()},424242,,VALID\n`;
  const r = await record(registry, he1, { csv });
  assert.deepEqual(r.reads, []);
  assert.equal(r.rejected?.[0]?.code, 'IES_ERR_VEE_IMPLAUSIBLE');
  const forged = { ...r, reads: [{ meterId: 'M-1', blockStart: BLOCK, channel: 'IMPORT' as const, wh: 424_242, validationStatus: 'VALID' as const, source: 'HES' as const }], rejected: [] };
  assert.equal((await refusal(forged, registry)).code, 'IES_ERR_BATCH_READS_MISMATCH');
});

test('the not-in-future rule is decided at receivedAt, not at verification time', async () => {
  const { registry, he1 } = await fixture();
  // Accepted at 18:40 UTC, the block of 18:30 had not ended: the gateway rejected it.
  const early = await record(registry, he1, { receivedAt: BLOCK + 600_000 });
  assert.ok(early.rejected?.some((x) => x.code === 'IES_ERR_VEE_FUTURE_BLOCK'));
  assert.equal((await verifyMeterBatch(early, T, registry)).ok, true);
  // Claiming a later receivedAt to slip the read in changes what the body gives.
  assert.equal((await refusal({ ...early, receivedAt: RECEIVED }, registry)).code, 'IES_ERR_BATCH_READS_MISMATCH');
});

test('a record on another tenant\'s topic, or signed by another tenant\'s key, is refused', async () => {
  const { registry, he1 } = await fixture();
  const r = await record(registry, he1);
  assert.equal((await refusal(r, registry, 'OTHER-DL')).code, 'IES_ERR_TENANT_FORBIDDEN');
  // OTHER-DL's head-end HE-1 signs a record that names this tenant.
  const key = await generateSigningKey();
  for (const e of parseRegistryDocument(JSON.stringify({ discom: 'OTHER-DL', participants: [{ id: 'HE-1', role: 'HEADEND', keys: [key.publicJwk] }] }), REGISTERED_AT)) registry.apply(e);
  assert.equal((await refusal(await record(registry, key), registry)).code, 'IES_ERR_TENANT_FORBIDDEN');
});

test('the body must hash to bodySha256 and the signature must verify over it', async () => {
  const { registry, he1 } = await fixture();
  const r = await record(registry, he1);
  assert.equal((await refusal({ ...r, bodySha256: '0'.repeat(64) }, registry)).code, 'IES_ERR_DIGEST_MISMATCH');
  const body = Buffer.from(CSV.replace('420', '421'));
  assert.equal((await refusal({ ...r, body, bodySha256: sha256Hex(body) }, registry)).code, 'IES_ERR_SIGNATURE_INVALID');
  assert.equal((await refusal({ ...r, signature: 'h..s' }, registry)).code, 'IES_ERR_SIGNATURE_INVALID');
});

test('a signature by an unregistered key is refused, and the refusal may depend on a lagging registry', async () => {
  const { registry } = await fixture();
  const stranger = await generateSigningKey();
  const v = await refusal(await record(registry, stranger), registry);
  assert.equal(v.code, 'IES_ERR_SIGNATURE_INVALID');
  assert.equal(v.registryDependent, true);
});

test('the signer must be the head-end the record names, a HEADEND, with batchId <headEndId>:<jti>', async () => {
  const { registry, he1, he2, agg } = await fixture();
  // HE-2 signs, the record claims HE-1.
  const r2 = await record(registry, he2);
  assert.equal((await refusal(r2, registry)).code, 'IES_ERR_BATCH_SIGNER_MISMATCH');
  // An aggregator's key, the record naming the aggregator as its head-end.
  assert.equal((await refusal(await record(registry, agg, { headEndId: 'AGG-1' }), registry)).code, 'IES_ERR_BATCH_SIGNER_MISMATCH');
  const r = await record(registry, he1);
  assert.equal((await refusal({ ...r, batchId: 'HE-1:B-2' }, registry)).code, 'IES_ERR_BATCH_SIGNER_MISMATCH');
});

test('a key revoked before the signature\'s iat is refused; one revoked after it still verifies', async () => {
  const revoked = await generateSigningKey();
  const registry = new RegistryState();
  const doc = (status: string) => JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', keys: [{ ...revoked.publicJwk, status }] }], meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }, { id: 'M-2', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }] });
  for (const e of parseRegistryDocument(doc('ACTIVE'), REGISTERED_AT)) registry.apply(e);
  const revokedAt = RECEIVED - 3_600_000;
  for (const e of parseRegistryDocument(doc('REVOKED'), revokedAt)) registry.apply(e);
  // Listing it as REVOKED again later keeps the first revocation time.
  for (const e of parseRegistryDocument(doc('REVOKED'), RECEIVED + 3_600_000)) registry.apply(e);
  assert.equal(registry.key(revoked.kid)?.revokedAt, revokedAt);
  const after = await record(registry, revoked);
  assert.equal((await refusal(after, registry)).code, 'IES_ERR_KEY_REVOKED');
  const before = await record(registry, revoked, { iat: Math.floor(revokedAt / 1000) - 60, receivedAt: revokedAt - 30_000 });
  assert.equal((await verifyMeterBatch(before, T, registry)).ok, true);
});

test('BatchVerifier waits for the registry view once before refusing what a lagging view cannot know', async () => {
  const { registry, he1 } = await fixture();
  const late = await generateSigningKey();
  const view = new RegistryState();
  for (const e of parseRegistryDocument(JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', keys: [he1.publicJwk] }], meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }, { id: 'M-2', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }] }), REGISTERED_AT)) view.apply(e);
  const full = new RegistryState();
  for (const e of parseRegistryDocument(JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', keys: [he1.publicJwk, late.publicJwk] }], meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }, { id: 'M-2', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }] }), REGISTERED_AT + 1000)) full.apply(e);
  const calls: number[] = [];
  const verifier = new BatchVerifier(view, {
    catchUp: async (notBeforeMs) => {
      calls.push(notBeforeMs);
      for (const e of parseRegistryDocument(JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', keys: [he1.publicJwk, late.publicJwk] }] }), REGISTERED_AT + 1000)) view.apply(e);
    },
  }, () => RECEIVED + 60_000);
  assert.equal((await verifier.check(await record(registry, he1), T)).ok, true);
  assert.deepEqual(calls, [], 'a batch that verifies costs no catch-up');
  assert.equal((await verifier.check(await record(full, late), T)).ok, true);
  assert.deepEqual(calls, [RECEIVED + 60_000], 'a catch-up that began after the check began');
  // A failure that no registry state can explain is refused without waiting.
  const r = await record(registry, he1);
  assert.equal((await verifier.check({ ...r, bodySha256: 'f'.repeat(64) }, T)).ok, false);
  assert.equal(calls.length, 1);
});

test('the signature must be bound to POST /v1/meter-data for the record\'s tenant', async () => {
  const { registry, he1 } = await fixture();
  const v = await refusal(await record(registry, he1, { htm: 'PUT' }), registry);
  assert.equal(v.code, 'IES_ERR_SIGNATURE_UNBOUND');
  assert.equal(v.registryDependent, false);
});

test('a view that holds fewer tenants than the gateway\'s still agrees: a rejected read may carry another code, never another acceptance', async () => {
  const { he1 } = await fixture();
  const doc = (discom: string, meters: string[]) => JSON.stringify({ discom, participants: discom === T ? [{ id: 'HE-1', role: 'HEADEND', keys: [he1.publicJwk] }] : [], meters: meters.map((id) => ({ id, scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 })) });
  const gateway = new RegistryState();
  const notary = new RegistryState();
  for (const e of parseRegistryDocument(doc(T, ['M-1']), REGISTERED_AT)) { gateway.apply(e); notary.apply(e); }
  for (const e of parseRegistryDocument(doc('OTHER-DL', ['M-9']), REGISTERED_AT)) gateway.apply(e);
  const csv = `${CSV_HEADER}\nM-1,${new Date(BLOCK).toISOString()},420,,VALID\nM-9,${new Date(BLOCK).toISOString()},300,,VALID\n`;
  const r = await record(gateway, he1, { csv });
  assert.deepEqual(r.rejected?.map((x) => x.code), ['IES_ERR_VEE_FOREIGN_METER']);
  assert.equal((await verifyMeterBatch(r, T, notary)).ok, true);
});

test('a compact CSV body whose reads all pass (compared as columns) gives the verdict and the message the normalised body gives', async () => {
  const { registry, he1 } = await fixture();
  // Every read valid: the one-pass column path decides; a record with a rejected read goes the usual way.
  const csv = `${CSV_HEADER}\nM-1,${new Date(BLOCK).toISOString()},420,,VALID\nM-2,${new Date(BLOCK).toISOString()},300,12,ESTIMATED\nM-1,${new Date(BLOCK + 900_000).toISOString()},0,7,VALID\n`;
  const r = await record(registry, he1, { csv });
  assert.equal(r.rejected.length, 0);
  assert.deepEqual(await verifyMeterBatch(r, T, registry), { ok: true, kid: he1.kid, iat: Math.floor(RECEIVED / 1000) });
  const expected = normaliseBatch('COMPACT_CSV', r.body, ingestContextFor(registry, T, 'HE-1', RECEIVED), parseStrictJson);
  const forgeries: MeterBatchRecord['reads'][] = [
    r.reads.map((x, i) => (i === 3 ? { ...x, wh: 8 } : x)),
    r.reads.map((x, i) => (i === 0 ? { ...x, meterId: 'M-2' } : x)),
    r.reads.map((x, i) => (i === 1 ? { ...x, blockStart: BLOCK + 900_000 } : x)),
    r.reads.map((x, i) => (i === 2 ? { ...x, channel: 'IMPORT' as const } : x)),
    r.reads.map((x, i) => (i === 1 ? { ...x, validationStatus: 'VALID' as const } : x)),
    r.reads.map((x, i) => (i === 4 ? { ...x, source: 'METER' as const } : x)),
    r.reads.slice(1),
    [...r.reads, r.reads[0]!],
  ];
  for (const reads of forgeries) {
    const v = await refusal({ ...r, reads }, registry);
    assert.equal(v.code, 'IES_ERR_BATCH_READS_MISMATCH');
    assert.equal(v.message, `batch ${r.batchId}: ${readsDifference({ reads, rejected: [] }, expected)}`);
    // With the record's reads as columns too (the loader's wire decoder): the same refusal, word for word.
    assert.equal(sameColumns(columnsOf(reads), compactCsvColumns(r.body, ingestContextFor(registry, T, 'HE-1', RECEIVED))!), false);
    assert.deepEqual(await verifyMeterBatch({ ...r, reads }, T, registry, undefined, columnsOf(reads)), v);
  }
  assert.deepEqual(await verifyMeterBatch(r, T, registry, undefined, columnsOf(r.reads)), { ok: true, kid: he1.kid, iat: Math.floor(RECEIVED / 1000) });
  // A meter id of other bytes of the same length, and a symbol the body's columns do not have.
  const c = compactCsvColumns(r.body, ingestContextFor(registry, T, 'HE-1', RECEIVED))!;
  assert.equal(sameColumns(columnsOf(r.reads), c), true);
  assert.equal(sameColumns(columnsOf(r.reads.map((x, i) => (i === 2 ? { ...x, meterId: 'M-3' } : x))), c), false);
  assert.equal(sameColumns({ ...columnsOf(r.reads), channelSymbols: ['EXPORT', 'IMPORT'] }, c), false);
  assert.equal(sameColumns({ ...columnsOf(r.reads), statusSymbols: ['ESTIMATED', 'VALID', 'MANUAL', 'SUSPECT', 'REJECTED'] }, c), false);
  assert.equal(sameColumns({ ...columnsOf(r.reads), sourceSymbols: ['METER', 'HES', 'MDM'].reverse() }, c), false);
  // Carrying a rejected read the body does not give is refused as before.
  assert.equal((await refusal({ ...r, rejected: [{ index: 9, code: 'IES_ERR_READ_IMPLAUSIBLE', message: 'x' } as never] }, registry)).code, 'IES_ERR_BATCH_READS_MISMATCH');
});

test('admitted meters are kept between batches of a head-end, and read again once the registry\'s meters change', () => {
  const registry = new RegistryState();
  const doc = (sanctionedLoadW: number) => JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', keys: [] }, { id: 'HE-2', role: 'HEADEND', keys: [] }], meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW }] });
  for (const e of parseRegistryDocument(doc(5000), REGISTERED_AT)) registry.apply(e);
  // 5 kW: at most 1875 Wh a block; 1800 Wh passes.
  const body = Buffer.from(`${CSV_HEADER}\nM-1,${new Date(BLOCK).toISOString()},1800,,VALID\n`);
  const first = ingestContextFor(registry, T, 'HE-1', RECEIVED);
  assert.equal(compactCsvColumns(body, first)?.count, 1);
  const again = ingestContextFor(registry, T, 'HE-1', RECEIVED + 1);
  assert.equal(again.meterVerdicts, first.meterVerdicts, 'one table per head-end while the meters stay as they are');
  assert.equal(again.meterVerdicts?.size, 1);
  assert.notEqual(ingestContextFor(registry, T, 'HE-2', RECEIVED).meterVerdicts, first.meterVerdicts);
  assert.equal(compactCsvColumns(body, ingestContextFor(registry, T, 'HE-2', RECEIVED)), undefined, 'another head-end\'s meter');
  // The meter's sanctioned load falls to 4 kW (at most 1500 Wh): the kept verdict is not used any more.
  for (const e of parseRegistryDocument(doc(4000), REGISTERED_AT + 1)) registry.apply(e);
  const after = ingestContextFor(registry, T, 'HE-1', RECEIVED + 2);
  assert.notEqual(after.meterVerdicts, first.meterVerdicts);
  assert.equal(compactCsvColumns(body, after), undefined);
  assert.equal(normaliseBatch('COMPACT_CSV', body, after, parseStrictJson).rejected[0]?.code, 'IES_ERR_VEE_IMPLAUSIBLE');
});
