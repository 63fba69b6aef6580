// The component's stream parser against hostile input from the server side: a DOCTYPE with
// the billion-laughs entities, an undeclared entity, a comment, a 1 MiB stanza, 10,000
// nested elements and a stanza trickled a byte at a time. Each must end the stream with
// the stream error RFC 6120 names, and the component must connect again.

import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';

import pino from 'pino';

import { ComponentConnection } from '../../src/connectors/xmpp/component.js';
import { defaultStreamLimits, XmlStreamParser, type StreamError, type XmlElement } from '../../src/connectors/xmpp/xml.js';
import { startFakeXmppServer, type FakeSession, type FakeXmppServer } from '../kit/fake-xmpp-server.js';
import { waitFor } from '../kit/wait.js';

const domain = 'xmpp.hub.test';
const secret = 'component-secret';

const billionLaughs = [
  '<!DOCTYPE lolz [',
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
  ']>',
].join('');

function streamErrorIn(session: FakeSession): string | undefined {
  return /<stream:error><([a-z-]+) xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/.exec(session.received())?.[1];
}

describe('XMPP component stream limits', () => {
  let server: FakeXmppServer;
  let component: ComponentConnection;
  const stanzas: XmlElement[] = [];

  before(async () => {
    server = await startFakeXmppServer({ domain, secret });
    component = new ComponentConnection(
      {
        host: '127.0.0.1',
        port: server.port,
        domain,
        serverDomain: 'hub.test',
        secret,
        limits: { ...defaultStreamLimits, stanzaTimeoutMs: 600 },
        reconnectMinMs: 20,
        reconnectMaxMs: 50,
        replyTimeoutMs: 2000,
        keepaliveMs: 60_000,
      },
      pino({ level: 'silent' }),
    );
    component.on('stanza', (stanza: XmlElement) => stanzas.push(stanza));
    component.start();
  });
  after(async () => {
    await component.stop();
    await server.stop();
  });

  async function attack(payload: (session: FakeSession) => Promise<void> | void): Promise<string | undefined> {
    const session = await server.nextSession();
    await waitFor('component online', () => component.status === 'online');
    await payload(session);
    await session.closed;
    return streamErrorIn(session);
  }

  test('a normal stanza arrives whole', async () => {
    const session = await server.nextSession();
    await waitFor('component online', () => component.status === 'online');
    session.write("<message from='erin@partner.test' to='a@xmpp.hub.test' type='chat'><body>hi &amp; bye &#x263A;</body></message>");
    const message = await waitFor('stanza', () => stanzas[0]);
    assert.equal(message.name, 'message');
    assert.equal(message.attrs.from, 'erin@partner.test');
    assert.deepEqual(message.children, [{ name: 'body', ns: 'jabber:component:accept', attrs: {}, children: ['hi & bye ☺'] }]);
    session.socket.destroy();
  });

  test('an entity defined nowhere ends the stream with restricted-xml', async () => {
    assert.equal(await attack((s) => void s.write("<message><body>&lol9;</body></message>")), 'restricted-xml');
  });

  test('a comment ends the stream with restricted-xml', async () => {
    assert.equal(await attack((s) => void s.write('<!-- hello -->')), 'restricted-xml');
  });

  test('a processing instruction ends the stream with restricted-xml', async () => {
    assert.equal(await attack((s) => void s.write('<message><?evil data?></message>')), 'restricted-xml');
  });

  test('a 1 MiB stanza ends the stream with policy-violation', async () => {
    assert.equal(await attack((s) => void s.write(`<message><body>${'a'.repeat(1024 * 1024)}</body></message>`)), 'policy-violation');
  });

  test('10,000 nested elements end the stream with policy-violation', async () => {
    assert.equal(await attack((s) => void s.write(`<message>${'<a>'.repeat(10_000)}`)), 'policy-violation');
  });

  test('a stanza trickled a byte at a time ends the stream with policy-violation', async () => {
    const condition = await attack(async (s) => {
      const stanza = "<message to='slow@xmpp.hub.test'><body>slow</body></message>";
      for (const byte of stanza) {
        if (s.socket.destroyed || !s.write(byte)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (s.socket.readableEnded) break;
      }
    });
    assert.equal(condition, 'policy-violation');
    assert.equal(stanzas.filter((m) => m.attrs.to === 'slow@xmpp.hub.test').length, 0, 'the trickled stanza was accepted');
  });

  test('the component reconnects after each attack and takes normal stanzas again', async () => {
    const session = await server.nextSession();
    await waitFor('component online', () => component.status === 'online');
    session.write("<message from='erin@partner.test' to='b@xmpp.hub.test' type='chat'><body>still here</body></message>");
    await waitFor('stanza after the attacks', () => stanzas.find((m) => m.attrs.to === 'b@xmpp.hub.test'));
  });
});

describe('XMPP stream header checks', () => {
  async function answerWith(preamble: string): Promise<string | undefined> {
    const server = await startFakeXmppServer({ domain, secret, preamble });
    const component = new ComponentConnection(
      { host: '127.0.0.1', port: server.port, domain, serverDomain: 'hub.test', secret, limits: defaultStreamLimits, reconnectMinMs: 1000, reconnectMaxMs: 1000, replyTimeoutMs: 2000, keepaliveMs: 60_000 },
      pino({ level: 'silent' }),
    );
    component.start();
    try {
      const session = await server.nextSession();
      await session.closed;
      assert.notEqual(component.status, 'online');
      return streamErrorIn(session);
    } finally {
      await component.stop();
      await server.stop();
    }
  }

  test('a DOCTYPE before the stream (billion laughs) ends it with restricted-xml', async () => {
    assert.equal(await answerWith(`<?xml version='1.0'?>${billionLaughs}<stream:stream>`), 'restricted-xml');
  });

  test('a server that does not speak XMPP gets invalid-namespace', async () => {
    assert.equal(await answerWith('<html><body>'), 'invalid-namespace');
  });
});

describe('XmlStreamParser memory', () => {
  test('parsers fed oversized stanzas hold no more than their limit', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const chunk = Buffer.from('a'.repeat(64 * 1024));
    const attacked = () => {
      const result: { parser?: XmlStreamParser; error?: StreamError } = {};
      result.parser = new XmlStreamParser({ open: () => undefined, stanza: () => undefined, close: () => undefined, error: (e) => (result.error = e) });
      result.parser.write(Buffer.from("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' id='x'><message><body>"));
      // 4 MiB offered in 64 KiB chunks; the parser must stop reading at its 512 KiB limit.
      for (let i = 0; i < 64; i++) result.parser.write(chunk);
      return result;
    };
    assert.equal(attacked().error?.condition, 'policy-violation');

    gc();
    const before = process.memoryUsage().heapUsed;
    // Kept alive on purpose: 20 parsers that buffered what they were offered would hold 80 MiB.
    const alive = Array.from({ length: 20 }, attacked);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(alive.every((a) => a.error?.condition === 'policy-violation'), true);
    assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024 / 1024)} MiB for 20 rejected 4 MiB stanzas`);
    for (const a of alive) a.parser?.stop();
  });
});
