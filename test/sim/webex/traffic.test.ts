import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, errorMessage, startWorld } from './helpers.js';

test('rate limit: 429 with Retry-After once exceeded', async (t) => {
  const { sim, alice, bob } = await startWorld(t, { rateLimit: { requests: 3, windowMs: 60_000 } });

  const statuses: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    statuses.push((await api(sim, alice.token, 'GET', '/people/me')).status);
  }
  const limited = await api(sim, alice.token, 'GET', '/people/me');
  const otherToken = await api(sim, bob.token, 'GET', '/people/me');

  assert.deepEqual(statuses, [200, 200, 200]);
  assert.equal(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter), `Retry-After ${retryAfter} is whole seconds`);
  assert.ok(retryAfter >= 1, `Retry-After ${retryAfter} is at least 1`);
  assert.ok(retryAfter <= 60, `Retry-After ${retryAfter} is within the window`);
  assert.match(errorMessage(limited), /Too many requests/);
  assert.equal(otherToken.status, 200, 'the quota is per access token');
});

test('rate limit: window restart allows requests again', async (t) => {
  const { sim, alice } = await startWorld(t, { rateLimit: { requests: 1, windowMs: 50 } });

  const first = await api(sim, alice.token, 'GET', '/people/me');
  const second = await api(sim, alice.token, 'GET', '/people/me');
  await new Promise((resolve) => setTimeout(resolve, 80));
  const third = await api(sim, alice.token, 'GET', '/people/me');

  assert.equal(first.status, 200);
  assert.equal(second.status, 429);
  assert.equal(third.status, 200);
});

test('rate limit: setRateLimit switches it off', async (t) => {
  const { sim, alice } = await startWorld(t, { rateLimit: { requests: 1, windowMs: 60_000 } });
  await api(sim, alice.token, 'GET', '/people/me');

  sim.setRateLimit(undefined);
  const response = await api(sim, alice.token, 'GET', '/people/me');

  assert.equal(response.status, 200);
});

test('failNext: injected status for matching requests only', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  sim.failNext({ method: 'POST', pathPrefix: '/messages', status: 503, retryAfter: 7, times: 2 });

  const get = await api(sim, alice.token, 'GET', '/people/me');
  const first = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: bob.email, text: 'a' });
  const internal = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'via actAs' });
  const second = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: bob.email, text: 'b' });
  const third = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: bob.email, text: 'c' });

  assert.equal(get.status, 200);
  assert.equal(first.status, 503);
  assert.equal(first.headers.get('retry-after'), '7');
  errorMessage(first);
  assert.equal(internal.text, 'via actAs', 'actAs is exempt from injected faults');
  assert.equal(second.status, 503);
  assert.equal(third.status, 200);
  assert.deepEqual(sim.inbox(bob.id).map((m) => m.text), ['via actAs', 'c']);
});
