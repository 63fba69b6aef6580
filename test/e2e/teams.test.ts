// Microsoft Teams users chat with Webex and Slack users through the Teams simulator: the
// Bot Framework's signed activities in, Bot Connector calls out.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import Database from 'better-sqlite3';
import contentDisposition from 'content-disposition';

import type { TeamsSimulator } from '../../sim/teams/index.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

describe('Teams users chat with Webex and Slack', () => {
  let t: TestHub;
  let teams: TeamsSimulator;
  let pair: AliceAndBob;
  let aliceRoom = '';
  const ivy = 'ivy@hooli.example';

  before(async () => {
    t = await startTestHub({ teams: {}, delivery: { maxAttempts: 20 } });
    teams = t.world.teams!;
    pair = await connectAliceAndBob(t.world);
    teams.installApp(ivy);
    await teams.settle();
  });
  after(() => t.stop());

  const ivyGot = () => teams.botMessages(ivy).filter((m) => !m.deleted);

  test('invite from Webex shows a card', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: `invite ${ivy}` });
    const card = await waitFor('contact request card', () => ivyGot().find((m) => m.attachments.some((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')));
    assert.match(card.text ?? '', /Alice Anders \(alice@acme\.example, Webex\) wants to connect/);
  });

  test('the accept button connects', async () => {
    const { webex, people } = t.world;
    teams.sendMessage(ivy, '', { value: { parleyAction: 'accept', email: 'alice@acme.example' } });
    const greeting = await waitFor('proxy greeting in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text?.includes('Ivy Ito')),
    );
    aliceRoom = greeting.roomId;
    assert.match(greeting.text ?? '', /is now your contact/);
  });

  test('messages cross both ways', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, markdown: 'Draft is **ready**' });
    const post = await waitFor('message in Teams', () => ivyGot().find((m) => m.text?.includes('Draft is')));
    assert.equal(post.text, '**Alice Anders (acme.example):** Draft is **ready**');

    teams.sendMessage(ivy, 'Thanks, reading it now');
    const reply = await waitFor('reply in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'Thanks, reading it now'));
    assert.notEqual(reply.personId, people.webexBot.id);
  });

  test('a mention of Ivy notifies her', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, markdown: '<@personEmail:ivy@hooli.example|Ivy> please check' });
    const post = await waitFor('mention in Teams', () => ivyGot().find((m) => m.text?.includes('please check')));
    assert.equal(post.text, '**Alice Anders (acme.example):** <at>Ivy Ito</at> please check');
    const mention = post.entities.find((e) => e.type === 'mention') as { mentioned?: { id?: string } } | undefined;
    assert.equal(mention?.mentioned?.id, teams.user(ivy).id);
  });

  test('edits and deletes reach Webex', async () => {
    const { webex } = t.world;
    const id = teams.sendMessage(ivy, 'Meet at 3');
    const copy = await waitFor('message in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'Meet at 3'));
    teams.editMessage(ivy, id, 'Meet at 4');
    await waitFor('edit in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.id === copy.id && m.text === 'Meet at 4'));
    teams.editMessage(ivy, id, 'Meet at 5');
    await waitFor('second edit in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.id === copy.id && m.text === 'Meet at 5'));
    teams.deleteMessage(ivy, id);
    await waitFor('deletion in Webex', () => (webex.messagesIn(aliceRoom).some((m) => m.id === copy.id) ? undefined : true));
  });

  test('Webex edits and deletes reach Teams', async () => {
    const { webex, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    const sent = await alice.sendMessage({ roomId: aliceRoom, text: 'Price is 10' });
    const copy = await waitFor('message in Teams', () => ivyGot().find((m) => m.text?.includes('Price is 10')));
    await alice.editMessage(sent.id, { roomId: aliceRoom, text: 'Price is 12' });
    await waitFor('edit in Teams', () => teams.botMessages(ivy).find((m) => m.id === copy.id && m.text?.includes('Price is 12')));
    await alice.deleteMessage(sent.id);
    await waitFor('deletion in Teams', () => teams.botMessages(ivy).find((m) => m.id === copy.id && m.deleted));
  });

  test('a Teams reaction reaches Webex', async () => {
    const { webex } = t.world;
    const post = ivyGot().find((m) => m.text?.includes('Draft is'))!;
    teams.react(ivy, post.id, 'like', 'added');
    const reply = await waitFor('reaction in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'reacted 👍'));
    const original = webex.messagesIn(aliceRoom).find((m) => m.text?.includes('Draft is'))!;
    assert.equal(reply.parentId, original.id);
  });

  test('a Teams file reaches Webex', async () => {
    const { webex, people } = t.world;
    teams.sendFile(ivy, { name: 'Roadmap 2027.pdf', bytes: Buffer.from('%PDF roadmap'), contentType: 'application/pdf' });
    const posted = await waitFor('file in Webex', () => webex.messagesIn(aliceRoom).find((m) => (m.files?.length ?? 0) > 0));
    const content = await webex.actAs(people.alice.token).downloadContent(posted.files![0]!);
    assert.equal(contentDisposition.parse(content.headers['content-disposition']!).parameters.filename, 'Roadmap 2027.pdf');
  });

  test('a file to Teams asks consent', async () => {
    const { webex, people } = t.world;
    const bytes = Buffer.from('quarterly plan, final');
    await webex.actAs(people.alice.token).sendFile({ roomId: aliceRoom, file: { name: 'Q3 plan é.txt', mediaType: 'text/plain', bytes } });
    const card = await waitFor('consent card', () =>
      ivyGot().find((m) => m.attachments.some((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent')),
    );
    assert.equal(card.attachments[0]?.name, 'Q3 plan é.txt');
    const answer = await teams.acceptFileConsent(ivy, card.id);
    assert.equal(answer.status, 200);
    const info = await waitFor('file info card', () => ivyGot().find((m) => m.attachments.some((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.info')));
    assert.equal(info.attachments[0]?.name, 'Q3 plan é.txt');
    assert.deepEqual(Buffer.from(teams.uploadedFiles()[0]!.bytes), bytes);
  });

  test('a declined file is not saved', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendFile({ roomId: aliceRoom, file: { name: 'draft.txt', mediaType: 'text/plain', bytes: Buffer.from('draft') } });
    const card = await waitFor('second consent card', () => ivyGot().find((m) => m.attachments.some((a) => a.name === 'draft.txt')));
    await teams.declineFileConsent(ivy, card.id);
    await waitFor('decline note', () => ivyGot().find((m) => m.text === 'You declined draft.txt; it was not saved.'));
    assert.equal(teams.uploadedFiles().length, 1);
  });

  test('forged activities are refused', async () => {
    const before = t.world.webex.messagesIn(aliceRoom).length;
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<string>, string?]> = [
      ['expired', teams.signToken({ nbf: now - 7200, exp: now - 600 })],
      ['not yet valid', teams.signToken({ nbf: now + 600 })],
      ['wrong audience', teams.signToken({ aud: 'another-bot' })],
      ['wrong issuer', teams.signToken({ iss: 'https://sts.windows.net/evil/' })],
      ['unknown key id', teams.signToken({}, { kid: 'no-such-key' })],
      ['key without msteams', teams.signToken({}, { key: 'unendorsed' })],
      ['other serviceurl', teams.signToken({ serviceurl: 'https://attacker.example/' })],
      ['alg none', teams.signToken({}, { alg: 'none' })],
      ['unpublished key', teams.signToken({}, { key: 'unpublished' })],
      ['no token', Promise.resolve('')],
      // A key endorsed for Web Chat, and an activity that names Web Chat as its channel.
      ['web chat', teams.signToken({}, { key: 'unendorsed' }), 'webchat'],
    ];
    const user = teams.user(ivy);
    for (const [name, token, channelId] of cases) {
      const response = await fetch(`${t.hub.url}/hooks/teams/hooli-teams`, {
        method: 'POST',
        headers: { ...((await token) ? { authorization: `Bearer ${await token}` } : {}), 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: `forged-${name}`,
          channelId: channelId ?? 'msteams',
          serviceUrl: teams.serviceUrl,
          from: { id: user.id, name: 'Ivy Ito' },
          conversation: { id: teams.conversationId(ivy), conversationType: 'personal' },
          text: `forged ${name}`,
        }),
      });
      assert.equal(response.status, 401, name);
    }
    await t.hub.worker.drained();
    assert.equal(t.world.webex.messagesIn(aliceRoom).length, before);
  });

  test('a lost chat is opened again', async () => {
    const { webex, people } = t.world;
    // The stored chat is cleared, as after a reinstall, so the hub opens it again with POST /v3/conversations.
    await t.hub.store.setState('hooli-teams' as never, `conversation:${teams.user(ivy).id}`, '');
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: 'reopened chat' });
    await waitFor('message in Teams', () => ivyGot().find((m) => m.text?.includes('reopened chat')));
  });

  test('transient Connector errors are retried', async () => {
    const { webex, people } = t.world;
    teams.failNext('sendToConversation', 412);
    teams.failNext('sendToConversation', 502);
    teams.failNext('sendToConversation', 504);
    teams.failNext('sendToConversation', 429, { retryAfter: 1 });
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: 'through four errors' });
    await waitFor('message in Teams', () => ivyGot().find((m) => m.text?.includes('through four errors')), 30_000);
    assert.equal(ivyGot().filter((m) => m.text?.includes('through four errors')).length, 1);
  });

  test('a second contact needs a choice', async () => {
    const { slack, people } = t.world;
    await slack.postAsUser(people.bob.id, pair.bobIm, `invite ${ivy}`);
    await waitFor('second card', () => ivyGot().find((m) => m.text?.includes('Bob Builder')));
    teams.sendMessage(ivy, 'accept bob@globex.example');
    await waitFor('greeting in Slack', () => slack.inbox(people.bob.id).find((m) => m.username === 'Ivy Ito (hooli.example)'));
    await waitFor('greeting in Teams', () => ivyGot().find((m) => m.text?.includes('Bob Builder (bob@globex.example) is now your contact through Parley. Their messages arrive here')));

    teams.sendMessage(ivy, 'Who gets this?');
    const prompt = await waitFor('choice prompt', () => ivyGot().find((m) => m.text?.includes('several contacts')));
    assert.match(prompt.text ?? '', /chat <email>/);
  });

  test('a reply goes to its contact', async () => {
    const { slack, people } = t.world;
    const channel = slack.inbox(people.bob.id).find((m) => m.username === 'Ivy Ito (hooli.example)')!.channel;
    await slack.postAsUser(people.bob.id, channel, 'Ping from Globex');
    const ping = await waitFor('Bob in Teams', () => ivyGot().find((m) => m.text?.includes('Ping from Globex')));
    teams.sendMessage(ivy, 'Pong to Globex', { replyToId: ping.id });
    await waitFor('reply in Slack', () => slack.messages(channel).find((m) => m.text === 'Pong to Globex'));
  });

  test('Slack edits and Teams reactions cross', async () => {
    const { slack, people } = t.world;
    const channel = slack.inbox(people.bob.id).find((m) => m.username === 'Ivy Ito (hooli.example)')!.channel;
    const ts = await slack.postAsUser(people.bob.id, channel, 'Offer is 5%');
    const copy = await waitFor('Bob in Teams', () => ivyGot().find((m) => m.text?.includes('Offer is 5%')));
    await slack.editAsUser(people.bob.id, channel, ts, 'Offer is 7%');
    await waitFor('edit in Teams', () => teams.botMessages(ivy).find((m) => m.id === copy.id && m.text?.includes('Offer is 7%')));
    teams.react(ivy, copy.id, 'heart', 'added');
    await waitFor('reaction in Slack', () => slack.messages(channel).find((m) => m.ts === ts && (m.reactions ?? []).some((r) => r.name === 'heart')));
  });

  test('files and deletions cross with Slack', async () => {
    const { slack, people } = t.world;
    const channel = slack.inbox(people.bob.id).find((m) => m.username === 'Ivy Ito (hooli.example)')!.channel;
    await slack.shareFileAsUser(people.bob.id, channel, { name: 'terms v2.pdf', mediaType: 'application/pdf', bytes: Buffer.from('%PDF terms') });
    const card = await waitFor('consent card from Bob', () => ivyGot().find((m) => m.attachments.some((a) => a.name === 'terms v2.pdf')));
    await teams.acceptFileConsent(ivy, card.id);
    await waitFor('file saved in Teams', () => teams.uploadedFiles().find((f) => Buffer.from(f.bytes).toString() === '%PDF terms'));

    teams.sendFile(ivy, { name: 'signed.pdf', bytes: Buffer.from('%PDF signed'), contentType: 'application/pdf' });
    await waitFor('file in Slack', () => slack.filesIn(channel).find((f) => f.name === 'signed.pdf'));

    const ts = await slack.postAsUser(people.bob.id, channel, 'Wrong offer, ignore');
    const copy = await waitFor('Bob in Teams', () => ivyGot().find((m) => m.text?.includes('Wrong offer')));
    await slack.deleteAsUser(people.bob.id, channel, ts);
    await waitFor('deletion in Teams', () => teams.botMessages(ivy).find((m) => m.id === copy.id && m.deleted));
  });

  test('chat chooses the contact', async () => {
    const { webex } = t.world;
    teams.sendMessage(ivy, 'chat alice@acme.example');
    await waitFor('choice confirmed', () => ivyGot().find((m) => m.text?.startsWith('Your messages now go to alice@acme.example')));
    teams.sendMessage(ivy, 'Back to Acme');
    await waitFor('message in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'Back to Acme'));
  });

  test('a burst arrives complete and in order', async () => {
    const { webex, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    for (let i = 0; i < 100; i++) await alice.sendMessage({ roomId: aliceRoom, text: `burst ${i}` });
    const got = await waitFor(
      '100 messages in Teams',
      () => {
        const texts = ivyGot().map((m) => m.text ?? '').filter((x) => x.includes('burst '));
        return texts.length >= 100 ? texts : undefined;
      },
      120_000,
    );
    assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => `**Alice Anders (acme.example):** burst ${i}`));
    assert.equal((await t.hub.store.listDeadLetters()).length, 0);
    assert.equal(teams.stats().rateLimited, 0);
  });
});

describe('Teams activities sent twice', () => {
  let t: TestHub;
  let teams: TeamsSimulator;

  before(async () => {
    // The simulator sends an activity again when the hub has not responded within 300 ms.
    // It also takes activities of at most 4,000 bytes, less than the hub's limit for text.
    t = await startTestHub({ teams: { resendAfterMs: 300, maxActivityBytes: 4000 } });
    teams = t.world.teams!;
    teams.installApp('ivy@hooli.example');
    await teams.settle();
  });
  after(() => t.stop());

  test('a resent activity counts once', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite ivy@hooli.example' });
    await waitFor('contact request card', () => teams.botMessages('ivy@hooli.example').find((m) => m.text?.includes('wants to connect')));
    // Another writer locks the database for a second, so the hub responds to the accept late.
    const blocker = new Database(t.dataPath);
    blocker.exec('BEGIN IMMEDIATE');
    teams.sendMessage('ivy@hooli.example', 'accept alice@acme.example');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    blocker.exec('COMMIT');
    blocker.close();
    await teams.settle();
    await t.hub.worker.drained();
    const accept = teams.deliveries().find((d) => (d.activity as { text?: string }).text === 'accept alice@acme.example')!;
    assert.ok(accept.attempts.length >= 2, `the simulator sent the accept ${accept.attempts.length} time(s)`);
    const greetings = webex.inbox(people.alice.id).filter((m) => m.personId !== people.webexBot.id && m.text?.includes('is now your contact'));
    assert.equal(greetings.length, 1);
  });

  test('a sentence starting with help', async () => {
    const { webex, people } = t.world;
    teams.sendMessage('ivy@hooli.example', 'Help me with the draft, please');
    await waitFor('message in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text === 'Help me with the draft, please'),
    );
  });

  test('a message over the size limit is split', async () => {
    const { webex, people } = t.world;
    const room = webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text?.includes('is now your contact'))!.roomId;
    const words = Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' ');
    await webex.actAs(people.alice.token).sendMessage({ roomId: room, text: words });
    await waitFor('the last word in Teams', () => teams.botMessages('ivy@hooli.example').find((m) => m.text?.endsWith('w999')));
    const parts = teams.botMessages('ivy@hooli.example').filter((m) => /\bw\d+$/.test(m.text ?? ''));
    assert.ok(parts.length >= 2, `the message arrived in ${parts.length} part(s)`);
    assert.equal(parts.map((m) => m.text ?? '').join(' ').replace('**Alice Anders (acme.example):** ', ''), words);
  });
});
