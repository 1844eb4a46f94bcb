import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { iesMeterDataFixtures, sharedFixture, sharedFixturesUrl } from './fixtures.js';

test('a missing shared fixture fails with a message naming it, instead of a skip', () => {
  assert.throws(() => sharedFixture('no-such-folder/'), /shared fixture(s)? (no-such-folder\/ )?not found/);
  assert.equal(sharedFixturesUrl({ IES_SHARED_FIXTURES: '/nonexistent/fixtures' })?.pathname === '/nonexistent/fixtures/', false);
});

test('the IES MeterData vectors kept in the project are found from one place', () => {
  assert.ok(existsSync(iesMeterDataFixtures('examples/')));
  assert.throws(() => iesMeterDataFixtures('no-such-file.json'), /IES MeterData fixture no-such-file.json not found/);
});
