// A real XMPP client (@xmpp/client) for the tests, logged in with PLAIN over plain TCP on
// loopback: SCRAM costs about a second of CPU per login, which the tests do not need.

import { client, xml, type Element } from '@xmpp/client';

export { xml };
export type { Element };

export interface TestClient {
  jid: string;
  /** Every stanza received, oldest first. */
  received: Element[];
  send(stanza: Element): Promise<void>;
  /** Chat bodies received from `from` (a bare JID), oldest first. */
  bodiesFrom(from: string): string[];
  stop(): Promise<void>;
}

export async function connectClient(options: { port: number; domain: string; username: string; password: string }): Promise<TestClient> {
  const xmpp = client({
    service: `xmpp://127.0.0.1:${options.port}`,
    domain: options.domain,
    resource: 'test',
    credentials: async (authenticate: (credentials: object, mechanism: string) => Promise<void>) => {
      await authenticate({ username: options.username, password: options.password }, 'PLAIN');
    },
  });
  xmpp.reconnect.stop();
  const received: Element[] = [];
  xmpp.on('stanza', (stanza: Element) => received.push(stanza));
  xmpp.on('error', () => undefined);
  const address = await xmpp.start();
  // Servers push subscription requests and approvals only to resources that fetched the roster.
  await xmpp.send(xml('iq', { type: 'get', id: 'roster-1' }, xml('query', { xmlns: 'jabber:iq:roster' })));
  await xmpp.send(xml('presence'));
  return {
    jid: address.toString(),
    received,
    send: (stanza) => xmpp.send(stanza),
    bodiesFrom: (from) =>
      received
        .filter((s) => s.is('message') && String(s.attrs.from ?? '').split('/')[0] === from && s.getChild('body'))
        .map((s) => s.getChildText('body') ?? ''),
    async stop() {
      await xmpp.stop().catch(() => undefined);
    },
  };
}
