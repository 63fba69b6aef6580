import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { orgPolicySchema } from '../../src/policy/model.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

interface Membership {
  id: string;
  personId: string;
  personEmail?: string;
}

describe('A Webex space shared with a Slack contact', () => {
  let t: TestHub;
  let pair: AliceAndBob;
  let space = '';
  let mirror = '';
  let proxyId = '';

  before(async () => {
    t = await startTestHub();
    pair = await connectAliceAndBob(t.world);
  });
  after(() => t.stop());

  const members = async (roomId: string) =>
    (await t.world.webex.actAs(t.world.people.alice.token).request<{ items: Membership[] }>('GET', `/memberships?roomId=${roomId}`)).items;
  const aliceDm = () => t.world.webex.inbox(t.world.people.alice.id).filter((m) => m.personId === t.world.people.webexBot.id && m.roomId !== space);

  test('channel invite creates the Slack mirror', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    space = (await alice.createRoom('Launch plan')).id;
    await alice.addMember(space, { personId: people.carol.id });
    await alice.addMember(space, { personId: people.webexBot.id });
    await alice.sendMessage({ roomId: space, markdown: `<@personId:${people.webexBot.id}|Parley> channel invite bob@globex.example` });

    const intro = await waitFor('mirror intro in Slack', () =>
      slack.inbox(people.bob.id).find((m) => m.channel !== pair.bobChannel && m.channel !== pair.bobIm && m.text.includes('Launch plan')),
    );
    mirror = intro.channel;
    assert.match(intro.text, /Alice Anders \(alice@acme\.example, Webex\) added you to "Launch plan"/);
  });

  test("Bob's proxy joins the space", async () => {
    const { webex, people } = t.world;
    const joined = await waitFor('join note in the space', () =>
      webex.messagesIn(space).find((m) => m.personId === people.webexBot.id && m.text?.includes('now takes part')),
    );
    assert.match(joined.text ?? '', /Bob Builder \(bob@globex\.example, Slack\)/);
    const proxy = (await members(space)).find((m) => ![people.alice.id, people.carol.id, people.webexBot.id].includes(m.personId));
    assert.ok(proxy, 'a fourth member, the proxy, is in the space');
    proxyId = proxy.personId;
  });

  test('members appear in Slack by name', async () => {
    const { webex, slack, people } = t.world;
    await webex.actAs(people.carol.token).sendMessage({ roomId: space, markdown: 'Kick-off **moved** to Tuesday' });
    await webex.actAs(people.alice.token).sendMessage({ roomId: space, text: 'Agenda follows' });
    const carol = await waitFor("Carol's post in the mirror", () => slack.messages(mirror).find((m) => m.text.includes('Kick-off')));
    const alice = await waitFor("Alice's post in the mirror", () => slack.messages(mirror).find((m) => m.text.includes('Agenda follows')));
    assert.equal(carol.username, 'Carol Chen (acme.example)');
    assert.equal(carol.text, 'Kick-off *moved* to Tuesday');
    assert.equal(alice.username, 'Alice Anders (acme.example)');
  });

  test('mentioning the proxy notifies Bob', async () => {
    const { webex, slack, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: space, markdown: `<@personId:${proxyId}|Bob Builder (globex.example)> can you confirm?` });
    const post = await waitFor('mention in the mirror', () => slack.messages(mirror).find((m) => m.text.includes('can you confirm?')));
    assert.equal(post.text, `<@${people.bob.id}> can you confirm?`);
  });

  test('Slack posts reach the space as the proxy', async () => {
    const { webex, slack, people } = t.world;
    const ts = await slack.postAsUser(people.bob.id, mirror, 'Tuesday works for us');
    const post = await waitFor("Bob's post in the space", () => webex.messagesIn(space).find((m) => m.text === 'Tuesday works for us'));
    assert.equal(post.personId, proxyId);

    await slack.editAsUser(people.bob.id, mirror, ts, 'Tuesday at 10 works for us');
    await waitFor("Bob's edit in the space", () => webex.messagesIn(space).find((m) => m.id === post.id && m.text === 'Tuesday at 10 works for us'));
  });

  test('a file crosses into the mirror', async () => {
    const { webex, slack, people } = t.world;
    const bytes = Buffer.from('%PDF-1.4 launch checklist');
    await webex.actAs(people.carol.token).sendFile({ roomId: space, file: { name: 'Checklist v2.pdf', mediaType: 'application/pdf', bytes } });
    const file = await waitFor('file in the mirror', () => slack.filesIn(mirror).find((f) => f.name === 'Checklist v2.pdf'));
    assert.equal(file.size, bytes.length);
  });

  test('a Slack reaction reaches the space', async () => {
    const { webex, slack, people } = t.world;
    const carolPost = slack.messages(mirror).find((m) => m.text.includes('Kick-off'))!;
    await slack.reactAsUser(people.bob.id, mirror, carolPost.ts, 'thumbsup');
    const reply = await waitFor('reaction in the thread', () => webex.messagesIn(space).find((m) => m.text === 'reacted 👍'));
    const original = webex.messagesIn(space).find((m) => m.text?.includes('Kick-off'))!;
    assert.equal(reply.parentId, original.id);
    assert.equal(reply.personId, proxyId);
  });

  test('a command in the space is not relayed', async () => {
    const { slack } = t.world;
    await t.hub.worker.drained();
    assert.equal(slack.messages(mirror).filter((m) => m.text.includes('channel invite')).length, 0);
  });

  test('leaving the mirror removes the proxy', async () => {
    const { webex, slack, people } = t.world;
    slack.leave(mirror, people.bob.id);
    await waitFor('proxy gone from the space', async () => ((await members(space)).some((m) => m.personId === proxyId) ? undefined : true));
    const note = await waitFor('leave note in the space', () => webex.messagesIn(space).find((m) => m.text?.includes('left this space')));
    assert.match(note.text ?? '', /Bob Builder left/);
  });

  test('posts after leaving stay in the space', async () => {
    const { webex, slack, people } = t.world;
    const before = slack.messages(mirror).length;
    await webex.actAs(people.carol.token).sendMessage({ roomId: space, text: 'Only for Acme now' });
    await t.hub.worker.drained();
    assert.equal(slack.messages(mirror).length, before);
  });

  test('a second invite reuses the mirror', async () => {
    const { webex, slack, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: space, markdown: `<@personId:${people.webexBot.id}|Parley> channel invite bob@globex.example` });
    await waitFor('Bob back in the mirror', () => (slack.messages(mirror).filter((m) => m.text.includes('added you to')).length >= 2 ? true : undefined));
    await waitFor('proxy back in the space', async () => ((await members(space)).some((m) => m.personId === proxyId) ? true : undefined));
  });

  test('removing the proxy takes Bob out', async () => {
    const { webex, slack, people } = t.world;
    const membership = (await members(space)).find((m) => m.personId === proxyId)!;
    await webex.actAs(people.alice.token).request('DELETE', `/memberships/${membership.id}`);
    const notice = await waitFor('removal notice to Bob', () =>
      slack.inbox(people.bob.id).find((m) => m.channel === pair.bobIm && m.text.includes('taken out of "Launch plan"')),
    );
    assert.match(notice.text, /Webex space/);
    await waitFor('Bob kicked from the mirror', async () => {
      const info = await fetch(`${slack.url}/api/conversations.members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.world.slackApp.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ channel: mirror }).toString(),
      });
      const body = (await info.json()) as { members?: string[] };
      return body.members?.includes(people.bob.id) ? undefined : true;
    });
  });

  test('ending the contact ends the membership', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    await alice.sendMessage({ roomId: space, markdown: `<@personId:${people.webexBot.id}|Parley> channel invite bob@globex.example` });
    await waitFor('proxy back in the space', async () => ((await members(space)).some((m) => m.personId === proxyId) ? true : undefined));
    await alice.sendMessage({ toPersonEmail: people.webexBot.email, text: 'remove bob@globex.example' });
    await waitFor('proxy removed from the space', async () => ((await members(space)).some((m) => m.personId === proxyId) ? undefined : true));
    const notices = () => slack.inbox(people.bob.id).filter((m) => m.channel === pair.bobIm && m.text.includes('taken out of "Launch plan"'));
    await waitFor('second removal notice to Bob', () => (notices().length >= 2 ? true : undefined));
  });

  test('channel invite needs a contact', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: space, markdown: `<@personId:${people.webexBot.id}|Parley> channel invite dana@globex.example` });
    const reply = await waitFor('refusal to Alice', () => aliceDm().find((m) => m.text?.includes('dana@globex.example is not one of your Parley contacts')));
    assert.match(reply.text ?? '', /invite dana@globex\.example/);
  });
});

describe('A Slack channel shared with a Webex contact', () => {
  let t: TestHub;
  let pair: AliceAndBob;
  let channel = '';
  let mirror = '';

  before(async () => {
    t = await startTestHub();
    pair = await connectAliceAndBob(t.world);
    const { slack, people, slackApp } = t.world;
    channel = slack.createChannel(slackApp.teamId, { name: 'deals', members: [people.bob.id, people.dana.id, slackApp.botUserId] });
  });
  after(() => t.stop());

  test('channel invite creates a Webex space', async () => {
    const { webex, slack, people, slackApp } = t.world;
    await slack.postAsUser(people.bob.id, channel, `<@${slackApp.botUserId}> channel invite <mailto:alice@acme.example|alice@acme.example>`);
    const intro = await waitFor('mirror intro in Webex', () => webex.inbox(people.alice.id).find((m) => m.text?.includes('added you to "#deals"')));
    mirror = intro.roomId;
    assert.match(intro.text ?? '', /Bob Builder \(bob@globex\.example, Slack\)/);
    const note = await waitFor('join note in Slack', () => slack.messages(channel).find((m) => m.text.includes('now takes part')));
    assert.match(note.text, /Alice Anders/);
  });

  test('a member without a proxy is named', async () => {
    const { webex, slack, people } = t.world;
    await slack.postAsUser(people.dana.id, channel, 'Pricing sheet is ready');
    const post = await waitFor("Dana's post in Webex", () => webex.messagesIn(mirror).find((m) => m.text?.includes('Pricing sheet is ready')));
    assert.equal(post.text, 'Dana Diaz (globex.example): Pricing sheet is ready');
    assert.equal(post.personId, people.webexBot.id);
  });

  test('Webex replies reach the channel', async () => {
    const { webex, slack, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: mirror, text: 'Thanks, reviewing now' });
    const post = await waitFor("Alice's post in Slack", () => slack.messages(channel).find((m) => m.text === 'Thanks, reviewing now'));
    assert.equal(post.username, 'Alice Anders (acme.example)');
  });

  test('channel remove takes Alice out', async () => {
    const { webex, slack, people, slackApp } = t.world;
    await slack.postAsUser(people.bob.id, channel, `<@${slackApp.botUserId}> channel remove alice@acme.example`);
    const notice = await waitFor('removal notice to Alice', () => webex.inbox(people.alice.id).find((m) => m.text?.includes('taken out of "#deals"')));
    assert.match(notice.text ?? '', /Slack channel/);
    const alice = webex.actAs(people.alice.token);
    await waitFor('Alice gone from the space', async () => {
      const rooms = (await alice.request<{ items: Array<{ id: string }> }>('GET', '/rooms')).items;
      return rooms.some((r) => r.id === mirror) ? undefined : true;
    });
    await slack.postAsUser(people.bob.id, channel, `<@${slackApp.botUserId}> channel invite <mailto:alice@acme.example|alice@acme.example>`);
    await waitFor('Alice back in the space', async () => {
      const rooms = (await alice.request<{ items: Array<{ id: string }> }>('GET', '/rooms')).items;
      return rooms.some((r) => r.id === mirror) ? true : undefined;
    });
  });

  test('leaving the space notes it in Slack', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    const own = (await alice.request<{ items: Membership[] }>('GET', `/memberships?roomId=${mirror}&personId=${people.alice.id}`)).items[0]!;
    await alice.request('DELETE', `/memberships/${own.id}`);
    const note = await waitFor('leave note in Slack', () => slack.messages(channel).find((m) => m.text.includes('left this channel')));
    assert.match(note.text, /Alice Anders left/);
  });

  test('policy can switch invites off', async () => {
    const { slack, people, slackApp } = t.world;
    t.hub.policies.set('acme', orgPolicySchema.parse({ defaults: { features: { channel_invites: false } } }));
    await slack.postAsUser(people.bob.id, channel, `<@${slackApp.botUserId}> channel invite <mailto:alice@acme.example|alice@acme.example>`);
    const reply = await waitFor('refusal to Bob', () => slack.inbox(people.bob.id).find((m) => m.channel === pair.bobIm && m.text.includes('was not added')));
    assert.match(reply.text, /does not allow channel invitations/);
  });
});

describe('Shared channels refuse what they must', () => {
  let t: TestHub;
  let pair: AliceAndBob;
  let space = '';
  let mirror = '';

  before(async () => {
    t = await startTestHub();
    pair = await connectAliceAndBob(t.world);
  });
  after(() => t.stop());

  const invite = (roomId: string, email: string) =>
    t.world.webex.actAs(t.world.people.alice.token).sendMessage({ roomId, markdown: `<@personId:${t.world.people.webexBot.id}|Parley> channel invite ${email}` });
  const bobIm = () => t.world.slack.inbox(t.world.people.bob.id).filter((m) => m.channel === pair.bobIm);

  test('a 1:1 chat cannot be shared', async () => {
    const { slack, people, slackApp } = t.world;
    await slack.postAsUser(people.bob.id, pair.bobChannel, `<@${slackApp.botUserId}> channel invite <mailto:carol@acme.example|carol@acme.example>`);
    const reply = await waitFor('refusal to Bob', () => bobIm().find((m) => m.text.includes('cannot be shared')));
    assert.match(reply.text, /1:1 chat with a contact/);
  });

  test('a failed mirror leaves no member', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    space = (await alice.createRoom('Vendor review')).id;
    await alice.addMember(space, { personId: people.webexBot.id });
    slack.failNext({ method: 'conversations.create', error: 'restricted_action' });
    await invite(space, 'bob@globex.example');
    await waitFor('failure notice to Alice', () => webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.includes('restricted_action')));
    await t.hub.worker.drained();
    assert.equal(webex.messagesIn(space).filter((m) => m.text?.includes('now takes part')).length, 0);

    await invite(space, 'bob@globex.example');
    const intro = await waitFor('mirror on the second try', () => slack.inbox(people.bob.id).find((m) => m.text.includes('added you to "Vendor review"')));
    mirror = intro.channel;
  });

  test('uninvited mirror posts are refused', async () => {
    const { webex, slack, people } = t.world;
    slack.join(mirror, people.dana.id);
    await slack.postAsUser(people.dana.id, mirror, 'Dana was never invited');
    const notice = await waitFor('notice to Dana', () => slack.inbox(people.dana.id).find((m) => m.text.includes('Not delivered to "Vendor review"')));
    assert.match(notice.text, /only the people invited through Parley/);
    await t.hub.worker.drained();
    assert.equal(webex.messagesIn(space).filter((m) => m.text?.includes('never invited')).length, 0);
  });

  test('suspension takes the invitee out', async () => {
    const { webex, slack, people } = t.world;
    await t.hub.admin.setSuspended({ id: 'operator@hub', source: 'test' }, 'bob@globex.example', true);
    await waitFor('Bob out of the mirror', async () => {
      const response = await fetch(`${slack.url}/api/conversations.members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.world.slackApp.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ channel: mirror }).toString(),
      });
      const body = (await response.json()) as { members?: string[] };
      return body.members?.includes(people.bob.id) ? undefined : true;
    });
    await waitFor('leave note in the space', () => webex.messagesIn(space).find((m) => m.text?.includes('was removed from this space')));
  });
});
