// XMPP federation against real software: two Prosody servers on loopback federate over
// server-to-server links with STARTTLS. One serves the partner's domain and a real
// account; the other serves the hub's domain with Parley attached as its component.
// A real XMPP client on the partner server chats with the sandbox's Webex and Slack users.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import { proxyJid } from '../../src/connectors/xmpp/address.js';
import { exportMetadata } from '../../src/pipeline/metadata-export.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { createProsody, prosodyInstalled, type Prosody } from '../kit/prosody.js';
import { waitFor } from '../kit/wait.js';
import { connectClient, xml, type TestClient } from '../kit/xmpp-client.js';

const componentDomain = 'xmpp.hub.test';
const partnerDomain = 'partner.test';
const missing = !prosodyInstalled();
if (missing && process.env.PARLEY_REQUIRE_PROSODY === '1') throw new Error('prosody is not installed; .ci/run installs it.');
if (missing) console.log('# prosody is not installed: skipping the XMPP federation tests (apt-get install prosody).');

describe('XMPP users federate with Webex and Slack through real Prosody servers', { skip: missing }, () => {
  let hubServer: Prosody;
  let partnerServer: Prosody;
  let t: TestHub;
  let erin: TestClient;
  const secret = randomBytes(16).toString('hex');
  const aliceProxy = proxyJid('alice@acme.example', componentDomain);
  const bobProxy = proxyJid('bob@globex.example', componentDomain);
  const ivy = 'ivy@hooli.example';
  const ivyProxy = proxyJid(ivy, componentDomain);
  let aliceRoom = '';
  let bobChannel = '';
  let space = '';
  let room = '';

  before(async () => {
    // The hub's server runs the shipped config, with the test's domains and secret.
    const base = readFileSync(new URL('../../deploy/prosody/parley-hub.cfg.lua', import.meta.url), 'utf8')
      .replaceAll('xmpp.hub.example', componentDomain)
      .replaceAll('hub.example', 'hub.test')
      .replace('CHANGE-ME-to-a-long-random-secret', secret);
    hubServer = await createProsody({ name: 'hub', hosts: [{ domain: 'hub.test' }], components: [{ domain: componentDomain, secret }], s2sTls: true, base, http: true });
    partnerServer = await createProsody({
      name: 'partner',
      hosts: [{ domain: partnerDomain, users: { erin: 'erin-password' } }],
      s2sTls: true,
      http: true,
      uploads: [{ domain: 'upload.partner.test', sizeLimit: 20 * 1024 * 1024 }],
    });
    hubServer.setRoutes({ [partnerDomain]: partnerServer.s2sPort });
    partnerServer.setRoutes({ 'hub.test': hubServer.s2sPort, [componentDomain]: hubServer.s2sPort });
    await Promise.all([hubServer.start(), partnerServer.start()]);

    t = await startTestHub({
      xmpp: {
        partnerDomain,
        host: '127.0.0.1',
        port: hubServer.componentPort,
        componentDomain,
        serverDomain: 'hub.test',
        secret,
        // Upload links point at loopback here, which the hub refuses to fetch unless allowed.
        extra: { reconnectMinMs: 100, reconnectMaxMs: 1000, uploadService: 'upload.hub.test', allowPrivateFileUrls: true },
      },
      // Deliveries wait out the Prosody restart below instead of becoming dead letters.
      delivery: { maxAttempts: 100 },
      slackPresencePolling: true,
      teams: {},
    });
    await waitFor('XMPP component online', () => t.logs.some((l) => l.includes('XMPP component stream is online')));
    erin = await connectClient({ port: partnerServer.c2sPort, domain: partnerDomain, username: 'erin', password: 'erin-password' });
    t.world.teams!.installApp('ivy@hooli.example');
    await t.world.teams!.settle();
  });

  after(async () => {
    if (process.env.PARLEY_DEBUG_XMPP) {
      console.log(t?.logs.filter((l) => /xmpp|XMPP|initech/.test(l)).join(''));
      console.log(hubServer?.log().slice(-6000));
      console.log(partnerServer?.log().slice(-6000));
    }
    await erin?.stop();
    await t?.stop();
    await Promise.all([hubServer?.dispose(), partnerServer?.dispose()]);
  });

  const presences = (from: string, type?: string) =>
    erin.received.filter((s) => s.is('presence') && String(s.attrs.from ?? '').split('/')[0] === from && s.attrs.type === type);

  /** Uploads a file through erin's own server, as her client would, and returns its link. */
  const uploadAsErin = async (fileName: string, content: Buffer) => {
    const id = `slot-${randomBytes(4).toString('hex')}`;
    await erin.send(
      xml('iq', { type: 'get', to: 'upload.partner.test', id }, xml('request', { xmlns: 'urn:xmpp:http:upload:0', filename: fileName, size: String(content.length), 'content-type': 'text/plain' })),
    );
    const slot = (await waitFor('upload slot', () => erin.received.find((s) => s.is('iq') && s.attrs.id === id))).getChild('slot', 'urn:xmpp:http:upload:0')!;
    const putElement = slot.getChild('put')!;
    const headers = Object.fromEntries(putElement.getChildren('header').map((h) => [String(h.attrs.name), h.getText()]));
    const put = await fetch(putElement.attrs.url as string, { method: 'PUT', body: content, headers: { ...headers, 'content-type': 'text/plain' } });
    assert.ok(put.ok, `PUT answered ${put.status}`);
    return slot.getChild('get')!.attrs.url as string;
  };

  test('roster add invites a Webex user', async () => {
    const { webex, people } = t.world;
    await erin.send(xml('presence', { type: 'subscribe', to: aliceProxy }));

    const request = await waitFor('contact request in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.includes('erin@partner.test')),
    );
    assert.match(request.text ?? '', /wants to connect/);
    await waitFor('invitation confirmation from the Parley bot in XMPP', () =>
      erin.bodiesFrom(componentDomain).find((b) => b.startsWith('Invitation sent')),
    );

    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'accept erin@partner.test' });
    await waitFor('subscription approved by the proxy', () => presences(aliceProxy, 'subscribed')[0]);
    const subscribe = await waitFor('proxy asks for erin’s presence', () => presences(aliceProxy, 'subscribe')[0]);
    await erin.send(xml('presence', { type: 'subscribed', to: aliceProxy }));
    assert.ok(subscribe);

    const greeting = await waitFor('greeting from erin’s proxy in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text?.includes('is now your contact')),
    );
    aliceRoom = greeting.roomId;
    await waitFor('greeting from Alice’s proxy in XMPP', () => erin.bodiesFrom(aliceProxy).find((b) => b.includes('is now your contact')));
  });

  test('proxy JID returns a vcard', async () => {
    await erin.send(xml('iq', { type: 'get', to: aliceProxy, id: 'vc-1' }, xml('vCard', { xmlns: 'vcard-temp' })));
    const answer = await waitFor('vCard result', () => erin.received.find((s) => s.is('iq') && s.attrs.id === 'vc-1'));
    assert.equal(answer.attrs.type, 'result');
    const card = answer.getChild('vCard', 'vcard-temp')!;
    assert.equal(card.getChildText('FN'), 'Alice Anders');
    assert.equal(card.getChild('EMAIL')?.getChildText('USERID'), 'alice@acme.example');
    assert.equal(card.getChild('ORG')?.getChildText('ORGNAME'), 'acme.example');

    await erin.send(xml('iq', { type: 'get', to: proxyJid('nobody@acme.example', componentDomain), id: 'vc-2' }, xml('vCard', { xmlns: 'vcard-temp' })));
    const missing = await waitFor('vCard error', () => erin.received.find((s) => s.is('iq') && s.attrs.id === 'vc-2'));
    assert.equal(missing.attrs.type, 'error');
    assert.ok(missing.getChild('error')?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  });

  test('messages cross XMPP and Webex', async () => {
    const { webex, people } = t.world;
    for (let i = 0; i < 5; i++) {
      await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: `x2w-${i}` }, xml('body', {}, `x2w ${i} *bold* _it_`)));
      await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: `w2x ${i}` });
    }
    const inWebex = await waitFor('5 messages in Webex', () => {
      const got = webex.messagesIn(aliceRoom).filter((m) => m.text?.startsWith('x2w '));
      return got.length >= 5 ? got : undefined;
    });
    const inXmpp = await waitFor('5 messages in XMPP', () => {
      const got = erin.bodiesFrom(aliceProxy).filter((b) => b.startsWith('w2x '));
      return got.length >= 5 ? got : undefined;
    });
    await t.hub.worker.drained();
    assert.deepEqual(inXmpp, [0, 1, 2, 3, 4].map((i) => `w2x ${i}`));
    assert.equal(inWebex.length, 5);
    // Styling crosses both ways: XEP-0393 marks became Webex markdown, and back.
    assert.equal(inWebex[0]!.markdown, 'x2w 0 **bold** *it*');
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, markdown: 'w2x **strong** and ~~old~~' });
    await waitFor('styled message in XMPP', () => erin.bodiesFrom(aliceProxy).find((b) => b === 'w2x *strong* and ~old~'));
  });

  test('Slack invite accepted in the roster', async () => {
    const { slack, people, slackApp } = t.world;
    const bobIm = slack.openIm(people.bob.id, slackApp.botUserId);
    await slack.postAsUser(people.bob.id, bobIm, 'invite erin@partner.test');

    await waitFor('subscription request from Bob’s proxy', () => presences(bobProxy, 'subscribe')[0]);
    const request = await waitFor('contact request text from the Parley bot', () =>
      erin.bodiesFrom(componentDomain).find((b) => b.includes('Bob Builder')),
    );
    assert.match(request, /wants to connect/);
    await erin.send(xml('presence', { type: 'subscribed', to: bobProxy }));
    await erin.send(xml('presence', { type: 'subscribe', to: bobProxy }));

    const greeting = await waitFor('greeting from erin’s proxy in Slack', () =>
      slack.inbox(people.bob.id).find((m) => m.channel !== bobIm && m.text.includes('is now your contact')),
    );
    bobChannel = greeting.channel;
    await waitFor('subscription approved by Bob’s proxy', () => presences(bobProxy, 'subscribed')[0]);

    await erin.send(xml('message', { type: 'chat', to: bobProxy, id: 'x2s-1' }, xml('body', {}, 'Looks *great* & ~wrong~ <ok>')));
    await slack.postAsUser(people.bob.id, bobChannel, 'Thanks _a lot_ &amp; `code`');

    const inSlack = await waitFor('message in Slack', () => slack.messages(bobChannel).find((m) => m.text.startsWith('Looks')));
    assert.equal(inSlack.text, 'Looks *great* &amp; ~wrong~ &lt;ok&gt;');
    const inXmpp = await waitFor('message in XMPP', () => erin.bodiesFrom(bobProxy).find((b) => b.startsWith('Thanks')));
    assert.equal(inXmpp, 'Thanks _a lot_ & `code`');
  });

  test('unknown addresses end in a notice', async () => {
    const { webex, people } = t.world;
    // An invitation to an account the partner's server does not have bounces back.
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite nobody@partner.test' });
    const bounced = await waitFor('unreachable notice in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.startsWith('Your invitation to nobody@partner.test could not be delivered')),
    );
    assert.match(bounced.text ?? '', /does not exist/);

    // A roster request for someone no connected organisation has is denied, not left pending.
    const stranger = proxyJid('nobody@acme.example', componentDomain);
    await erin.send(xml('presence', { type: 'subscribe', to: stranger }));
    await waitFor('bot explains', () => erin.bodiesFrom(componentDomain).find((b) => b.startsWith('No one with the address nobody@acme.example')));
    await waitFor('request denied', () => presences(stranger, 'unsubscribed')[0]);
  });

  test('XMPP corrections and reactions reach Webex', async () => {
    const { webex, people } = t.world;
    await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: 'fix-1' }, xml('body', {}, 'see you at 10')));
    const original = await waitFor('message in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'see you at 10'));

    await erin.send(
      xml('message', { type: 'chat', to: aliceProxy, id: 'fix-2' }, xml('body', {}, 'see you at 11'), xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'fix-1' })),
    );
    await waitFor('edited in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.id === original.id && m.text === 'see you at 11'));
    assert.equal(webex.messagesIn(aliceRoom).filter((m) => m.text?.startsWith('see you at')).length, 1, 'the correction arrived as a new message');

    // A new message that reuses the id is a new message, not another edit.
    await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: 'fix-1' }, xml('body', {}, 'reused id')));
    await waitFor('message with a reused id in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'reused id'));
    assert.equal(webex.messagesIn(aliceRoom).find((m) => m.id === original.id)?.text, 'see you at 11');

    // Alice's own edit and deletion in Webex reach erin as a correction and a retraction.
    const oops = await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: 'meet at 9' });
    const oopsInXmpp = await waitFor('Alice’s message in XMPP', () => erin.received.find((m) => m.is('message') && m.getChildText('body') === 'meet at 9'));
    await webex.actAs(people.alice.token).editMessage(oops.id, { roomId: aliceRoom, text: 'meet at 10' });
    const fixed = await waitFor('correction in XMPP', () =>
      erin.received.find((m) => m.getChild('replace', 'urn:xmpp:message-correct:0')?.attrs.id === oopsInXmpp.attrs.id),
    );
    assert.equal(fixed.getChildText('body'), 'meet at 10');
    await webex.actAs(people.alice.token).deleteMessage(oops.id);
    await waitFor('retraction in XMPP', () => erin.received.find((m) => m.getChild('retract', 'urn:xmpp:message-retract:1')?.attrs.id === oopsInXmpp.attrs.id));

    // React to a message Alice sent: its id is the one the proxy's stanza carried.
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: 'lunch?' });
    const lunch = await waitFor('Alice’s message in XMPP', () =>
      erin.received.find((m) => m.is('message') && m.getChildText('body') === 'lunch?'),
    );
    await erin.send(
      xml('message', { type: 'chat', to: aliceProxy, id: 'r-1' }, xml('reactions', { xmlns: 'urn:xmpp:reactions:0', id: lunch.attrs.id }, xml('reaction', {}, '👍'))),
    );
    const webexLunch = webex.messagesIn(aliceRoom).find((m) => m.text === 'lunch?')!;
    const reaction = await waitFor('reaction in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.parentId === webexLunch.id));
    assert.equal(reaction.text, 'reacted 👍');

    // A XEP-0461 reply lands in the message's Webex thread, without its fallback quote.
    await erin.send(
      xml(
        'message',
        { type: 'chat', to: aliceProxy, id: 'reply-1' },
        xml('body', {}, '> lunch?\nyes, at noon'),
        xml('reply', { xmlns: 'urn:xmpp:reply:0', to: aliceProxy, id: lunch.attrs.id }),
        xml('fallback', { xmlns: 'urn:xmpp:fallback:0', for: 'urn:xmpp:reply:0' }, xml('body', { start: '0', end: '9' })),
      ),
    );
    const threaded = await waitFor('reply in the Webex thread', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'yes, at noon'));
    assert.equal(threaded.parentId, webexLunch.id);

    // And a Webex thread reply reaches XMPP as a reply to erin's message.
    const erinsInWebex = webex.messagesIn(aliceRoom).find((m) => m.text?.startsWith('x2w 0 '))!;
    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, parentId: erinsInWebex.id, text: 'great' });
    const replyInXmpp = await waitFor('reply in XMPP', () => erin.received.find((m) => m.is('message') && m.getChildText('body') === 'great'));
    assert.equal(replyInXmpp.getChild('reply', 'urn:xmpp:reply:0')?.attrs.id, 'x2w-0');
    assert.equal(replyInXmpp.getChild('reply', 'urn:xmpp:reply:0')?.attrs.to, 'erin@partner.test');

    await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: 'x-1' }, xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'fix-1' })));
    await waitFor('retracted in Webex', () => (webex.messagesIn(aliceRoom).some((m) => m.text === 'reused id') ? undefined : true));
    assert.ok(webex.messagesIn(aliceRoom).find((m) => m.id === original.id), 'the retraction removed the older message with the same id');
  });

  test('Slack edits and reactions cross both ways', async () => {
    const { slack, people } = t.world;
    const ts = await slack.postAsUser(people.bob.id, bobChannel, 'first draft');
    const inXmpp = await waitFor('Bob’s message in XMPP', () => erin.received.find((m) => m.is('message') && m.getChildText('body') === 'first draft'));

    await slack.editAsUser(people.bob.id, bobChannel, ts, 'final *draft*');
    const correction = await waitFor('correction in XMPP', () =>
      erin.received.find((m) => m.getChild('replace', 'urn:xmpp:message-correct:0')?.attrs.id === inXmpp.attrs.id),
    );
    assert.equal(correction.getChildText('body'), 'final *draft*');

    await erin.send(xml('message', { type: 'chat', to: bobProxy, id: 'e-1' }, xml('body', {}, 'nice')));
    const nice = await waitFor('erin’s message in Slack', () => slack.messages(bobChannel).find((m) => m.text === 'nice'));
    await slack.postAsUser(people.bob.id, bobChannel, 'in the thread', { threadTs: nice.ts });
    const threadReply = await waitFor('Slack thread reply in XMPP', () => erin.received.find((m) => m.is('message') && m.getChildText('body') === 'in the thread'));
    assert.equal(threadReply.getChild('reply', 'urn:xmpp:reply:0')?.attrs.id, 'e-1');

    await slack.reactAsUser(people.bob.id, bobChannel, nice.ts, 'tada');
    const reactions = await waitFor('reaction set in XMPP', () =>
      erin.received.find((m) => m.getChild('reactions', 'urn:xmpp:reactions:0')?.attrs.id === 'e-1'),
    );
    assert.deepEqual(reactions.getChild('reactions', 'urn:xmpp:reactions:0')!.getChildren('reaction').map((r) => r.getText()), ['🎉']);

    await erin.send(
      xml('message', { type: 'chat', to: bobProxy, id: 'r-2' }, xml('reactions', { xmlns: 'urn:xmpp:reactions:0', id: inXmpp.attrs.id }, xml('reaction', {}, '❤️'), xml('reaction', {}, '👍🏽'))),
    );
    await waitFor('reactions in Slack', () => {
      const names = (slack.messages(bobChannel).find((m) => m.ts === ts)?.reactions ?? []).map((r) => r.name).sort();
      return names.join(',') === '+1::skin-tone-4,heart' ? true : undefined;
    });
    await erin.send(
      xml('message', { type: 'chat', to: bobProxy, id: 'r-3' }, xml('reactions', { xmlns: 'urn:xmpp:reactions:0', id: inXmpp.attrs.id }, xml('reaction', {}, '❤️'))),
    );
    await waitFor('one reaction taken back in Slack', () => {
      const names = (slack.messages(bobChannel).find((m) => m.ts === ts)?.reactions ?? []).map((r) => r.name);
      return names.join(',') === 'heart' ? true : undefined;
    });

    // A ZWJ sequence and a newer emoji cross as one emoji each; text Slack has no name for
    // brings a notice instead of vanishing.
    await erin.send(
      xml('message', { type: 'chat', to: bobProxy, id: 'r-4' }, xml('reactions', { xmlns: 'urn:xmpp:reactions:0', id: inXmpp.attrs.id }, ...['❤️', '🏳️‍⚧️', '🧙', 'ok!'].map((r) => xml('reaction', {}, r)))),
    );
    await waitFor('flag and mage in Slack', () => {
      const names = (slack.messages(bobChannel).find((m) => m.ts === ts)?.reactions ?? []).map((r) => r.name).sort();
      return names.join(',') === 'heart,mage,transgender_flag' ? true : undefined;
    });
    await waitFor('notice about the unnamed reaction', () =>
      erin.bodiesFrom(componentDomain).find((b) => b === 'Your reaction was not passed on to Bob Builder: Slack has no name for that emoji, so it cannot show it as a reaction.'),
    );

    await erin.send(
      xml('message', { type: 'chat', to: bobProxy, id: 'e-2' }, xml('body', {}, 'nice one'), xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'e-1' })),
    );
    await waitFor('edited in Slack', () => slack.messages(bobChannel).find((m) => m.ts === nice.ts && m.text === 'nice one'));

    await slack.deleteAsUser(people.bob.id, bobChannel, ts);
    await waitFor('retraction in XMPP', () =>
      erin.received.find((m) => m.getChild('retract', 'urn:xmpp:message-retract:1')?.attrs.id === inXmpp.attrs.id),
    );
    await erin.send(xml('message', { type: 'chat', to: bobProxy, id: 'x-2' }, xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'e-1' })));
    await waitFor('deleted in Slack', () => (slack.messages(bobChannel).some((m) => m.ts === nice.ts) ? undefined : true));
  });

  test('presence crosses both ways', async () => {
    const { webex, slack, people } = t.world;
    const shows = (proxy: string) =>
      erin.received
        .filter((s) => s.is('presence') && String(s.attrs.from ?? '').split('/')[0] === proxy && s.attrs.type === undefined)
        .map((s) => s.getChildText('show') ?? 'available');

    webex.setStatus(people.alice.id, 'DoNotDisturb');
    slack.setPresence(people.bob.id, 'away');
    await t.hub.presence.poll(Date.now());
    await waitFor('Alice shown as dnd in XMPP', () => (shows(aliceProxy).at(-1) === 'dnd' ? true : undefined));
    await waitFor('Bob shown as away in XMPP', () => (shows(bobProxy).at(-1) === 'away' ? true : undefined));

    webex.setStatus(people.alice.id, 'active');
    await t.hub.presence.poll(Date.now());
    await waitFor('Alice shown as available in XMPP', () => (shows(aliceProxy).at(-1) === 'available' ? true : undefined));

    // Erin's own presence goes to the proxies she approved; Alice reads it in her contacts.
    await erin.send(xml('presence', {}, xml('show', {}, 'dnd')));
    await waitFor('erin’s presence stored', async () => {
      await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'contacts' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && /erin@partner\.test, XMPP\), do not disturb/.test(m.text ?? ''));
    });
  });

  test('XMPP typing read, not forwarded', async () => {
    const { webex } = t.world;
    const before = webex.messagesIn(aliceRoom).length;
    await erin.send(xml('message', { type: 'chat', to: aliceProxy }, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    await erin.send(xml('message', { type: 'chat', to: aliceProxy }, xml('paused', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    const committed = await waitFor('typing events committed', () => {
      const lines = t.logs.filter((l) => l.includes('"event_kind":"typing"') && l.includes('Inbound event committed'));
      return lines.length >= 2 ? lines : undefined;
    });
    assert.ok(committed.every((l) => l.includes('"deliveries":0')));
    await t.hub.worker.drained();
    assert.equal(webex.messagesIn(aliceRoom).length, before);
  });

  test('files cross through upload services', async () => {
    const { webex, slack, people } = t.world;
    const sha = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const links = (from: string) =>
      erin.received
        .filter((s) => s.is('message') && String(s.attrs.from ?? '').split('/')[0] === from && s.getChild('x', 'jabber:x:oob'))
        .map((s) => ({ body: s.getChildText('body'), url: s.getChild('x', 'jabber:x:oob')!.getChildText('url')! }));

    // Webex to XMPP: the hub uploads through the hub server's http_file_share.
    const name = '가나다 résumé.pdf';
    const bytes = randomBytes(5 * 1024 * 1024);
    await webex.actAs(people.alice.token).sendFile({ roomId: aliceRoom, text: 'the *draft*', file: { name, mediaType: 'application/pdf', bytes } });
    await waitFor('text in XMPP', () => erin.bodiesFrom(aliceProxy).find((b) => b === 'the *draft*'));
    const link = await waitFor('upload link in XMPP', () => links(aliceProxy)[0]);
    assert.equal(link.body, link.url, 'the body carries the link for clients without out-of-band data');
    assert.equal(decodeURIComponent(new URL(link.url).pathname.split('/').at(-1)!), name);
    const fetched = await fetch(link.url);
    assert.equal(fetched.status, 200);
    assert.equal(sha(Buffer.from(await fetched.arrayBuffer())), sha(bytes));

    // XMPP to Webex and Slack: erin uploads through her own server, as her client would.
    const oneByte = await uploadAsErin('ü.txt', Buffer.from('1'));
    await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: 'file-1' }, xml('body', {}, oneByte), xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, oneByte))));
    const inWebex = await waitFor('file in Webex', () =>
      webex.messagesIn(aliceRoom).find((m) => (m.files?.length ?? 0) > 0 && webex.contents().some((c) => c.url === m.files![0] && c.name === 'ü.txt')),
    );
    assert.deepEqual((await webex.actAs(people.alice.token).downloadContent(inWebex.files![0]!)).bytes, Buffer.from('1'));

    // More links than one message may carry: the first ten cross, and erin learns of the rest.
    const before = webex.contents().length;
    const many = Array.from({ length: 12 }, () => xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, oneByte)));
    await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: 'file-many' }, xml('body', {}, 'a dozen'), ...many));
    await waitFor('notice about the extra links', () => erin.bodiesFrom(componentDomain).find((b) => b.startsWith('2 of the files in your message were not passed on')));
    await waitFor('ten files in Webex', () => (webex.contents().length >= before + 10 ? true : undefined));
    await t.hub.worker.drained();
    assert.equal(webex.contents().length, before + 10);

    const report = await uploadAsErin('report.txt', Buffer.from('numbers'));
    await erin.send(xml('message', { type: 'chat', to: bobProxy, id: 'file-2' }, xml('body', {}, `see this ${report}`), xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, report))));
    const inSlack = await waitFor('file in Slack', () => slack.filesIn(bobChannel).find((f) => f.name === 'report.txt'));
    assert.equal(inSlack.bytes.toString(), 'numbers');
    await waitFor('text sent with the file in Slack', () => slack.messages(bobChannel).find((m) => m.text === 'see this'));

    // Slack to XMPP.
    const sheet = randomBytes(2048);
    await slack.shareFileAsUser(people.bob.id, bobChannel, { name: 'Q4 plan.xlsx', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: sheet });
    const fromBob = await waitFor('upload link from Bob in XMPP', () => links(bobProxy)[0]);
    assert.equal(decodeURIComponent(new URL(fromBob.url).pathname.split('/').at(-1)!), 'Q4 plan.xlsx');
    assert.equal(sha(Buffer.from(await (await fetch(fromBob.url)).arrayBuffer())), sha(sheet));
  });

  test('a shared space becomes an XMPP room', async () => {
    const { webex, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    space = (await alice.createRoom('Design review')).id;
    await alice.addMember(space, { personId: people.carol.id });
    await alice.addMember(space, { personId: people.webexBot.id });
    await alice.sendMessage({ roomId: space, markdown: `<@personId:${people.webexBot.id}|Parley> channel invite erin@partner.test` });

    const invitation = await waitFor('room invitation in XMPP', () =>
      erin.received.find((s) => s.is('message') && s.getChild('x', 'jabber:x:conference') !== undefined),
    );
    assert.equal(String(invitation.attrs.from).split('/')[0], aliceProxy);
    room = String(invitation.getChild('x', 'jabber:x:conference')!.attrs.jid);
    assert.ok(room.endsWith(`@${componentDomain}`));

    await erin.send(xml('presence', { to: `${room}/Erin` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    const subject = await waitFor('room subject', () => erin.received.find((s) => s.is('message') && s.attrs.from === room && s.getChild('subject')));
    assert.equal(subject.getChildText('subject'), 'Design review');
  });

  test('room posts cross both ways', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.carol.token).sendMessage({ roomId: space, text: 'Mockups are in the folder' });
    const post = await waitFor("Carol's post in the room", () =>
      erin.received.find((s) => s.is('message') && s.attrs.type === 'groupchat' && s.getChildText('body') === 'Mockups are in the folder'),
    );
    assert.equal(post.attrs.from, `${room}/Carol Chen (acme.example)`);

    await erin.send(xml('message', { type: 'groupchat', to: room, id: 'muc-1' }, xml('body', {}, 'Looks *great*')));
    const inSpace = await waitFor("Erin's post in the space", () => webex.messagesIn(space).find((m) => m.text === 'Looks great'));
    assert.notEqual(inSpace.personId, people.webexBot.id);
    const echo = await waitFor('echo of her own post', () => erin.received.find((s) => s.is('message') && s.attrs.from === `${room}/Erin` && s.attrs.id === 'muc-1'));
    assert.equal(echo.getChildText('body'), 'Looks *great*');
  });

  test('a file reaches the room', async () => {
    const { webex, people } = t.world;
    const bytes = Buffer.from('wireframes v3');
    await webex.actAs(people.carol.token).sendFile({ roomId: space, file: { name: 'wireframes.txt', mediaType: 'text/plain', bytes } });
    const post = await waitFor('file link in the room', () =>
      erin.received.find((s) => s.is('message') && s.attrs.type === 'groupchat' && s.getChild('x', 'jabber:x:oob') !== undefined),
    );
    assert.equal(post.attrs.from, `${room}/Carol Chen (acme.example)`);
    const url = post.getChild('x', 'jabber:x:oob')!.getChildText('url')!;
    assert.equal(Buffer.from(await (await fetch(url)).arrayBuffer()).toString(), 'wireframes v3');
  });

  test('removing the proxy expels from the room', async () => {
    const { webex, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    const memberships = (await alice.request<{ items: Array<{ id: string; personId: string }> }>('GET', `/memberships?roomId=${space}`)).items;
    const proxy = memberships.find((m) => ![people.alice.id, people.carol.id, people.webexBot.id].includes(m.personId))!;
    await alice.request('DELETE', `/memberships/${proxy.id}`);
    const expelled = await waitFor('expulsion presence', () =>
      erin.received.find((s) => s.is('presence') && s.attrs.type === 'unavailable' && s.attrs.from === `${room}/Erin`),
    );
    const codes = expelled.getChild('x', 'http://jabber.org/protocol/muc#user')!.getChildren('status').map((c) => c.attrs.code);
    assert.ok(codes.includes('321'));

    await erin.send(xml('presence', { to: `${room}/Erin`, id: 'rejoin-1' }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    const refused = await waitFor('rejoin refused', () => erin.received.find((s) => s.is('presence') && s.attrs.id === 'rejoin-1' && s.attrs.type === 'error'));
    assert.ok(refused.getChild('error')?.getChild('registration-required', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  });

  test('a Teams user accepts from a card', async () => {
    const teams = t.world.teams!;
    await erin.send(xml('presence', { type: 'subscribe', to: ivyProxy }));
    const card = await waitFor('contact request card in Teams', () => teams.botMessages(ivy).find((m) => m.text?.includes('erin@partner.test')));
    assert.match(card.text ?? '', /wants to connect/);
    teams.sendMessage(ivy, '', { value: { parleyAction: 'accept', email: 'erin@partner.test' } });
    await waitFor('subscription approved by the Teams proxy', () => presences(ivyProxy, 'subscribed')[0]);
    await erin.send(xml('presence', { type: 'subscribed', to: ivyProxy }));
  });

  test('XMPP and Teams chat both ways', async () => {
    const teams = t.world.teams!;
    await erin.send(xml('message', { type: 'chat', to: ivyProxy, id: 'x2t-1' }, xml('body', {}, 'Hello from *XMPP*')));
    const inTeams = await waitFor('message in Teams', () => teams.botMessages(ivy).find((m) => m.text?.includes('Hello from')));
    assert.equal(inTeams.text, '**erin (partner.test):** Hello from **XMPP**');
    teams.sendMessage(ivy, 'Hello from Teams');
    await waitFor('message in XMPP', () => erin.bodiesFrom(ivyProxy).find((b) => b === 'Hello from Teams'));
  });

  test('Teams edits and reactions reach XMPP', async () => {
    const teams = t.world.teams!;
    const id = teams.sendMessage(ivy, 'Lunch at 12');
    await waitFor('message in XMPP', () => erin.bodiesFrom(ivyProxy).find((b) => b === 'Lunch at 12'));
    teams.editMessage(ivy, id, 'Lunch at 1');
    const correction = await waitFor('correction in XMPP', () =>
      erin.received.find((s) => s.is('message') && s.getChild('replace', 'urn:xmpp:message-correct:0') && s.getChildText('body') === 'Lunch at 1'),
    );
    assert.ok(correction);
    const fromErin = teams.botMessages(ivy).find((m) => m.text?.includes('Hello from'))!;
    teams.react(ivy, fromErin.id, 'laugh', 'added');
    const reaction = await waitFor('reaction in XMPP', () => erin.received.find((s) => s.is('message') && s.getChild('reactions', 'urn:xmpp:reactions:0')?.attrs.id === 'x2t-1'));
    assert.equal(reaction.getChild('reactions', 'urn:xmpp:reactions:0')!.getChildText('reaction'), '😆');
  });

  test('files and deletions cross with Teams', async () => {
    const teams = t.world.teams!;
    // Teams to XMPP: the link to the hub server's upload service.
    teams.sendFile(ivy, { name: 'minutes.txt', bytes: Buffer.from('minutes of the call'), contentType: 'text/plain' });
    const link = await waitFor('file link in XMPP', () =>
      erin.received.find((s) => s.is('message') && String(s.attrs.from).split('/')[0] === ivyProxy && s.getChild('x', 'jabber:x:oob')),
    );
    assert.equal(await (await fetch(link.getChild('x', 'jabber:x:oob')!.getChildText('url')!)).text(), 'minutes of the call');

    // XMPP to Teams: a consent card, then the upload.
    const url = await uploadAsErin('agenda.txt', Buffer.from('agenda'));
    await erin.send(xml('message', { type: 'chat', to: ivyProxy, id: 'file-t1' }, xml('body', {}, url), xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, url))));
    const card = await waitFor('consent card in Teams', () => teams.botMessages(ivy).find((m) => m.attachments.some((a) => a.name === 'agenda.txt')));
    await teams.acceptFileConsent(ivy, card.id);
    await waitFor('file saved in Teams', () => teams.uploadedFiles().find((f) => Buffer.from(f.bytes).toString() === 'agenda'));

    // Deletions both ways: an XEP-0424 retraction, and a Teams delete.
    await erin.send(xml('message', { type: 'chat', to: ivyProxy, id: 'x2t-del' }, xml('body', {}, 'soon gone')));
    const copy = await waitFor('message in Teams', () => teams.botMessages(ivy).find((m) => m.text?.includes('soon gone')));
    await erin.send(xml('message', { type: 'chat', to: ivyProxy, id: 'x2t-retract' }, xml('retract', { xmlns: 'urn:xmpp:message-retract:1', id: 'x2t-del' })));
    await waitFor('deletion in Teams', () => teams.botMessages(ivy).find((m) => m.id === copy.id && m.deleted));
    const id = teams.sendMessage(ivy, 'also soon gone');
    await waitFor('message in XMPP', () => erin.bodiesFrom(ivyProxy).find((b) => b === 'also soon gone'));
    teams.deleteMessage(ivy, id);
    await waitFor('retraction in XMPP', () => erin.received.find((s) => s.is('message') && String(s.attrs.from).split('/')[0] === ivyProxy && s.getChild('retract', 'urn:xmpp:message-retract:1')));
  });

  test('typing crosses both ways', async () => {
    const teams = t.world.teams!;
    await erin.send(xml('message', { type: 'chat', to: ivyProxy }, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    await waitFor('typing in Teams', () => (teams.botTyping(ivy).length > 0 ? true : undefined));
    teams.typing(ivy);
    await waitFor('typing in XMPP', () =>
      erin.received.find((s) => s.is('message') && String(s.attrs.from).split('/')[0] === ivyProxy && s.getChild('composing', 'http://jabber.org/protocol/chatstates')),
    );
  });

  test('Prosody restart loses no message', async () => {
    const { webex, people } = t.world;
    const xmpp = t.hub.connectors.find((c) => c.platform === 'xmpp')!;
    await hubServer.stop();
    await waitFor('component offline', () => xmpp.state().status !== 'connected' || undefined);

    for (let i = 0; i < 3; i++) await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: `gap ${i}` });
    await waitFor('deliveries queued while offline', async () => ((await t.hub.store.outboxDepth()) > 0 ? true : undefined));

    await hubServer.start();
    await waitFor('component online again', () => xmpp.state().status === 'connected' || undefined);
    await waitFor('3 gap messages in XMPP', () => (erin.bodiesFrom(aliceProxy).filter((b) => b.startsWith('gap ')).length >= 3 ? true : undefined), 30_000);
    await t.hub.worker.drained();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(erin.bodiesFrom(aliceProxy).filter((b) => b.startsWith('gap ')), ['gap 0', 'gap 1', 'gap 2']);

    // And the other way after the restart.
    await erin.send(xml('message', { type: 'chat', to: aliceProxy, id: 'after-restart' }, xml('body', {}, 'back again')));
    await waitFor('message after the restart in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'back again'), 30_000);
  });

  test('removal from either side ends the contact', async () => {
    const { webex, slack, people, slackApp } = t.world;
    // Bob ends the contact in Slack: the proxy leaves erin's roster.
    await slack.postAsUser(people.bob.id, slack.openIm(people.bob.id, slackApp.botUserId), 'remove erin@partner.test');
    await waitFor('unsubscribed from Bob’s proxy', () => presences(bobProxy, 'unsubscribed')[0]);
    await waitFor('unsubscribe from Bob’s proxy', () => presences(bobProxy, 'unsubscribe')[0]);
    await waitFor('notice from the bot', () => erin.bodiesFrom(componentDomain).find((b) => b.includes('bob@globex.example ended the contact')));

    // A proxy she was never connected with, and an address that is no proxy at all.
    await erin.send(xml('message', { type: 'chat', to: proxyJid('dana@globex.example', componentDomain), id: 'stranger' }, xml('body', {}, 'hello?')));
    await waitFor('not-linked notice', () => erin.bodiesFrom(componentDomain).find((b) => b.startsWith('Not delivered: this conversation is not linked')));
    await erin.send(xml('presence', { type: 'subscribe', to: `notanemail@${componentDomain}` }));
    await waitFor('subscription to a non-proxy denied', () => presences(`notanemail@${componentDomain}`, 'unsubscribed')[0]);

    await erin.send(xml('message', { type: 'chat', to: bobProxy, id: 'after-remove' }, xml('body', {}, 'are you there?')));
    await waitFor('not-delivered notice', () => erin.bodiesFrom(componentDomain).find((b) => b.startsWith('Not delivered: you are no longer connected with bob@globex.example')));

    // Erin takes Alice off her roster: the contact ends and Alice gets a notice.
    await erin.send(xml('presence', { type: 'unsubscribe', to: aliceProxy }));
    await waitFor('Alice told in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.includes('erin@partner.test ended the contact')),
    );
  });

  test('message text stays out of logs and metadata', async () => {
    const { webex, people } = t.world;
    const marker = `secret${randomBytes(8).toString('hex')}`;
    // Both of erin's contacts have ended by now, so the marker goes through the bot as
    // commands, which the hub logs and records as commands without their text.
    await erin.send(xml('message', { type: 'chat', to: componentDomain, id: 'm-1' }, xml('body', {}, `invite ${marker}@acme.example`)));
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: `contacts ${marker}` });
    await waitFor('bot reply in XMPP', () => erin.bodiesFrom(componentDomain).find((b) => b.includes(marker)));
    await t.hub.worker.drained();

    const logs = t.logs.join('');
    assert.equal(logs.includes(marker), false, 'a log line contains message text');
    // Texts the earlier tests chatted through the proxies, both ways.
    for (const text of ['see you at 11', 'yes, at noon', 'lunch?', 'first draft', 'in the thread', 'back again', 'gap 1']) {
      assert.equal(logs.includes(text), false, `a log line contains "${text}"`);
    }
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    await exportMetadata(t.hub.store, 'jsonl', out);
    assert.ok(chunks.join('').includes('"xmpp"'), 'the metadata export has no XMPP records');
    assert.equal(chunks.join('').includes(marker), false, 'the metadata export contains message text');
  });

  test('s2s links use STARTTLS', () => {
    // Both servers require encryption on s2s, so any traffic above proves it; the log shows it.
    assert.match(hubServer.log(), /Starting TLS now/);
    assert.match(partnerServer.log(), /Starting TLS now/);
  });
});
