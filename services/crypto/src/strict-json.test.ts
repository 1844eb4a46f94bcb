import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { parseStrictJson } from './strict-json.js';

function duplicate(text: string): { path: unknown; member: unknown } {
  try {
    parseStrictJson(text);
  } catch (err) {
    assert.ok(err instanceof IesError, String(err));
    assert.equal(err.code, 'IES_ERR_DUPLICATE_KEY');
    assert.equal(err.status, 400);
    return { path: err.details?.path, member: err.details?.member };
  }
  return assert.fail(`${text} was accepted`);
}

test('a repeated member name is refused with its path, wherever it is', () => {
  assert.deepEqual(duplicate('{"eventId":"X","eventId":"Y"}'), { path: '$', member: 'eventId' });
  assert.deepEqual(duplicate('{"a":{"b":1,"c":[1,{"d":1,"d":2}]}}'), { path: '$.a.c[1]', member: 'd' });
  assert.deepEqual(duplicate('[{"x":1},{"y":1},{"z":1,"z":1}]'), { path: '$[2]', member: 'z' });
  assert.deepEqual(duplicate('{"a b":{"k":1, "k" : 2}}'), { path: '$["a b"]', member: 'k' });
  // The same name escaped differently is the same name.
  assert.deepEqual(duplicate('{"id":"X","i\\u0064":"Y"}'), { path: '$', member: 'id' });
  assert.deepEqual(duplicate('{"\\"q":1,"\\u0022q":2}'), { path: '$', member: '"q' });
});

test('documents without repeats parse exactly as JSON.parse does', () => {
  const texts = [
    '{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}',
    '{"s":"he said \\"{\\\\\\"a\\\\\\":1}\\" , [x]","a":"\\\\","b":"\\\\\\""}',
    '[1,2,{"k":"v"},[],{},"{\\"k\\":1,\\"k\\":2}"]',
    '"just a string"', '42', 'null', ' \n{ "x" : [ true , false , null ] }\n',
    '{"":1,"a":{"":2}}',
  ];
  for (const t of texts) assert.deepEqual(parseStrictJson(t), JSON.parse(t), t);
});

test('randomly generated documents agree with JSON.parse, and a repeat planted in any object is found', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const names = ['a', 'b', 'c', 'quote"d', 'back\\slash', '{', '}', ',', ':', '[', 'é', '\u0000'];
  const gen = (depth: number): unknown => {
    const k = depth > 3 ? rnd(3) : rnd(6);
    if (k === 0) return names[rnd(names.length)];
    if (k === 1) return rnd(1000) - 500;
    if (k === 2) return [true, false, null][rnd(3)];
    if (k === 3) return Array.from({ length: rnd(4) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = rnd(5); i > 0; i--) o[names[rnd(names.length)]!] = gen(depth + 1);
    return o;
  };
  for (let n = 0; n < 300; n++) {
    const value = gen(0);
    const text = JSON.stringify(value);
    assert.deepEqual(parseStrictJson(text), JSON.parse(text));
    // Repeat the first member of the first object: JSON.stringify never does, so the text is new.
    const m = /\{("(?:[^"\\]|\\.)*"):/.exec(text);
    if (m) assert.equal(duplicate(text.replace(m[0], `{${m[1]}:0,${m[1]}:`)).member, JSON.parse(m[1]!));
  }
});

test('syntax errors are JSON.parse SyntaxErrors', () => {
  for (const t of ['{"a":', '', '{"a":1,}', "{'a':1}"]) assert.throws(() => parseStrictJson(t), SyntaxError, t);
});
