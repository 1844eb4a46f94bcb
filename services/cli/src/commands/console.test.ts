import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runConsole } from './console.js';

async function quietly(run: () => Promise<number>): Promise<{ code: number; err: string }> {
  const original = console.error;
  let err = '';
  console.error = (...args: unknown[]) => { err += `${args.join(' ')}\n`; };
  try {
    return { code: await run(), err };
  } finally {
    console.error = original;
  }
}

test('ies console needs --as DISCOM/PARTICIPANT', async () => {
  for (const argv of [[], ['--as'], ['--as', 'DEMO-DL'], ['--as', 'A/B/C']]) assert.equal((await quietly(() => runConsole(argv, {}))).code, 2, argv.join(' '));
});

test('ies console refuses a node that is not on this machine: the one-time link is for the local stack and the demo', async () => {
  for (const url of ['https://node.example.in', 'http://10.0.0.5:8080', 'http://127.0.0.1.example.com']) {
    const { code, err } = await quietly(() => runConsole(['--as', 'DEMO-DL/SETTLEMENT-DESK', '--url', url], {}));
    assert.equal(code, 2, url);
    assert.match(err, /is not this machine/);
  }
});
