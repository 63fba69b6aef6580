import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, errorMessage, startWorld } from './helpers.js';

test('auth: missing bearer gets 401 with error body', async (t) => {
  const { sim } = await startWorld(t);

  const response = await api(sim, undefined, 'GET', '/people/me');

  assert.equal(response.status, 401);
  assert.match(errorMessage(response), /access token/);
  assert.equal(response.body.errors[0].description, response.body.message);
  assert.ok(response.headers.get('trackingid'), 'trackingid header');
  assert.equal(response.body.trackingId, response.headers.get('trackingid'));
});

test('auth: wrong bearer gets 401 with error body', async (t) => {
  const { sim } = await startWorld(t);

  const response = await api(sim, 'not-a-real-token', 'GET', '/people/me');

  assert.equal(response.status, 401);
  assert.match(errorMessage(response), /invalid or has expired/);
});

test('auth: valid token reaches the route', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await api(sim, alice.token, 'GET', '/people/me');

  assert.equal(response.status, 200);
  assert.equal(response.body.id, alice.id);
  assert.ok(response.headers.get('trackingid'));
});

test('auth: service app token cannot send messages', async (t) => {
  const { sim, serviceApp } = await startWorld(t);

  const response = await api(sim, serviceApp.token, 'POST', '/messages', { toPersonEmail: 'alice@acme.example', text: 'hi' });

  assert.equal(response.status, 403);
  errorMessage(response);
});

test('unknown route gets 404 with error body', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await api(sim, alice.token, 'GET', '/no-such-thing');

  assert.equal(response.status, 404);
  errorMessage(response);
});
