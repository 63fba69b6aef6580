// Federation policy in force while people chat: an admin blocks the partner domain, the next
// message either way is stopped with a notice to both users and a policy record in the
// metadata log, queued deliveries are dropped, and lifting the block restores the chat.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { orgPolicySchema } from '../../src/policy/model.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

describe('federation policy', () => {
  let t: TestHub;
  let chat: AliceAndBob;
  const block = orgPolicySchema.parse({ mode: 'block_list', domains: { 'globex.example': { allow: false } } });

  before(async () => {
    t = await startTestHub({ delivery: { maxAttempts: 20 } });
    chat = await connectAliceAndBob(t.world);
  });
  after(() => t.stop());

  const botToAlice = () => t.world.webex.inbox(t.world.people.alice.id).filter((m) => m.personId === t.world.people.webexBot.id);
  const botToBob = () => t.world.slack.inbox(t.world.people.bob.id).filter((m) => m.channel === chat.bobIm);

  test('a blocked domain stops messages both ways with notices', async () => {
    const { webex, slack, people } = t.world;
    t.hub.policies.set('acme', block);

    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'blocked one' });
    const toAlice = await waitFor('notice to Alice', () => botToAlice().find((m) => m.text?.startsWith('Not delivered: the federation policy of your organisation')));
    assert.match(toAlice.text ?? '', /does not allow messages between you and bob@globex\.example/);
    await waitFor('notice to Bob', () => botToBob().find((m) => m.text.includes('alice@acme.example sent you a message that was not delivered')));

    await slack.postAsUser(people.bob.id, chat.bobChannel, 'blocked two');
    await waitFor('notice to Bob about his message', () => botToBob().find((m) => m.text.startsWith('Not delivered: the federation policy of acme.example')));
    await t.hub.worker.drained();

    assert.equal(slack.messages(chat.bobChannel).some((m) => m.text === 'blocked one'), false);
    assert.equal(webex.messagesIn(chat.aliceRoom).some((m) => m.text === 'blocked two'), false);
    const denied = (await t.hub.store.queryMetadata({})).filter((r) => r.outcome === 'policy_denied');
    assert.equal(denied.length, 2);
    assert.deepEqual(denied.map((r) => r.eventKind), ['message', 'message']);
  });

  test('an invitation into a blocked domain is refused', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.carol.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite dana@globex.example' });
    await waitFor('refusal to Carol', () =>
      webex.inbox(people.carol.id).find((m) => m.personId === people.webexBot.id && m.text?.startsWith('Invitation not sent: the federation policy')),
    );
  });

  test('lifting the block restores the chat', async () => {
    const { webex, slack, people } = t.world;
    t.hub.policies.set('acme', orgPolicySchema.parse({}));
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'open again' });
    await waitFor('message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'open again'));
  });

  test('a queued delivery is dropped when the policy changes', async () => {
    const { webex, slack, people } = t.world;
    // Slack answers 429 for a while, so the message waits in the outbox.
    slack.failNext({ method: 'chat.postMessage', status: 429, retryAfter: 1, times: 3 });
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'queued then blocked' });
    await waitFor('delivery waiting', async () => ((await t.hub.store.outboxDepth()) > 0 ? true : undefined));
    t.hub.policies.set('globex', orgPolicySchema.parse({ users: { 'bob@globex.example': { federate: false } } }));

    await waitFor('dead letter', async () => (await t.hub.store.listDeadLetters()).find((d) => d.reason === 'policy_denied'));
    await waitFor('notice to Alice', () => botToAlice().find((m) => m.text?.includes('the federation policy no longer allows it')));
    assert.equal(slack.messages(chat.bobChannel).some((m) => m.text === 'queued then blocked'), false);
    t.hub.policies.set('globex', orgPolicySchema.parse({}));
  });
});
