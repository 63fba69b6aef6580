// A DNS server on loopback for the domain verification tests: it answers TXT questions
// from a table the test fills, and NXDOMAIN for the rest.

import dgram from 'node:dgram';

import packet from 'dns-packet';

export interface TestDnsServer {
  address: string;
  txt: Map<string, string[]>;
  stop(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const txt = new Map<string, string[]>();
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, remote) => {
    const query = packet.decode(message);
    const question = query.questions?.[0];
    const values = question && question.type === 'TXT' ? txt.get(question.name.toLowerCase()) : undefined;
    const answer = packet.encode({
      id: query.id,
      type: 'response',
      flags: values ? packet.AUTHORITATIVE_ANSWER : packet.AUTHORITATIVE_ANSWER | 3,
      questions: query.questions,
      answers: (values ?? []).map((data) => ({ type: 'TXT' as const, name: question!.name, ttl: 60, data })),
    });
    socket.send(answer, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    txt,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
