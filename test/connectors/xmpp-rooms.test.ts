// The rooms the XMPP component hosts as mirrors of shared channels: who may join, what
// members see when they join, and what happens to posts from outside the room.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ConnectorContext } from '../../src/core/connector.js';
import type { UserRef } from '../../src/core/events.js';
import type { ConnectionId, PlatformUserId } from '../../src/core/ids.js';
import { bareJid, parseJid } from '../../src/connectors/xmpp/address.js';
import { RoomHost } from '../../src/connectors/xmpp/rooms.js';
import { child, text, x, type XmlElement } from '../../src/connectors/xmpp/xml.js';

const domain = 'xmpp.hub.test';

function host(state = new Map<string, string>()) {
  const sent: XmlElement[] = [];
  const context = { getState: async (key: string) => state.get(key), setState: async (key: string, value: string) => void state.set(key, value) } as unknown as ConnectorContext;
  const rooms = new RoomHost('c' as ConnectionId, domain, () => context, (stanza) => sent.push(stanza), () => undefined);
  const who = (jid: NonNullable<ReturnType<typeof parseJid>>, nick?: string): UserRef => ({
    platform: 'xmpp',
    connectionId: 'c' as ConnectionId,
    platformUserId: bareJid(jid) as PlatformUserId,
    ...(nick ? { displayName: nick } : {}),
  });
  const join = (room: string, full: string, nick: string) => {
    const stanza = x('presence', { from: full, to: `${room}/${nick}` }, x('x', { xmlns: 'http://jabber.org/protocol/muc' }));
    return rooms.onPresence(stanza, parseJid(full)!, parseJid(`${room}/${nick}`)!);
  };
  const say = (room: string, full: string, body: string, type = 'groupchat') => {
    const stanza = x('message', { from: full, to: room, type, id: 'm1' }, x('body', {}, body));
    return rooms.onMessage(stanza, parseJid(full)!, parseJid(room)!, who);
  };
  const condition = (stanza: XmlElement | undefined) =>
    stanza && child(stanza, 'error')?.children.find((c): c is XmlElement => typeof c !== 'string' && c.name !== 'text')?.name;
  return { rooms, sent, join, say, condition, state };
}

test('a stranger cannot join', async () => {
  const { rooms, sent, join, condition } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await join(room, 'frank@partner.test/phone', 'Frank');
  assert.equal(condition(sent.at(-1)), 'registration-required');
});

test('a member joins and sees the subject', async () => {
  const { rooms, sent, join } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await join(room, 'erin@partner.test/phone', 'Erin');
  const subject = sent.find((s) => child(s, 'subject'));
  assert.equal(text(child(subject!, 'subject')!), 'Design review');
});

test('a taken nickname is refused', async () => {
  const { rooms, sent, join, condition } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await rooms.admit(room, 'Design review', 'gus@partner.test');
  await join(room, 'erin@partner.test/phone', 'Erin');
  await join(room, 'gus@partner.test/laptop', 'Erin');
  assert.equal(condition(sent.at(-1)), 'conflict');
});

test('posts from outside are refused', async () => {
  const { rooms, sent, say, condition } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  const events = await say(room, 'erin@partner.test/phone', 'not joined yet');
  assert.equal(events.length, 0);
  assert.equal(condition(sent.at(-1)), 'not-acceptable');
});

test('late joiners get the history', async () => {
  const { rooms, sent, join } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await rooms.post(room, 'd1', 'Mockups are in the folder', 'Carol Chen (acme.example)');
  await join(room, 'erin@partner.test/phone', 'Erin');
  const replay = sent.find((s) => text(child(s, 'body') ?? x('none')) === 'Mockups are in the folder');
  assert.ok(replay, 'the kept post is sent to the new member');
  assert.ok(child(replay, 'delay', 'urn:xmpp:delay'), 'the kept post has a delay stamp');
});

test('a decline ends the membership', async () => {
  const { rooms, sent, join, condition } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  const decline = x('message', { from: 'erin@partner.test/phone', to: room }, x('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, x('decline')));
  const events = await rooms.onMessage(decline, parseJid('erin@partner.test/phone')!, parseJid(room)!, (jid) => ({
    platform: 'xmpp',
    connectionId: 'c' as ConnectionId,
    platformUserId: bareJid(jid) as PlatformUserId,
  }));
  assert.equal(events[0]?.event.kind, 'channel_member');
  await join(room, 'erin@partner.test/phone', 'Erin');
  assert.equal(condition(sent.at(-1)), 'registration-required');
});

test('posts are echoed and relayed', async () => {
  const { rooms, sent, join, say } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await join(room, 'erin@partner.test/phone', 'Erin');
  const events = await say(room, 'erin@partner.test/phone', 'Looks good');
  assert.equal(events[0]?.event.kind, 'message');
  assert.equal(sent.at(-1)?.attrs.from, `${room}/Erin`);
});

test('a relayed name is refused', async () => {
  const { rooms, sent, join, condition } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await join(room, 'erin@partner.test/phone', 'Carol Chen (acme.example)');
  assert.equal(condition(sent.at(-1)), 'not-acceptable');
});

test('a proxy address is not a room', () => {
  const { rooms } = host();
  assert.equal(rooms.isRoom(parseJid(`channel-ops\\40acme.example@${domain}`)!), false);
  assert.equal(rooms.isRoom(parseJid(`channel-0a1b2c@${domain}`)!), true);
});

test('post keys name the sender', async () => {
  const { rooms, join, say } = host();
  const room = await rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await join(room, 'erin@partner.test/phone', 'Erin');
  const [event] = await say(room, 'erin@partner.test/phone', 'Hello');
  assert.equal((event?.event as { messageId?: string }).messageId, `${room}/erin@partner.test#m1`);
});

test('occupants survive a restart', async () => {
  const first = host();
  const room = await first.rooms.admit(undefined, 'Design review', 'erin@partner.test');
  await first.join(room, 'erin@partner.test/phone', 'Erin');
  const second = host(first.state);
  await second.rooms.post(room, 'd2', 'After the restart', 'Carol Chen (acme.example)');
  assert.equal(second.sent.at(-1)?.attrs.to, 'erin@partner.test/phone');
});
