import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { sparkSignature } from '../../../sim/webex/index.js';
import { api, startReceiver, startWorld } from './helpers.js';

function hmacSha1Hex(secret: string, raw: Buffer): string {
  return createHmac('sha1', secret).update(raw).digest('hex');
}

test('webhook delivery: envelope carries ids only', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  const created = await sim.actAs(bot.token).createWebhook({
    name: 'parley',
    targetUrl: receiver.url,
    resource: 'messages',
    event: 'created',
    secret: 's3cret',
  });

  const sent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'confidential text' });
  await sim.settle();

  assert.equal(receiver.received.length, 1);
  const delivery = receiver.received[0]!;
  const envelope = delivery.json;
  assert.equal(envelope.id, created.id);
  assert.equal(envelope.name, 'parley');
  assert.equal(envelope.targetUrl, receiver.url);
  assert.equal(envelope.resource, 'messages');
  assert.equal(envelope.event, 'created');
  assert.equal(envelope.orgId, created.orgId);
  assert.equal(envelope.createdBy, bot.id);
  assert.equal(envelope.appId, created.appId);
  assert.equal(envelope.ownedBy, 'creator');
  assert.equal(envelope.status, 'active');
  assert.equal(envelope.created, created.created);
  assert.equal(envelope.actorId, alice.id);
  assert.deepEqual(Object.keys(envelope.data).sort(), ['created', 'id', 'personEmail', 'personId', 'roomId', 'roomType']);
  assert.equal(envelope.data.id, sent.id);
  assert.equal(envelope.data.roomId, sent.roomId);
  assert.equal(envelope.data.roomType, 'direct');
  assert.equal(envelope.data.personEmail, alice.email);
  assert.ok(!delivery.raw.toString('utf8').includes('confidential'), 'no message text in the delivery');

  const fetched = await api(sim, bot.token, 'GET', `/messages/${envelope.data.id}`);
  assert.equal(fetched.body.text, 'confidential text');
});

test('webhook signature: HMAC-SHA1 over raw body verifies', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: receiver.url, resource: 'messages', event: 'all', secret: 'right-secret' });

  await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'héllo 😀 "quoted"' });
  await sim.settle();

  const delivery = receiver.received[0]!;
  const header = delivery.headers['x-spark-signature'];
  assert.equal(typeof header, 'string');
  assert.match(String(header), /^[0-9a-f]{40}$/);
  assert.equal(header, hmacSha1Hex('right-secret', delivery.raw));
  assert.equal(header, sparkSignature('right-secret', delivery.raw));
  assert.notEqual(header, hmacSha1Hex('wrong-secret', delivery.raw), 'a wrong secret does not verify');
});

test('webhook signature: header absent without a secret', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: receiver.url, resource: 'messages', event: 'created' });

  await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'hi' });
  await sim.settle();

  assert.equal(receiver.received.length, 1);
  assert.equal(receiver.received[0]!.headers['x-spark-signature'], undefined);
});

test('webhook delivery: owner gets own messages and deletions', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: receiver.url, resource: 'messages', event: 'all' });

  const own = await sim.actAs(bot.token).sendMessage({ toPersonEmail: alice.email, text: 'from the bot' });
  await sim.actAs(bot.token).deleteMessage(own.id);
  await sim.settle();

  assert.deepEqual(receiver.received.map((d) => [d.json.event, d.json.data.id, d.json.data.personId]), [
    ['created', own.id, bot.id],
    ['deleted', own.id, bot.id],
  ]);
});

test('webhook delivery: in order, one at a time', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: receiver.url, resource: 'messages', event: 'created' });
  receiver.statuses.push(500);

  const ids: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    ids.push((await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: `m${i}` })).id);
  }
  await sim.settle();

  // The first attempt fails once and is retried before any later message is sent.
  assert.deepEqual(receiver.received.map((d) => d.json.data.id), [ids[0], ...ids]);
});

test('bot webhook: group messages only when mentioned', async (t) => {
  const { sim, alice, bob, bot } = await startWorld(t);
  const botReceiver = await startReceiver(t);
  const bobReceiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'bot', targetUrl: botReceiver.url, resource: 'messages', event: 'created' });
  await sim.actAs(bob.token).createWebhook({ name: 'bob', targetUrl: bobReceiver.url, resource: 'messages', event: 'created' });
  const room = await sim.actAs(alice.token).createRoom('Team');
  await sim.actAs(alice.token).addMember(room.id, { personEmail: bob.email });
  await sim.actAs(alice.token).addMember(room.id, { personEmail: bot.email });

  const plain = await sim.actAs(alice.token).sendMessage({ roomId: room.id, text: 'hello team' });
  const mention = await sim.actAs(alice.token).sendMessage({ roomId: room.id, markdown: `<@personEmail:${bot.email}> help` });
  const direct = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'help' });
  await sim.settle();

  assert.deepEqual(botReceiver.received.map((d) => d.json.data.id), [mention.id, direct.id]);
  assert.deepEqual(botReceiver.received[0]!.json.data.mentionedPeople, [bot.id]);
  assert.deepEqual(bobReceiver.received.map((d) => d.json.data.id), [plain.id, mention.id], 'people hear every group message');
});

test('webhook filter: roomType and personEmail narrow deliveries', async (t) => {
  const { sim, alice, bob, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bob.token).createWebhook({
    name: 'filtered',
    targetUrl: receiver.url,
    resource: 'messages',
    event: 'created',
    filter: `roomType=direct&personEmail=${alice.email}`,
  });
  const room = await sim.actAs(alice.token).createRoom('Team');
  await sim.actAs(alice.token).addMember(room.id, { personId: bob.id });

  await sim.actAs(alice.token).sendMessage({ roomId: room.id, text: 'group' });
  const wanted = await sim.actAs(alice.token).sendMessage({ toPersonId: bob.id, text: 'direct' });
  await sim.actAs(bot.token).sendMessage({ toPersonId: bob.id, text: 'from bot' });
  await sim.settle();

  assert.deepEqual(receiver.received.map((d) => d.json.data.id), [wanted.id]);
  const invalid = await api(sim, bob.token, 'POST', '/webhooks', { name: 'x', targetUrl: receiver.url, resource: 'messages', event: 'created', filter: 'color=red' });
  assert.equal(invalid.status, 400);
});

test('webhook: inactive after repeated failures, PUT re-activates', async (t) => {
  const { sim, alice, bot } = await startWorld(t, { webhookRetry: { retries: 1, delayMs: 5, maxConsecutiveFailures: 3 } });
  const receiver = await startReceiver(t);
  const webhook = await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: receiver.url, resource: 'messages', event: 'created' });
  receiver.statuses.push(...Array<number>(6).fill(503));

  for (let i = 0; i < 4; i += 1) {
    await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: `m${i}` });
  }
  await sim.settle();

  assert.equal(receiver.received.length, 6, 'three deliveries of two attempts each, then nothing');
  const listed = await api(sim, bot.token, 'GET', `/webhooks/${webhook.id}`);
  assert.equal(listed.body.status, 'inactive');
  assert.equal(sim.webhooks()[0]!.status, 'inactive');

  await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'while inactive' });
  await sim.settle();
  assert.equal(receiver.received.length, 6, 'an inactive webhook receives nothing');

  const reactivated = await api(sim, bot.token, 'PUT', `/webhooks/${webhook.id}`, { name: 'p', targetUrl: receiver.url, status: 'active' });
  assert.equal(reactivated.status, 200);
  assert.equal(reactivated.body.status, 'active');

  const after = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'back' });
  await sim.settle();
  assert.equal(receiver.received.length, 7);
  assert.equal(receiver.received[6]!.json.data.id, after.id);
});

test('webhook: network errors count as failures', async (t) => {
  const { sim, alice, bot } = await startWorld(t, { webhookRetry: { retries: 0, delayMs: 1, maxConsecutiveFailures: 2 } });
  // Port 9 on loopback (discard) is closed on test machines, so the POST fails to connect.
  await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: 'http://127.0.0.1:9/none', resource: 'messages', event: 'created' });

  await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'a' });
  await sim.actAs(alice.token).sendMessage({ toPersonEmail: bot.email, text: 'b' });
  await sim.settle();

  assert.equal(sim.webhooks()[0]!.status, 'inactive');
  assert.ok(sim.deliveries().every((d) => !d.ok && d.lastError !== undefined));
});

test('webhook CRUD: owner only', async (t) => {
  const { sim, bob, bot } = await startWorld(t);
  const webhook = await sim.actAs(bot.token).createWebhook({ name: 'p', targetUrl: 'http://127.0.0.1:9/x', resource: 'messages', event: 'created' });

  const listBot = await api(sim, bot.token, 'GET', '/webhooks');
  const listBob = await api(sim, bob.token, 'GET', '/webhooks');
  const getBob = await api(sim, bob.token, 'GET', `/webhooks/${webhook.id}`);
  const deleteBob = await api(sim, bob.token, 'DELETE', `/webhooks/${webhook.id}`);
  const deleteBot = await api(sim, bot.token, 'DELETE', `/webhooks/${webhook.id}`);
  const badUrl = await api(sim, bot.token, 'POST', '/webhooks', { name: 'p', targetUrl: 'not a url', resource: 'messages', event: 'created' });

  assert.equal(listBot.body.items.length, 1);
  assert.equal(listBob.body.items.length, 0);
  assert.equal(getBob.status, 404);
  assert.equal(deleteBob.status, 404);
  assert.equal(deleteBot.status, 204);
  assert.equal(badUrl.status, 400);
  assert.deepEqual(sim.webhooks(), []);
});
