// The Slack Events API route under hostile input: forged, stale, replayed, oversized and
// malformed requests must be rejected or deduplicated without writing anything, and
// url_verification must return the challenge only for a correctly signed request.
//
// The event_callback bodies here are built by the test, not posted through the simulator,
// so each one reaches the hub only when the test sends it.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { signSlackRequest } from '../../sim/slack/index.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

interface Reply {
  status: number;
  body: string;
}

interface Counts {
  outbox: number;
  metadata: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Slack events route', () => {
  let t: TestHub;
  let routeUrl = '';
  let signingSecret = '';
  let secrets: string[] = [];
  let bobIm = '';
  const marker = `m${randomBytes(8).toString('hex')}`;
  const replies: Reply[] = [];

  before(async () => {
    t = await startTestHub();
    routeUrl = `${t.hub.url}/hooks/slack/globex-slack`;

    const connection = t.world.config().connections.find((c) => c.id === 'globex-slack');
    assert.ok(connection?.platform === 'slack', 'the world has no Slack connection globex-slack');
    signingSecret = connection.slack.signingSecret;
    secrets = [connection.slack.signingSecret, connection.slack.botToken];

    bobIm = t.world.slack.openIm(t.world.people.bob.id, t.world.slackApp.botUserId);
  });
  after(() => t.stop());

  async function post(body: string | Buffer, headers: Record<string, string>): Promise<Reply> {
    const response = await fetch(routeUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const reply = { status: response.status, body: await response.text() };
    replies.push(reply);
    return reply;
  }

  function signed(body: string, timestamp = nowSeconds(), key = signingSecret): Record<string, string> {
    return {
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(key, timestamp, body),
    };
  }

  /** Waits until the hub has delivered everything it queued, then reads the row counts. */
  async function settledCounts(): Promise<Counts> {
    await t.hub.worker.drained();
    return {
      outbox: await t.hub.store.outboxDepth(),
      metadata: (await t.hub.store.queryMetadata({ limit: 100_000 })).length,
    };
  }

  async function assertNothingWritten(before: Counts): Promise<void> {
    assert.equal(await t.hub.store.outboxDepth(), before.outbox, 'outbox depth changed');
    assert.equal((await t.hub.store.queryMetadata({ limit: 100_000 })).length, before.metadata, 'metadata rows were added');
  }

  const botRepliesToBob = () => t.world.slack.messages(bobIm).filter((m) => m.user === t.world.slackApp.botUserId);

  /** Builds an event_callback for a `help` message from Bob in his IM with the bot, with a new event_id each call. */
  function helpEvent(): string {
    const { slackApp, people } = t.world;
    const ts = `${nowSeconds()}.${randomBytes(3).readUIntBE(0, 3).toString().padStart(6, '0')}`;
    return JSON.stringify({
      token: slackApp.verificationToken,
      team_id: slackApp.teamId,
      api_app_id: slackApp.appId,
      event: {
        type: 'message',
        channel: bobIm,
        channel_type: 'im',
        user: people.bob.id,
        text: `help ${marker}`,
        ts,
        event_ts: ts,
      },
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: nowSeconds(),
    });
  }

  test('body signed with a wrong secret is rejected', async () => {
    const before = await settledCounts();
    const body = helpEvent();

    const reply = await post(body, signed(body, nowSeconds(), `${signingSecret}x`));

    assert.equal(reply.status, 401);
    assert.match(reply.body, /signature_invalid/);
    await assertNothingWritten(before);
  });

  test('body without a signature header is rejected', async () => {
    const before = await settledCounts();
    const body = helpEvent();

    const reply = await post(body, { 'x-slack-request-timestamp': String(nowSeconds()) });

    assert.equal(reply.status, 401);
    assert.match(reply.body, /signature_invalid/);
    await assertNothingWritten(before);
  });

  test('timestamp 301 s old is rejected as stale', async () => {
    const before = await settledCounts();
    const body = helpEvent();

    const reply = await post(body, signed(body, nowSeconds() - 301));

    assert.equal(reply.status, 401);
    assert.match(reply.body, /request_stale/);
    await assertNothingWritten(before);
  });

  test('body over 1 MiB is rejected as too large', async () => {
    const before = await settledCounts();
    const event = JSON.parse(helpEvent()) as Record<string, unknown>;
    const body = JSON.stringify({ ...event, padding: marker.repeat(Math.ceil((1024 * 1024) / marker.length)) });
    assert.ok(Buffer.byteLength(body) > 1024 * 1024);

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 413);
    await assertNothingWritten(before);
  });

  test('signed body that is not JSON is rejected', async () => {
    const before = await settledCounts();
    const body = `{"type": "event_callback", "text": "${marker}"`;

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 400);
    assert.match(reply.body, /payload_invalid/);
    await assertNothingWritten(before);
  });

  test('signed JSON without required fields is rejected', async () => {
    const before = await settledCounts();
    const event = JSON.parse(helpEvent()) as Record<string, unknown>;
    delete event.event_id;
    const body = JSON.stringify(event);

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 400);
    assert.match(reply.body, /payload_invalid/);
    await assertNothingWritten(before);
  });

  test('replayed and retried event is accepted once', async () => {
    const before = await settledCounts();
    const repliesBefore = botRepliesToBob().length;
    const body = helpEvent();
    const headers = signed(body);

    // The first request is valid and must write: otherwise the replay checks prove nothing.
    const first = await post(body, headers);
    assert.equal(first.status, 200);
    const afterFirst = await settledCounts();
    // One row for the command and one for the delivered reply.
    assert.equal(afterFirst.metadata, before.metadata + 2, 'the first request did not add two metadata rows');
    await waitFor('the help reply in Slack', () => botRepliesToBob().length === repliesBefore + 1);

    const replay = await post(body, headers);

    assert.equal(replay.status, 200);
    await assertNothingWritten(afterFirst);

    const retry = await post(body, { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });

    assert.equal(retry.status, 200);
    await assertNothingWritten(afterFirst);
    await t.hub.worker.drained();
    assert.equal(botRepliesToBob().length, repliesBefore + 1, 'the replay or retry was answered again');
  });

  test('signed url_verification echoes the challenge', async () => {
    const before = await settledCounts();
    const challenge = `c${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({ token: t.world.slackApp.verificationToken, challenge, type: 'url_verification' });

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { challenge });
    await assertNothingWritten(before);
  });

  test('url_verification with a bad signature is rejected', async () => {
    const before = await settledCounts();
    const challenge = `c${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({ token: t.world.slackApp.verificationToken, challenge, type: 'url_verification' });

    const reply = await post(body, signed(body, nowSeconds(), `${signingSecret}x`));

    assert.equal(reply.status, 401);
    assert.equal(reply.body.includes(challenge), false, 'the rejected request got its challenge back');
    await assertNothingWritten(before);
  });

  test('responses and logs carry no secret or message text', () => {
    assert.ok(replies.length >= 11);
    for (const reply of replies) {
      for (const value of secrets) assert.equal(reply.body.includes(value), false, `HTTP ${reply.status} response contains a secret`);
      assert.equal(reply.body.includes(marker), false, `HTTP ${reply.status} response contains message text`);
    }

    const logText = t.logs.join('');
    assert.ok(logText.includes('Slack event rejected.'), 'the hub logged no rejected event');
    for (const value of secrets) assert.equal(logText.includes(value), false, 'hub logs contain a secret');
    assert.equal(logText.includes(marker), false, 'hub logs contain message text');
  });
});
