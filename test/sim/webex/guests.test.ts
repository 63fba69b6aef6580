import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, startWorld } from './helpers.js';

test('guests: same subject returns same person, fresh token', async (t) => {
  const { sim, serviceApp, operator } = await startWorld(t);

  const first = await api(sim, serviceApp.token, 'POST', '/guests/token', { subject: 'carol@partner.example', displayName: 'Carol (Partner)' });
  const second = await api(sim, serviceApp.token, 'POST', '/guests/token', { subject: 'carol@partner.example', displayName: 'Carol C. (Partner)' });
  const other = await api(sim, serviceApp.token, 'POST', '/guests/token', { subject: 'dave@partner.example', displayName: 'Dave' });

  assert.equal(first.status, 200);
  assert.equal(second.body.id, first.body.id);
  assert.notEqual(second.body.accessToken, first.body.accessToken);
  assert.notEqual(other.body.id, first.body.id);
  assert.match(first.body.email, /^[0-9a-f-]{36}@appid\.ciscospark\.com$/);
  assert.equal(typeof first.body.expiresIn, 'number');

  const me = await api(sim, first.body.accessToken, 'GET', '/people/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.id, first.body.id);
  assert.equal(me.body.type, 'appuser');
  assert.equal(me.body.orgId, operator.id);
  assert.equal(me.body.displayName, 'Carol C. (Partner)', 'display name updated by the second call');

  const count = await api(sim, serviceApp.token, 'GET', '/guests/count');
  assert.deepEqual(count.body, { count: 2 });
});

test('guests: token works for messages and webhooks', async (t) => {
  const { sim, serviceApp, alice } = await startWorld(t);
  const guest = await api(sim, serviceApp.token, 'POST', '/guests/token', { subject: 'g1', displayName: 'Guest One' });

  const sent = await api(sim, guest.body.accessToken, 'POST', '/messages', { toPersonEmail: alice.email, text: 'hi from a guest' });
  const webhook = await api(sim, guest.body.accessToken, 'POST', '/webhooks', { name: 'g', targetUrl: 'http://127.0.0.1:9/g', resource: 'messages', event: 'created' });

  assert.equal(sent.status, 200);
  assert.equal(sent.body.personId, guest.body.id);
  assert.equal(webhook.status, 200);
  assert.deepEqual(sim.inbox(alice.id).map((m) => m.text), ['hi from a guest']);
});

test('guests: scope and token kind enforced', async (t) => {
  const { sim, operator, alice } = await startWorld(t);
  const readOnly = sim.addServiceApp(operator, { scopes: ['guest-issuer:read'] });

  const noScope = await api(sim, readOnly.token, 'POST', '/guests/token', { subject: 's', displayName: 'S' });
  const personToken = await api(sim, alice.token, 'POST', '/guests/token', { subject: 's', displayName: 'S' });
  const missingField = await api(sim, sim.addServiceApp(operator, { scopes: ['guest-issuer:write'] }).token, 'POST', '/guests/token', { subject: 's' });

  assert.equal(noScope.status, 403);
  assert.equal(personToken.status, 403);
  assert.equal(missingField.status, 400);
});
