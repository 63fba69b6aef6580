// Federation policy in force while people chat. An admin blocks the partner domain, so the
// next message either way stops with a notice to both users and a policy record in the
// metadata log. Queued deliveries are dropped, and lifting the block restores the chat.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { asId, type OrgId } from '../../src/core/ids.js';
import { orgPolicySchema } from '../../src/policy/model.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

const globex = asId<OrgId>('globex');

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
    await waitFor('notice to Bob', () => botToBob().find((m) => m.text.includes("alice@acme.example sent you a message that was not delivered: acme.example's federation policy blocks it.")));

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
    // Slack returns 429 for a while, so the message waits in the outbox.
    slack.failNext({ method: 'chat.postMessage', status: 429, retryAfter: 1, times: 3 });
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'queued then blocked' });
    await waitFor('delivery waiting', async () => ((await t.hub.store.outboxDepth()) > 0 ? true : undefined));
    t.hub.policies.set('globex', orgPolicySchema.parse({ users: { 'bob@globex.example': { federate: false } } }));

    await waitFor('dead letter', async () => (await t.hub.store.listDeadLetters()).find((d) => d.reason === 'policy_denied:globex'));
    await waitFor('notice to Alice', () => botToAlice().find((m) => m.text?.includes('the federation policy no longer allows it')));
    assert.equal(slack.messages(chat.bobChannel).some((m) => m.text === 'queued then blocked'), false);
    t.hub.policies.set('globex', orgPolicySchema.parse({}));
  });

  test('a suspended user neither sends nor receives', async () => {
    const { webex, slack, people } = t.world;
    const operator = { id: 'operator@hub', source: 'test' };
    await t.hub.admin.setSuspended(operator, 'bob@globex.example', true);

    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'to suspended bob' });
    await waitFor('notice to Alice', () => botToAlice().find((m) => m.text === 'Not delivered: bob@globex.example is suspended from federation by their organisation.'));
    await slack.postAsUser(people.bob.id, chat.bobChannel, 'from suspended bob');
    await waitFor('notice to Bob', () => botToBob().find((m) => m.text === 'Not delivered: bob@globex.example is suspended from federation by their organisation.'));

    await t.hub.admin.setSuspended(operator, 'bob@globex.example', false);
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'bob is back' });
    await waitFor('message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'bob is back'));
    assert.equal(slack.messages(chat.bobChannel).some((m) => m.text === 'to suspended bob'), false);
  });

  test('admin changes are audited and confined to the admin’s organisation', async () => {
    const globexAdmin = { id: 'admin@globex.example', source: '127.0.0.1', orgId: globex };
    await assert.rejects(() => t.hub.admin.setPolicy(globexAdmin, asId<OrgId>('acme'), {}), /No organisation acme/);
    await assert.rejects(() => t.hub.admin.setSuspended(globexAdmin, 'alice@acme.example', true), /No user with the address alice@acme\.example/);
    await assert.rejects(() => t.hub.admin.setPolicy(globexAdmin, globex, { mode: 'closed' }), /Invalid policy at mode: .*See "Federation policy"/);

    await t.hub.admin.setPolicy(globexAdmin, globex, { defaults: { features: { reactions: false } } });
    const [entry] = await t.hub.store.listAudit(globex, 1);
    assert.equal(entry?.action, 'policy.set');
    assert.equal(entry?.actor, 'admin@globex.example');
    assert.equal(entry?.source, '127.0.0.1');
    assert.match(entry?.newValue ?? '', /"reactions":false/);
    assert.doesNotMatch(entry?.oldValue ?? '', /"reactions":false/);
    await t.hub.admin.setPolicy(globexAdmin, globex, {});
  });

  test('revoking one contact ends it for both users', async () => {
    const { webex, slack, people } = t.world;
    const globexAdmin = { id: 'admin@globex.example', source: '127.0.0.1', orgId: globex };
    const contactId = await t.hub.admin.contactBetween(globexAdmin, 'bob@globex.example', 'alice@acme.example');
    await t.hub.admin.revokeContact(globexAdmin, contactId);

    await waitFor('notice to Bob', () => botToBob().find((m) => m.text.startsWith('Your organisation ended your contact with alice@acme.example')));
    await waitFor('notice to Alice', () => botToAlice().find((m) => m.text?.startsWith('The organisation of bob@globex.example ended your contact')));
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'after revoke' });
    await waitFor('not-connected notice', () => botToAlice().find((m) => m.text?.startsWith('Not delivered: you are no longer connected with bob@globex.example')));
    assert.equal(slack.messages(chat.bobChannel).some((m) => m.text === 'after revoke'), false);
    const [entry] = await t.hub.store.listAudit(globex, 1);
    assert.equal(entry?.action, 'contact.revoke');
  });

  test('a new partner domain waits for approval, then the invitation goes out', async () => {
    const { webex, slack, people } = t.world;
    const acmeAdmin = { id: 'admin@acme.example', source: '127.0.0.1', orgId: asId<OrgId>('acme') };
    await t.hub.admin.setPolicy(acmeAdmin, asId<OrgId>('acme'), { approval: true });
    const carolBot = () => webex.inbox(people.carol.id).filter((m) => m.personId === people.webexBot.id);

    await webex.actAs(people.carol.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite dana@globex.example' });
    await waitFor('Carol told it waits', () => carolBot().find((m) => m.text?.startsWith('Your invitation to dana@globex.example waits for an admin to approve globex.example')));
    assert.equal(slack.inbox(people.dana.id).some((m) => m.text.includes('Carol')), false, 'the request went out before approval');
    await webex.actAs(people.carol.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'contacts' });
    await waitFor('held invitation listed', () => carolBot().find((m) => m.text?.includes('Invitations waiting for an admin to approve the partner domain: dana@globex.example.')));
    assert.deepEqual(
      (await t.hub.admin.approvals(acmeAdmin, asId<OrgId>('acme'))).map((a) => [a.domain, a.invitations]),
      [['globex.example', 1]],
    );
    await assert.rejects(() => t.hub.admin.decideApproval(acmeAdmin, asId<OrgId>('acme'), 'initech.example', true), /No invitation waits for approval of initech\.example/);

    assert.deepEqual(await t.hub.admin.decideApproval(acmeAdmin, asId<OrgId>('acme'), 'globex.example', true), { sent: 1, declined: 0 });
    await waitFor('request reaches Dana', () => slack.inbox(people.dana.id).find((m) => m.text.includes('wants to connect')));
    await waitFor('Carol told it was sent', () => carolBot().find((m) => m.text?.startsWith('Your invitation to dana@globex.example was approved and sent')));
    assert.equal(t.hub.policies.get('acme').domains['globex.example']?.allow, true);
    const [entry] = await t.hub.store.listAudit(asId<OrgId>('acme'), 1);
    assert.equal(entry?.action, 'partner.approve');
  });

  test('org invitation limits apply', async () => {
    const { webex, slack, people, slackApp } = t.world;
    const globexAdmin = { id: 'admin@globex.example', source: '127.0.0.1', orgId: globex };
    await t.hub.admin.setPolicy(globexAdmin, globex, { invitations: { perUserPerDay: 1, expiryDays: 2 } });
    const bobIm = slack.openIm(people.bob.id, slackApp.botUserId);
    await slack.postAsUser(people.bob.id, bobIm, 'invite carol@acme.example');
    await waitFor('request reaches Carol', () => webex.inbox(people.carol.id).find((m) => m.text?.includes('Bob Builder') && m.text.includes('wants to connect')));
    const [invitation] = (await t.hub.store.views.invitations(globex, 10)).filter((i) => i.from === 'bob@globex.example' && i.to === 'carol@acme.example');
    const days = (invitation!.expiresAt - invitation!.createdAt) / (24 * 3600 * 1000);
    assert.equal(days, 2, "globex's two days, not the hub's seven");

    await slack.postAsUser(people.bob.id, bobIm, 'invite alice@acme.example');
    await waitFor('limit reply to Bob', () => botToBob().find((m) => m.text.startsWith('You have sent 1 invitations in the last 24 hours, the most allowed')));
    await t.hub.admin.setPolicy(globexAdmin, globex, {});
  });
});
