// Events API delivery: envelopes, signing, bot echoes, edits, retries and ordering.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { verifySlackSignature } from '../../../sim/slack/index.js';
import { BOT_SCOPES, startFixture, startReceiver } from './helpers.js';

const FAST_RETRIES = { retryDelaysMs: [0, 50, 100], ackTimeoutMs: 200 };

test('user im message delivered as signed event', async () => {
  const { sim, bob, app, workspace } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);
    const ts = await sim.postAsUser(bob.id, im, 'hello bot');
    await sim.settle();

    const [received] = receiver.events();
    assert.ok(received);
    const { envelope, headers } = received;
    assert.equal(envelope.type, 'event_callback');
    assert.equal(envelope.team_id, workspace.id);
    assert.equal(envelope.api_app_id, app.appId);
    assert.equal(envelope.token, app.verificationToken);
    assert.match(String(envelope.event_id), /^Ev/);
    assert.deepEqual(envelope.authorizations, [
      { enterprise_id: null, team_id: workspace.id, user_id: app.botUserId, is_bot: true, is_enterprise_install: false },
    ]);

    const event = envelope.event;
    assert.equal(event.type, 'message');
    assert.equal(event.channel, im);
    assert.equal(event.channel_type, 'im');
    assert.equal(event.user, bob.id);
    assert.equal(event.text, 'hello bot');
    assert.equal(event.ts, ts);
    assert.equal(event.event_ts, ts);
    assert.equal(event.team, workspace.id);
    assert.equal(typeof event.client_msg_id, 'string');
    assert.equal(event.subtype, undefined);

    const rawBody = receiver.requests.at(-1)?.body ?? '';
    const signature = String(headers['x-slack-signature']);
    const timestamp = String(headers['x-slack-request-timestamp']);
    assert.equal(verifySlackSignature(app.signingSecret, timestamp, rawBody, signature), true);
    assert.equal(verifySlackSignature('wrong-secret', timestamp, rawBody, signature), false);

    const [delivery] = sim.deliveries();
    assert.equal(delivery?.outcome, 'acknowledged');
    assert.equal(delivery?.attempts.length, 1);
    assert.equal(delivery?.attempts[0]?.status, 200);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('private channel event has channel_type group', async () => {
  const { sim, bob, app, workspace } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const channel = sim.createChannel(workspace, { name: 'team-room', isPrivate: true, members: [bob.id, app.botUserId] });
    const lonely = sim.createChannel(workspace, { name: 'no-bot', isPrivate: true, members: [bob.id] });
    await sim.postAsUser(bob.id, lonely, 'not for the bot');
    await sim.postAsUser(bob.id, channel, 'for the bot');
    await sim.settle();

    const events = receiver.events();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.envelope.event.channel, channel);
    assert.equal(events[0]?.envelope.event.channel_type, 'group');
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('no message events without history scope', async () => {
  const { sim, bob, app } = await startFixture(FAST_RETRIES, BOT_SCOPES.filter((s) => s !== 'im:history'));
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    await sim.postAsUser(bob.id, sim.openIm(bob.id, app.botUserId), 'hi');
    await sim.settle();
    assert.equal(receiver.events().length, 0);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('bot posts echo back with bot_id', async () => {
  const { sim, bob, app, client } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);
    await client.chat.postMessage({ channel: im, text: 'plain' });
    await client.chat.postMessage({ channel: im, text: 'as alice', username: 'Alice', icon_url: 'https://img.example/a.png' });
    await sim.settle();

    const [plain, custom] = receiver.events().map((e) => e.envelope.event);
    assert.equal(plain?.bot_id, app.botId);
    assert.equal(plain?.user, app.botUserId);
    assert.equal(plain?.subtype, undefined);

    assert.equal(custom?.bot_id, app.botId);
    assert.equal(custom?.subtype, 'bot_message');
    assert.equal(custom?.username, 'Alice');
    assert.deepEqual(custom?.icons, { image_64: 'https://img.example/a.png' });
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('edit, delete and reaction events', async () => {
  const { sim, bob, app } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);
    const ts = await sim.postAsUser(bob.id, im, 'first');
    await sim.editAsUser(bob.id, im, ts, 'second');
    await sim.reactAsUser(bob.id, im, ts, 'tada');
    await sim.deleteAsUser(bob.id, im, ts);
    await sim.settle();

    const events = receiver.events().map((e) => e.envelope.event);
    assert.deepEqual(
      events.map((e) => e.subtype ?? e.type),
      ['message', 'message_changed', 'reaction_added', 'message_deleted'],
    );

    const changed = events[1] as { message: Record<string, unknown>; previous_message: Record<string, unknown> };
    assert.equal(changed.message.text, 'second');
    assert.equal(changed.previous_message.text, 'first');
    assert.equal((changed.message.edited as { user: string }).user, bob.id);

    assert.deepEqual(events[2]?.item, { type: 'message', channel: im, ts });
    assert.equal(events[2]?.reaction, 'tada');
    assert.equal(events[3]?.deleted_ts, ts);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('slow endpoint gets retry with same event_id', async () => {
  const { sim, bob, app } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver((_request, index) => (index === 0 ? { delayMs: 400 } : {}));
  try {
    await sim.setRequestUrl(app, receiver.url);
    await sim.postAsUser(bob.id, sim.openIm(bob.id, app.botUserId), 'slow');
    await sim.settle();

    const events = receiver.events();
    assert.equal(events.length, 2);
    assert.equal(events[1]?.envelope.event_id, events[0]?.envelope.event_id);
    assert.equal(events[0]?.headers['x-slack-retry-num'], undefined);
    assert.equal(events[1]?.headers['x-slack-retry-num'], '1');
    assert.equal(events[1]?.headers['x-slack-retry-reason'], 'http_timeout');

    const [delivery] = sim.deliveries();
    assert.equal(delivery?.outcome, 'acknowledged');
    assert.deepEqual(delivery?.attempts.map((a) => a.failure ?? 'ok'), ['http_timeout', 'ok']);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('http errors retried three times then failed', async () => {
  const { sim, bob, app } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver(() => ({ status: 500 }));
  try {
    await sim.setRequestUrl(app, receiver.url);
    await sim.postAsUser(bob.id, sim.openIm(bob.id, app.botUserId), 'broken');
    await sim.settle();

    const events = receiver.events();
    assert.deepEqual(events.map((e) => e.headers['x-slack-retry-num'] ?? '0'), ['0', '1', '2', '3']);
    assert.deepEqual(events.slice(1).map((e) => e.headers['x-slack-retry-reason']), ['http_error', 'http_error', 'http_error']);
    assert.equal(new Set(events.map((e) => e.envelope.event_id)).size, 1);
    assert.equal(sim.deliveries()[0]?.outcome, 'failed');
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('X-Slack-No-Retry stops retries', async () => {
  const { sim, bob, app } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver(() => ({ status: 503, headers: { 'x-slack-no-retry': '1' } }));
  try {
    await sim.setRequestUrl(app, receiver.url);
    await sim.postAsUser(bob.id, sim.openIm(bob.id, app.botUserId), 'stop');
    await sim.settle();
    // Give a wrongly scheduled retry time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 150));

    assert.equal(receiver.events().length, 1);
    assert.equal(sim.deliveries()[0]?.outcome, 'stopped_by_no_retry');
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('unreachable URL retried as connection_failed', async () => {
  const { sim, bob, workspace } = await startFixture(FAST_RETRIES);
  const closed = await startReceiver();
  await closed.close();
  try {
    const app = sim.installApp(workspace, { scopes: BOT_SCOPES, requestUrl: closed.url });
    await sim.postAsUser(bob.id, sim.openIm(bob.id, app.botUserId), 'anyone?');
    await sim.settle();

    const [delivery] = sim.deliveries();
    assert.equal(delivery?.outcome, 'failed');
    assert.deepEqual(delivery?.attempts.map((a) => a.failure), ['connection_failed', 'connection_failed', 'connection_failed', 'connection_failed']);
  } finally {
    await sim.stop();
  }
});

test('deliveries keep creation order', async () => {
  const { sim, bob, app } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver((_request, index) => ({ delayMs: index % 2 === 0 ? 30 : 0 }));
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);
    const sent: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      sent.push(await sim.postAsUser(bob.id, im, `n${i}`));
    }
    await sim.settle();

    assert.deepEqual(receiver.events().map((e) => e.envelope.event.ts), sent);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('setRequestUrl verifies the challenge', async () => {
  const { sim, app } = await startFixture(FAST_RETRIES);
  const receiver = await startReceiver();
  const silent = await startReceiver(() => ({ body: 'ok' }), { answerChallenge: false });
  const closed = await startReceiver();
  await closed.close();
  try {
    await assert.rejects(sim.setRequestUrl(app, silent.url), /did not return the challenge/);
    await assert.rejects(sim.setRequestUrl(app, closed.url), /connection_failed/);

    await sim.setRequestUrl(app, receiver.url);
    const request = receiver.requests.at(-1);
    const verification = JSON.parse(request?.body ?? '{}') as Record<string, unknown>;
    assert.equal(verification.type, 'url_verification');
    assert.equal(verification.token, app.verificationToken);
    assert.equal(typeof verification.challenge, 'string');
    const signature = String(request?.headers['x-slack-signature']);
    const timestamp = String(request?.headers['x-slack-request-timestamp']);
    assert.equal(verifySlackSignature(app.signingSecret, timestamp, request?.body ?? '', signature), true);
  } finally {
    await sim.stop();
    await receiver.close();
    await silent.close();
  }
});
