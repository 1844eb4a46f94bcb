import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatAddCheckpointRequest, parseAddCheckpointRequest } from './add-checkpoint-request.js';

const NOTE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
const PROOF = ['PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=', 'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk='];

test('the spec example parses: old size, proof hashes, then the checkpoint note', () => {
  const text = `old 20852014\n${PROOF.join('\n')}\n\n${NOTE}`;
  const r = parseAddCheckpointRequest(text);
  assert.ok(r.ok, !r.ok ? r.reason : '');
  assert.equal(r.request.oldSize, 20852014);
  assert.deepEqual(r.request.proof.map((h) => Buffer.from(h).toString('base64')), PROOF);
  assert.equal(r.request.checkpointNote, NOTE);
  assert.equal(formatAddCheckpointRequest(r.request), text);
});

test('old 0 with no proof lines', () => {
  const r = parseAddCheckpointRequest(`old 0\n\n${NOTE}`);
  assert.ok(r.ok && r.request.oldSize === 0 && r.request.proof.length === 0);
});

test('malformed requests are refused with the reason', () => {
  const cases: [string, RegExp][] = [
    [`old 01\n\n${NOTE}`, /not "old <size>"/],
    [`old -1\n\n${NOTE}`, /not "old <size>"/],
    [`Old 1\n\n${NOTE}`, /not "old <size>"/],
    [`old  1\n\n${NOTE}`, /not "old <size>"/],
    [`old 1\r\n\r\n${NOTE}`, /not "old <size>"/],
    [`old 99999999999999999999\n\n${NOTE}`, /beyond 2\^53-1/],
    [`old 1\n${NOTE}`, /not the base64 of a 32-byte hash|no empty line/],
    [`old 1\nAAAA\n\n${NOTE}`, /proof line 1 is not the base64/],
    [`old 1\n${PROOF[0]}\n${PROOF[0]!.slice(0, 42)}=\n\n${NOTE}`, /proof line 2/],
    [`old 1\n${Array(64).fill(PROOF[0]).join('\n')}\n\n${NOTE}`, /64 proof lines; at most 63/],
    ['old 1\n\n', /no checkpoint/],
    ['old 1', /no empty line/],
  ];
  for (const [text, reason] of cases) {
    const r = parseAddCheckpointRequest(text);
    assert.equal(r.ok, false, JSON.stringify(text.slice(0, 30)));
    assert.match(!r.ok ? r.reason : '', reason);
  }
  assert.ok(parseAddCheckpointRequest(`old 1\n${Array(63).fill(PROOF[0]).join('\n')}\n\n${NOTE}`).ok, '63 lines are allowed');
});

test('formatting refuses what a witness would refuse', () => {
  assert.throws(() => formatAddCheckpointRequest({ oldSize: -1, proof: [], checkpointNote: NOTE }), /non-negative/);
  assert.throws(() => formatAddCheckpointRequest({ oldSize: 1, proof: [new Uint8Array(31)], checkpointNote: NOTE }), /31 bytes/);
  assert.throws(() => formatAddCheckpointRequest({ oldSize: 1, proof: Array(64).fill(new Uint8Array(32)), checkpointNote: NOTE }), /63/);
});
