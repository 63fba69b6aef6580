// Prometheus metrics after real traffic: events in, deliveries out with their latency, the
// queue, connection state and policy denials, with no address or message text in any label.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import pino from 'pino';

import { orgPolicySchema } from '../../src/policy/model.js';
import { buildHttpServer } from '../../src/server/http.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

/** The value of one sample line, such as `name{a="b"}`, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('metrics', () => {
  let t: TestHub;
  let chat: AliceAndBob;

  before(async () => {
    t = await startTestHub();
    chat = await connectAliceAndBob(t.world);
  });
  after(() => t.stop());

  test('traffic shows in the metrics', async () => {
    const { webex, slack, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'counted but never labelled' });
    await waitFor('message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'counted but never labelled'));
    await t.hub.worker.drained();

    t.hub.policies.set('acme', orgPolicySchema.parse({ mode: 'block_list', domains: { 'globex.example': { allow: false } } }));
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'denied one' });
    await waitFor('denial notice', () => webex.inbox(people.alice.id).find((m) => m.text?.startsWith('Not delivered: the federation policy')));
    t.hub.policies.set('acme', orgPolicySchema.parse({}));

    const response = await fetch(`${t.hub.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.ok((sample(text, 'parley_events_received_total', { platform: 'webex', kind: 'message', outcome: 'committed' }) ?? 0) >= 2);
    assert.ok((sample(text, 'parley_deliveries_total', { platform: 'slack', kind: 'message' }) ?? 0) >= 1);
    assert.ok((sample(text, 'parley_delivery_latency_seconds_count', { platform: 'slack' }) ?? 0) >= 1);
    assert.equal(sample(text, 'parley_policy_denials_total', { kind: 'message' }), 1);
    assert.equal(sample(text, 'parley_connection_up', { connection: 'acme-webex', platform: 'webex' }), 1);
    assert.match(text, /^parley_outbox_depth \d+$/m);
    assert.match(text, /^parley_process_resident_memory_bytes \d+/m);
    assert.equal(/acme\.example|globex\.example|counted but never labelled|denied one/.test(text), false, 'an address or text reached the metrics');
  });
});

describe('metrics token', () => {
  test('metrics token required when set', async () => {
    const app = buildHttpServer({
      logger: pino({ level: 'silent' }),
      route: () => undefined,
      ready: async () => true,
      metrics: { read: async () => ({ contentType: 'text/plain', body: 'parley_up 1\n' }), token: 's3cret-scrape' },
    });
    const open = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(open.statusCode, 401);
    const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 401);
    const right = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer s3cret-scrape' } });
    assert.equal(right.statusCode, 200);
    assert.equal(right.body, 'parley_up 1\n');
    await app.close();
  });
});
