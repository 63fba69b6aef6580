// Conformance with the published Slack specs: the event wrapper JSON Schema, the key sets of
// the java-slack-sdk sample payloads, and the docs.slack.dev method reference (scopes, tier,
// HTTP method). Skipped when the spec folder is absent.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { METHOD_SPECS } from '../../../sim/slack/index.js';
import type { SlackSimulator } from '../../../sim/slack/index.js';
import { loadSpecs } from '../../kit/specs.js';
import { startFixture, startReceiver } from './helpers.js';
import { compileWrapperSchema, unknownKeys } from './sample-keys.js';

const specs = loadSpecs();
const SKIP_NOTICE = 'spec folder ../shared/specs not found; skipping conformance checks';

async function callRaw(sim: SlackSimulator, token: string, method: string, args: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body.ok, true, `${method} failed: ${String(body.error)}`);
  return body;
}

test('scope table matches docs.slack.dev', (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }

  for (const [method, spec] of Object.entries(METHOD_SPECS)) {
    const doc = specs.readJson(`slack/slack-api-ref/docs.slack.dev/methods/${method}.json`) as {
      scope?: { bot?: string[] };
      rate_limits?: string;
      http_method?: string;
    };

    const documented = [...(doc.scope?.bot ?? [])].sort();
    assert.deepEqual([...spec.scopes].sort(), documented, `${method} bot scopes`);

    const tier = doc.rate_limits === 't5' ? 'special' : Number(doc.rate_limits?.slice(1));
    assert.equal(spec.tier, tier, `${method} rate tier`);
    assert.equal(spec.get, doc.http_method === 'GET', `${method} http_method`);

    for (const [type, scopes] of Object.entries(spec.scopesByType ?? {})) {
      for (const scope of scopes) {
        assert.ok(documented.includes(scope), `${method} ${type} scope ${scope} is documented`);
      }
    }
  }
});

test('API responses use sample keys', async (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }

  const { sim, bob, app } = await startFixture();
  try {
    const token = app.botToken;
    const im = sim.openIm(bob.id, app.botUserId);
    const userTs = await sim.postAsUser(bob.id, im, 'hi');

    const responses: Array<[string, Record<string, unknown>]> = [
      ['auth.test', await callRaw(sim, token, 'auth.test', {})],
      ['users.lookupByEmail', await callRaw(sim, token, 'users.lookupByEmail', { email: 'bob@globex.example' })],
      ['users.info', await callRaw(sim, token, 'users.info', { user: bob.id })],
      ['users.profile.get', await callRaw(sim, token, 'users.profile.get', { user: bob.id })],
      ['bots.info', await callRaw(sim, token, 'bots.info', { bot: app.botId })],
      ['conversations.open', await callRaw(sim, token, 'conversations.open', { users: bob.id })],
      ['conversations.open', await callRaw(sim, token, 'conversations.open', { users: bob.id, return_im: 'true' })],
      ['conversations.members', await callRaw(sim, token, 'conversations.members', { channel: im })],
      [
        'chat.postMessage',
        await callRaw(sim, token, 'chat.postMessage', {
          channel: im,
          text: 'plain',
          metadata: JSON.stringify({ event_type: 'relay', event_payload: { id: 1 } }),
        }),
      ],
      ['chat.postMessage', await callRaw(sim, token, 'chat.postMessage', { channel: im, text: 'custom', username: 'Ann', icon_url: 'https://i.example/a.png' })],
      ['chat.postMessage', await callRaw(sim, token, 'chat.postMessage', { channel: im, text: 'reply', thread_ts: userTs })],
      ['chat.postEphemeral', await callRaw(sim, token, 'chat.postEphemeral', { channel: im, user: bob.id, text: 'psst' })],
      ['reactions.add', await callRaw(sim, token, 'reactions.add', { channel: im, timestamp: userTs, name: 'eyes' })],
    ];

    const created = await callRaw(sim, token, 'conversations.create', { name: 'conformance', is_private: 'true' });
    const channel = (created.channel as { id: string }).id;
    responses.push(['conversations.info', await callRaw(sim, token, 'conversations.info', { channel })]);

    const posted = await callRaw(sim, token, 'chat.postMessage', { channel: im, text: 'to edit' });
    responses.push(['chat.update', await callRaw(sim, token, 'chat.update', { channel: im, ts: String(posted.ts), text: 'edited' })]);
    responses.push(['chat.delete', await callRaw(sim, token, 'chat.delete', { channel: im, ts: String(posted.ts) })]);

    for (const [method, body] of responses) {
      const sample = specs.readJson(`slack/java-slack-sdk-samples/api/${method}.json`);
      assert.deepEqual(unknownKeys(body, sample), [], `${method} keys`);
    }
  } finally {
    await sim.stop();
  }
});

test('event envelopes match wrapper schema and samples', async (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }

  const { sim, bob, app, client } = await startFixture({ retryDelaysMs: [0, 50, 100], ackTimeoutMs: 500 });
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);
    const ts = await sim.postAsUser(bob.id, im, 'hello');
    await sim.postAsUser(bob.id, im, 'in thread', { threadTs: ts });
    await client.chat.postMessage({ channel: im, text: 'bot', metadata: { event_type: 'relay', event_payload: { id: 1 } } });
    await client.chat.postMessage({ channel: im, text: 'custom', username: 'Ann', icon_url: 'https://i.example/a.png' });
    await sim.editAsUser(bob.id, im, ts, 'hello again');
    await sim.reactAsUser(bob.id, im, ts, 'eyes');
    await sim.deleteAsUser(bob.id, im, ts);
    await sim.settle();

    const validate = compileWrapperSchema(specs);

    const events = receiver.events();
    assert.equal(events.length, 7);

    const sampleFile = (event: Record<string, unknown>): string => {
      if (event.type === 'reaction_added') return 'ReactionAddedPayload';
      if (event.subtype === 'bot_message') return 'MessageBotPayload';
      if (event.subtype === 'message_changed') return 'MessageChangedPayload';
      if (event.subtype === 'message_deleted') return 'MessageDeletedPayload';
      return 'MessagePayload';
    };

    for (const { envelope } of events) {
      assert.equal(validate(envelope), true, JSON.stringify(validate.errors));

      const sample = specs.readJson(`slack/java-slack-sdk-samples/events/${sampleFile(envelope.event)}.json`) as Record<string, unknown>;
      const label = String(envelope.event.subtype ?? envelope.event.type);
      assert.deepEqual(unknownKeys(envelope.event, sample.event), [], `${label} event keys`);

      const { event: _event, ...wrapper } = envelope;
      const messageSample = specs.readJson('slack/java-slack-sdk-samples/events/MessagePayload.json') as Record<string, unknown>;
      const { event: _sampleEvent, ...sampleWrapper } = messageSample;
      assert.deepEqual(unknownKeys(wrapper, sampleWrapper), [], `${label} envelope keys`);
    }
  } finally {
    await sim.stop();
    await receiver.close();
  }
});
