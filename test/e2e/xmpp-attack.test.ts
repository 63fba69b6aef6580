// A hostile XMPP server must not take the rest of the hub down with it: while it trickles
// and floods the component stream, Webex and Slack users keep chatting.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startFakeXmppServer, type FakeXmppServer } from '../kit/fake-xmpp-server.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

describe('a hostile XMPP server', () => {
  let server: FakeXmppServer;
  let t: TestHub;
  let chat: AliceAndBob;

  before(async () => {
    server = await startFakeXmppServer({ domain: 'xmpp.hub.test', secret: 'attack-secret' });
    t = await startTestHub({
      xmpp: {
        partnerDomain: 'partner.test',
        host: '127.0.0.1',
        port: server.port,
        componentDomain: 'xmpp.hub.test',
        serverDomain: 'hub.test',
        secret: 'attack-secret',
        extra: { reconnectMinMs: 50, reconnectMaxMs: 200, stanzaTimeoutMs: 2000 },
      },
    });
    chat = await connectAliceAndBob(t.world);
  });
  after(async () => {
    await t.stop();
    await server.stop();
  });

  test('does not stop Webex and Slack traffic, and the component comes back', async () => {
    const { webex, slack, people } = t.world;
    const first = await server.nextSession();
    // Trickle one stanza a byte every 50 ms while Alice and Bob chat.
    let trickling = true;
    const trickle = (async () => {
      for (const byte of "<message to='x@xmpp.hub.test'><body>slow</body></message>") {
        if (!trickling || first.socket.destroyed) return;
        first.write(byte);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    for (let i = 0; i < 5; i++) await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: `during attack ${i}` });
    await waitFor('messages in Slack during the trickle', () =>
      slack.messages(chat.bobChannel).filter((m) => m.text.startsWith('during attack')).length === 5 ? true : undefined,
    );
    await first.closed;
    trickling = false;
    await trickle;
    assert.match(first.received(), /<policy-violation /);

    // Then a 1 MiB stanza on the next connection, while Bob answers.
    const second = await server.nextSession();
    second.write(`<message><body>${'a'.repeat(1024 * 1024)}</body></message>`);
    await slack.postAsUser(people.bob.id, chat.bobChannel, 'still chatting');
    await waitFor('Bob’s answer in Webex', () => webex.messagesIn(chat.aliceRoom).find((m) => m.text === 'still chatting'));
    await second.closed;
    assert.match(second.received(), /<policy-violation /);

    await server.nextSession();
    const xmpp = t.hub.connectors.find((c) => c.platform === 'xmpp')!;
    await waitFor('component online again', () => xmpp.state().status === 'connected' || undefined);
    const health = await fetch(`${t.hub.url}/readyz`);
    assert.equal(health.status, 200);
  });
});
