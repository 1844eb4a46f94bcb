import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { canonicalJson } from './canonical-json.js';

test('members are sorted by UTF-16 code units, recursively, with no whitespace', () => {
  assert.equal(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x', A: true }), '{"A":true,"a":"x","b":[3,{"a":null,"z":1}]}');
});

test('RFC 8785 §3.2.3 sorting example: code-unit order, not code-point order', () => {
  // From RFC 8785 §3.2.3: U+20AC, CR, U+1F600 (surrogate pair D83D DE00), "1", U+0080, U+00F6.
  const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ud83d\ude00': 'Emoji: Grinning Face', '1': 'One', '\u0080': 'Control', 'ö': 'Latin Small Letter O With Diaeresis' };
  const expected = '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face"}';
  assert.equal(canonicalJson(input), expected);
});

test('strings are escaped as ECMAScript does; non-ASCII stays literal', () => {
  assert.equal(canonicalJson({ s: 'a"b\\c\n\u0001€' }), '{"s":"a\\"b\\\\c\\n\\u0001€"}');
});

test('numbers use the shortest round-trip form (RFC 8785 appendix B samples)', () => {
  assert.equal(canonicalJson([0, -0, 1e21, 1e-7, 333333333.3333333, 4.5, 9007199254740991]), '[0,0,1e+21,1e-7,333333333.3333333,4.5,9007199254740991]');
});

test('NaN, Infinity, undefined members and functions are refused with their path', () => {
  assert.throws(() => canonicalJson({ a: [1, Number.NaN] }), /\$\.a\[1\]/);
  assert.throws(() => canonicalJson({ a: undefined }), /\$\.a: a undefined/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /function/);
});
