// The Webex webhook route under hostile input: forged, stale, replayed, oversized and
// malformed deliveries must be rejected or deduplicated without writing anything.
//
// The tests delete the hub's bot webhook from the simulator first, so the simulator never
// delivers Alice's messages itself. Each envelope here is then the only delivery of its
// message, and a check missing in the hub shows up as new rows.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { sparkSignature, type SimWebhook } from '../../sim/webex/index.js';
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

describe('Webex webhook route', () => {
  let t: TestHub;
  let routeUrl = '';
  let secret = '';
  let secrets: string[] = [];
  let botWebhook: SimWebhook;
  const marker = `m${randomBytes(8).toString('hex')}`;
  const replies: Reply[] = [];

  before(async () => {
    t = await startTestHub();
    routeUrl = `${t.hub.url}/hooks/webex/acme-webex`;

    const connection = t.world.config().connections.find((c) => c.id === 'acme-webex');
    assert.ok(connection?.platform === 'webex', 'the world has no Webex connection acme-webex');
    secret = connection.webex.webhookSecret;
    secrets = [connection.webex.webhookSecret, connection.webex.botToken, connection.webex.guestToken];

    const { webex, people } = t.world;
    botWebhook = await waitFor('the hub registers its bot webhook', () =>
      webex.webhooks().find((w) => w.createdBy === people.webexBot.id && w.targetUrl === routeUrl),
    );
    await webex.actAs(people.webexBot.token).request('DELETE', `/webhooks/${botWebhook.id}`);
  });
  after(() => t.stop());

  async function post(body: string | Buffer, headers: Record<string, string>): Promise<Reply> {
    const response = await fetch(routeUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const reply = { status: response.status, body: await response.text() };
    replies.push(reply);
    return reply;
  }

  function signed(body: string | Buffer, key = secret): Record<string, string> {
    return { 'x-spark-signature': sparkSignature(key, body) };
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

  const botRepliesToAlice = () =>
    t.world.webex.inbox(t.world.people.alice.id).filter((m) => m.personId === t.world.people.webexBot.id);

  /** Sends a real `help` command from Alice to the bot and returns its webhook envelope, which nothing has delivered. */
  async function helpEnvelope(overrides: { created?: string } = {}): Promise<Record<string, unknown>> {
    const { webex, people } = t.world;
    const message = await webex.actAs(people.alice.token).sendMessage({
      toPersonEmail: people.webexBot.email,
      text: `help ${marker}`,
    });
    return {
      id: botWebhook.id,
      name: botWebhook.name,
      targetUrl: botWebhook.targetUrl,
      resource: 'messages',
      event: 'created',
      filter: botWebhook.filter,
      orgId: botWebhook.orgId,
      createdBy: people.webexBot.id,
      appId: botWebhook.appId,
      ownedBy: 'creator',
      status: 'active',
      created: botWebhook.created,
      actorId: people.alice.id,
      data: {
        id: message.id,
        roomId: message.roomId,
        roomType: 'direct',
        personId: people.alice.id,
        personEmail: people.alice.email,
        created: overrides.created ?? message.created,
      },
    };
  }

  test('body signed with a wrong secret is rejected', async () => {
    const before = await settledCounts();
    const body = JSON.stringify(await helpEnvelope());

    const reply = await post(body, signed(body, `${secret}x`));

    assert.equal(reply.status, 401);
    await assertNothingWritten(before);
  });

  test('body without a signature header is rejected', async () => {
    const before = await settledCounts();
    const body = JSON.stringify(await helpEnvelope());

    const reply = await post(body, {});

    assert.equal(reply.status, 401);
    await assertNothingWritten(before);
  });

  test('event created over 300 s ago is rejected as stale', async () => {
    const before = await settledCounts();
    const created = new Date(Date.now() - 301_000).toISOString();
    const body = JSON.stringify(await helpEnvelope({ created }));

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 401);
    assert.match(reply.body, /request_stale/);
    await assertNothingWritten(before);
  });

  test('body over 64 KiB is rejected as too large', async () => {
    const before = await settledCounts();
    const envelope = await helpEnvelope();
    const body = JSON.stringify({ ...envelope, padding: marker.repeat(Math.ceil((64 * 1024) / marker.length)) });
    assert.ok(Buffer.byteLength(body) > 64 * 1024);

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 413);
    await assertNothingWritten(before);
  });

  test('signed body that is not JSON is rejected', async () => {
    const before = await settledCounts();
    const body = `{"resource": "messages", "text": "${marker}"`;

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 400);
    assert.match(reply.body, /payload_invalid/);
    await assertNothingWritten(before);
  });

  test('signed JSON without required fields is rejected', async () => {
    const before = await settledCounts();
    const envelope = await helpEnvelope();
    const body = JSON.stringify({ ...envelope, data: { roomId: 'r', personId: t.world.people.alice.id } });

    const reply = await post(body, signed(body));

    assert.equal(reply.status, 400);
    assert.match(reply.body, /payload_invalid/);
    await assertNothingWritten(before);
  });

  test('replayed delivery is accepted once and deduplicated', async () => {
    const before = await settledCounts();
    const repliesBefore = botRepliesToAlice().length;
    const body = JSON.stringify(await helpEnvelope());
    const headers = signed(body);

    // The first delivery is valid and must write: otherwise the replay check proves nothing.
    const first = await post(body, headers);
    assert.equal(first.status, 200);
    const afterFirst = await settledCounts();
    // One row for the command and one for the delivered reply.
    assert.equal(afterFirst.metadata, before.metadata + 2, 'the first delivery did not add two metadata rows');
    await waitFor('the help reply in Webex', () => botRepliesToAlice().length === repliesBefore + 1);

    const replay = await post(body, headers);

    assert.equal(replay.status, 200);
    await assertNothingWritten(afterFirst);
    await t.hub.worker.drained();
    assert.equal(botRepliesToAlice().length, repliesBefore + 1, 'the replay was answered a second time');
  });

  test('responses and logs carry no secret or message text', () => {
    assert.ok(replies.length >= 8);
    for (const reply of replies) {
      for (const value of secrets) assert.equal(reply.body.includes(value), false, `HTTP ${reply.status} response contains a secret`);
      assert.equal(reply.body.includes(marker), false, `HTTP ${reply.status} response contains message text`);
    }

    const logText = t.logs.join('');
    assert.ok(logText.includes('Webex webhook rejected.'), 'the hub logged no rejected webhook');
    for (const value of secrets) assert.equal(logText.includes(value), false, 'hub logs contain a secret');
    assert.equal(logText.includes(marker), false, 'hub logs contain message text');
  });
});
