import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, startWorld } from './helpers.js';

test('people: lookup by email across orgs', async (t) => {
  const { sim, alice, carol } = await startWorld(t);

  const found = await api(sim, alice.token, 'GET', `/people?email=${encodeURIComponent(carol.email)}`);
  const missing = await api(sim, alice.token, 'GET', '/people?email=nobody%40partner.example');

  assert.equal(found.status, 200);
  assert.equal(found.body.items.length, 1);
  assert.equal(found.body.items[0].id, carol.id);
  assert.deepEqual(found.body.items[0].emails, [carol.email]);
  assert.deepEqual(missing.body.items, []);
});

test('people: status only within own org', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  sim.setStatus(bob.id, 'DoNotDisturb');

  const sameOrg = await api(sim, alice.token, 'GET', `/people/${bob.id}`);
  const otherOrg = await api(sim, carol.token, 'GET', `/people/${bob.id}`);

  assert.equal(sameOrg.body.status, 'DoNotDisturb');
  assert.equal(otherOrg.status, 200);
  assert.equal(otherOrg.body.status, undefined);
  assert.equal(otherOrg.body.lastActivity, undefined);
});

test('people: id list and displayName prefix', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);

  const byIds = await api(sim, alice.token, 'GET', `/people?id=${bob.id},${carol.id},bogus`);
  const byName = await api(sim, alice.token, 'GET', '/people?displayName=bo');
  const foreignName = await api(sim, alice.token, 'GET', '/people?displayName=Carol');
  const noQuery = await api(sim, alice.token, 'GET', '/people');

  assert.deepEqual(byIds.body.items.map((p: { id: string }) => p.id), [bob.id, carol.id]);
  assert.deepEqual(byIds.body.notFoundIds, ['bogus']);
  assert.deepEqual(byName.body.items.map((p: { id: string }) => p.id), [bob.id]);
  assert.deepEqual(foreignName.body.items, []);
  assert.equal(noQuery.status, 400);
});

test('people: bot and ids look like Webex ids', async (t) => {
  const { sim, bot } = await startWorld(t);

  const me = await api(sim, bot.token, 'GET', '/people/me');
  const decoded = Buffer.from(me.body.id, 'base64').toString('utf8');

  assert.equal(me.body.type, 'bot');
  assert.match(decoded, /^ciscospark:\/\/us\/PEOPLE\/[0-9a-f-]{36}$/);
  assert.match(Buffer.from(me.body.orgId, 'base64').toString('utf8'), /^ciscospark:\/\/us\/ORGANIZATION\//);
});
