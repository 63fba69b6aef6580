// Rate limits per bot per conversation, injected faults and the message size limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activitiesPath, connector, errorCode, startWorld } from './helpers.js';

test('eighth quick post gets 429', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const token = await sim.issueAccessToken();
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');

  const statuses: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    statuses.push((await connector(sim, 'POST', path, { type: 'message', text: `burst ${i}` }, token)).status);
  }
  const limited = await connector(sim, 'POST', path, { type: 'message', text: 'one too many' }, token);
  const otherConversation = await connector(sim, 'POST', activitiesPath(sim.conversationId(bob.id) ?? ''), { type: 'message', text: 'hi' }, token);
  const retryAfter = Number(limited.headers.get('retry-after'));

  assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 201]);
  assert.equal(limited.status, 429);
  assert.ok(Number.isInteger(retryAfter), `Retry-After ${retryAfter} is whole seconds`);
  assert.ok(retryAfter >= 1, `Retry-After ${retryAfter} is at least 1`);
  assert.equal(errorCode(limited), 'TooManyRequests');
  assert.equal(sim.botMessages(alice.id).length, 7);
  assert.equal(sim.stats().rateLimited, 1);
  assert.equal(otherConversation.status, 201, 'the limit is per conversation');
});

test('limit frees after its window', async (t) => {
  const { sim, alice } = await startWorld(t, { rateLimits: [{ windowMs: 300, limit: 2 }] });
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');

  const first = await connector(sim, 'POST', path, { type: 'message', text: '1' });
  const second = await connector(sim, 'POST', path, { type: 'message', text: '2' });
  const third = await connector(sim, 'POST', path, { type: 'message', text: '3' });
  await new Promise((resolve) => setTimeout(resolve, 350));
  const fourth = await connector(sim, 'POST', path, { type: 'message', text: '4' });

  assert.equal(first.status, 201);
  assert.equal(second.status, 201);
  assert.equal(third.status, 429);
  assert.equal(fourth.status, 201);
});

test('reads count in their own group', async (t) => {
  const { sim, alice } = await startWorld(t, { rateLimits: [{ windowMs: 60_000, limit: 1 }] });
  const conversationId = encodeURIComponent(sim.conversationId(alice.id) ?? '');

  const post = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: '1' });
  const read = await connector(sim, 'GET', `v3/conversations/${conversationId}/members`);
  const secondRead = await connector(sim, 'GET', `v3/conversations/${conversationId}/members`);

  assert.equal(post.status, 201);
  assert.equal(read.status, 200);
  assert.equal(secondRead.status, 429);
});

test('failNext injects transient statuses', async (t) => {
  const { sim, alice } = await startWorld(t);
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');
  sim.failNext('sendToConversation', 412);
  sim.failNext('sendToConversation', 502);
  sim.failNext('sendToConversation', 504);
  sim.failNext('sendToConversation', 429);

  const statuses: number[] = [];
  for (let i = 0; i < 4; i += 1) {
    statuses.push((await connector(sim, 'POST', path, { type: 'message', text: `try ${i}` })).status);
  }
  sim.failNext('sendToConversation', 429, { retryAfter: 2 });
  const withHeader = await connector(sim, 'POST', path, { type: 'message', text: 'throttled' });
  const success = await connector(sim, 'POST', path, { type: 'message', text: 'through' });

  assert.deepEqual(statuses, [412, 502, 504, 429]);
  assert.equal(withHeader.headers.get('retry-after'), '2');
  assert.equal(errorCode(withHeader), 'TooManyRequests');
  assert.equal(success.status, 201);
  assert.deepEqual(sim.botMessages(alice.id).map((m) => m.text), ['through']);
});

test('fault matches only its operation', async (t) => {
  const { sim, alice } = await startWorld(t);
  const conversationId = sim.conversationId(alice.id) ?? '';
  sim.failNext('deleteActivity', 502, { times: 2 });

  const posted = await connector(sim, 'POST', activitiesPath(conversationId), { type: 'message', text: 'keep' });
  const firstDelete = await connector(sim, 'DELETE', activitiesPath(conversationId, posted.body.id));
  const secondDelete = await connector(sim, 'DELETE', activitiesPath(conversationId, posted.body.id));
  const thirdDelete = await connector(sim, 'DELETE', activitiesPath(conversationId, posted.body.id));

  assert.equal(posted.status, 201);
  assert.equal(firstDelete.status, 502);
  assert.equal(secondDelete.status, 502);
  assert.equal(thirdDelete.status, 200);
});

test('lost response still posts', async (t) => {
  const { sim, alice } = await startWorld(t);
  sim.failNext('sendToConversation', 500, { loseResponse: true });

  await assert.rejects(connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: 'lost ack' }));

  assert.deepEqual(sim.botMessages(alice.id).map((m) => m.text), ['lost ack']);
});

test('oversize activity gets 413', async (t) => {
  const { sim, alice } = await startWorld(t, { maxActivityBytes: 2000 });
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');

  const fits = await connector(sim, 'POST', path, { type: 'message', text: 'x'.repeat(1900) });
  const tooBig = await connector(sim, 'POST', path, { type: 'message', text: 'x'.repeat(2000) });
  const farTooBig = await connector(sim, 'POST', path, { type: 'message', text: 'x'.repeat(2 * 1024 * 1024) });

  assert.equal(fits.status, 201);
  assert.equal(tooBig.status, 413);
  assert.equal(errorCode(tooBig), 'MessageSizeTooBig');
  assert.equal(farTooBig.status, 413);
  assert.equal(errorCode(farTooBig), 'MessageSizeTooBig');
  assert.equal(sim.botMessages(alice.id).length, 1);
});

test('default size limit is 100 KB', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: 'x'.repeat(100 * 1024) });

  assert.equal(response.status, 413);
});
