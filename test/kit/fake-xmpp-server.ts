// A hostile XMPP server for the component's bad-input tests: it accepts the component's
// stream, completes the XEP-0114 handshake when asked to, then plays whatever bytes a test
// gives it, and records what the component sent back.

import { createHash } from 'node:crypto';
import net from 'node:net';

export interface FakeSession {
  /** Everything the component wrote on this connection. */
  received(): string;
  write(data: string | Buffer): boolean;
  closed: Promise<void>;
  socket: net.Socket;
}

export interface FakeXmppServer {
  port: number;
  /** Sessions in the order the component connected, each once online (after the handshake). */
  sessions: FakeSession[];
  /** The next session not yet handed out, waiting for it when needed. */
  nextSession(): Promise<FakeSession>;
  stop(): Promise<void>;
}

export async function startFakeXmppServer(options: {
  domain: string;
  secret: string;
  /** What to send instead of a normal stream header; the handshake is skipped. */
  preamble?: string;
}): Promise<FakeXmppServer> {
  const sessions: FakeSession[] = [];
  const waiting: Array<(session: FakeSession) => void> = [];
  let handedOut = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    sockets.add(socket);
    let data = '';
    let online = false;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    const session: FakeSession = { received: () => data, write: (chunk) => socket.write(chunk), closed, socket };
    const announce = () => {
      sessions.push(session);
      const waiter = waiting.shift();
      if (waiter) {
        handedOut++;
        waiter(session);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      if (online) return;
      if (options.preamble !== undefined && data.includes('<stream:stream')) {
        online = true;
        socket.write(options.preamble);
        announce();
        return;
      }
      if (data.includes('<stream:stream') && !data.includes('<handshake')) {
        if (!data.includes('stream-id-sent')) {
          socket.write(
            `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' id='s1' from='${options.domain}'>`,
          );
          data += '<!--stream-id-sent-->';
        }
      }
      const handshake = /<handshake>([0-9a-f]+)<\/handshake>/.exec(data);
      if (handshake) {
        const expected = createHash('sha1').update(`s1${options.secret}`).digest('hex');
        if (handshake[1] !== expected) {
          socket.end("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
          return;
        }
        online = true;
        socket.write('<handshake/>');
        announce();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    sessions,
    nextSession: () =>
      new Promise((resolve) => {
        const ready = sessions[handedOut];
        if (ready) {
          handedOut++;
          resolve(ready);
        } else {
          waiting.push(resolve);
        }
      }),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
