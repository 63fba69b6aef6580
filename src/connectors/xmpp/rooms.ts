// Group chat rooms (XEP-0045) that the component hosts itself, as the XMPP mirrors of shared
// channels. A room is members-only: the invitees of its channel may join, under a nickname
// of their choice. Members of the channel on other platforms speak in it under their names,
// without a presence of their own. Affiliations and the current occupants are kept in the
// connection's state, so a restart keeps both. A short history for late joiners is kept in
// memory only.

import { randomBytes } from 'node:crypto';

import type { Logger } from 'pino';

import type { ConnectorContext } from '../../core/connector.js';
import type { InboundEvent, UserRef } from '../../core/events.js';
import type { ConnectionId, EventId, PlatformConversationId, PlatformMessageId } from '../../core/ids.js';
import { parseStyling } from '../../formats/styling.js';
import { bareJid, type Jid } from './address.js';
import { child, text, x, type XmlElement } from './xml.js';

export const mucNs = {
  muc: 'http://jabber.org/protocol/muc',
  user: 'http://jabber.org/protocol/muc#user',
  conference: 'jabber:x:conference',
  delay: 'urn:xmpp:delay',
  sid: 'urn:xmpp:sid:0',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  correct: 'urn:xmpp:message-correct:0',
  retract: 'urn:xmpp:message-retract:1',
} as const;

/** Messages a room keeps for members who join later; XEP-0045 suggests 20 or so. */
const historySize = 20;
/** A kept message older than this is not sent to someone joining. */
const historyMaxAgeMs = 24 * 60 * 60 * 1000;
const maxNickLength = 64;

/**
 * Room local parts start with this. A proxy address is an escaped email, so its local part
 * always contains `\40` (the escaped @), and a room's local part never does.
 */
export const roomPrefix = 'channel-';

/** A nickname ending in a domain in brackets is how the hub names people from other platforms. */
const relayedNamePattern = /\([^()]*\.[^()]*\)\s*$/;

interface RoomRecord {
  title: string;
  /** Bare JIDs that may join. */
  members: string[];
}

interface Occupant {
  nick: string;
  /** The full JID the occupant joined from. */
  full: string;
}

interface Kept {
  stanza: XmlElement;
  at: number;
}

export class RoomHost {
  private readonly occupants = new Map<string, Map<string, Occupant>>();
  private readonly history = new Map<string, Kept[]>();

  constructor(
    private readonly connectionId: ConnectionId,
    private readonly domain: string,
    private readonly context: () => ConnectorContext,
    private readonly send: (stanza: XmlElement) => void,
    private readonly logger: () => Logger | undefined,
  ) {}

  /** True when the address is a room of this component. */
  isRoom(jid: Jid): boolean {
    return jid.domain === this.domain && jid.local !== undefined && jid.local.startsWith(roomPrefix) && !jid.local.includes('\\40');
  }

  /** Creates a room when `room` is undefined, adds `member` to it, and returns the room's address. */
  async admit(room: string | undefined, title: string, member: string): Promise<string> {
    const address = room ?? `${roomPrefix}${randomBytes(6).toString('hex')}@${this.domain}`;
    const record = (await this.record(address)) ?? { title, members: [] };
    if (!record.members.includes(member)) record.members.push(member);
    await this.save(address, record);
    return address;
  }

  /** Removes a member: their affiliation ends, and if they are in the room they are put out (status 321). */
  async expel(room: string, member: string): Promise<void> {
    const record = await this.record(room);
    if (record) await this.save(room, { ...record, members: record.members.filter((m) => m !== member) });
    const present = await this.present(room);
    for (const [full, occupant] of [...present]) {
      if (bareJid(splitFull(full)) !== member) continue;
      present.delete(full);
      await this.saveOccupants(room);
      const gone = (to: string, self: boolean) =>
        x(
          'presence',
          { type: 'unavailable', from: `${room}/${occupant.nick}`, to },
          x('x', { xmlns: mucNs.user }, x('item', { affiliation: 'none', role: 'none' }), x('status', { code: '321' }), self && x('status', { code: '110' })),
        );
      this.send(gone(full, true));
      for (const other of present.keys()) this.send(gone(other, false));
    }
  }

  /**
   * Sends a post to everyone in the room: from `nick` when a person wrote it, from the room
   * itself for the hub's own notes. Kept for those who join later. Returns the message's key.
   */
  async post(room: string, id: string, body: string, nick?: string): Promise<PlatformMessageId> {
    const from = nick === undefined ? room : `${room}/${clampNick(nick)}`;
    const stanza = x('message', { type: 'groupchat', id, from }, x('body', {}, body), x('stanza-id', { xmlns: mucNs.sid, by: room, id }));
    await this.broadcast(room, stanza);
    this.keep(room, stanza);
    return `${room}/${id}` as PlatformMessageId;
  }

  /** Sends a stanza built for one recipient (a file link, a reaction) to everyone in the room, from `nick`. */
  async postStanza(room: string, stanza: XmlElement, nick: string | undefined, keep: boolean): Promise<void> {
    const from = nick === undefined ? room : `${room}/${clampNick(nick)}`;
    const id = stanza.attrs.id ?? randomBytes(8).toString('hex');
    const { to: _to, ...attrs } = stanza.attrs;
    const groupchat: XmlElement = { ...stanza, attrs: { ...attrs, type: 'groupchat', from, id }, children: [...stanza.children, x('stanza-id', { xmlns: mucNs.sid, by: room, id })] };
    await this.broadcast(room, groupchat);
    if (keep) this.keep(room, groupchat);
  }

  /** Sends a correction, retraction or other stanza about an earlier post to everyone in the room. */
  async broadcast(room: string, stanza: XmlElement): Promise<void> {
    for (const full of (await this.present(room)).keys()) this.send(withAttrs(stanza, { to: full }));
  }

  /** Builds the direct invitation (XEP-0249) to a room, with a body for clients without it. */
  invitation(room: string, from: string, to: string, reason: string): XmlElement {
    return x(
      'message',
      { type: 'normal', from, to, id: randomBytes(8).toString('hex') },
      x('body', {}, `${reason} Join the group chat ${room}.`),
      x('x', { xmlns: mucNs.conference, jid: room, reason }),
    );
  }

  /** Handles presence addressed to a room: joining, changing nickname, leaving. */
  async onPresence(stanza: XmlElement, from: Jid, to: Jid): Promise<void> {
    const room = bareJid(to);
    const full = stanza.attrs.from!;
    const member = bareJid(from);
    const present = await this.present(room);
    if (stanza.attrs.type === 'unavailable') {
      // Going offline or closing the room: the member stays a member.
      const occupant = present.get(full);
      if (!occupant) return;
      present.delete(full);
      await this.saveOccupants(room);
      const gone = (toJid: string, self: boolean) =>
        x('presence', { type: 'unavailable', from: `${room}/${occupant.nick}`, to: toJid }, x('x', { xmlns: mucNs.user }, x('item', { affiliation: 'member', role: 'none' }), self && x('status', { code: '110' })));
      this.send(gone(full, true));
      for (const other of present.keys()) this.send(gone(other, false));
      return;
    }
    if (stanza.attrs.type !== undefined) return;

    const record = await this.record(room);
    const nick = to.resource?.trim();
    if (!record) return this.refuse(stanza, 'cancel', 'item-not-found', 'This group chat does not exist, or no longer exists.');
    if (!record.members.includes(member)) return this.refuse(stanza, 'auth', 'registration-required', 'This group chat is members-only: ask a member to invite you through Parley.');
    if (!nick || nick.length > maxNickLength) return this.refuse(stanza, 'modify', 'jid-malformed', `Join with a nickname of 1 to ${maxNickLength} characters.`);
    if (relayedNamePattern.test(nick)) {
      return this.refuse(stanza, 'modify', 'not-acceptable', 'Choose a nickname that does not end in a domain in brackets: Parley names people from other platforms that way.');
    }
    const taken = [...present.entries()].some(([otherFull, o]) => o.nick === nick && bareJid(splitFull(otherFull)) !== member);
    if (taken) return this.refuse(stanza, 'cancel', 'conflict', 'Another member uses that nickname here; choose another.');

    const joining = !present.has(full);
    present.set(full, { nick, full });
    await this.saveOccupants(room);
    const item = (jid: string) => x('item', { affiliation: 'member', role: 'participant', jid });
    // XEP-0045 §7.2: the others' presence first, then one's own (status 110), then history, then the subject.
    for (const [otherFull, other] of present) {
      if (otherFull === full) continue;
      this.send(x('presence', { from: `${room}/${other.nick}`, to: full }, x('x', { xmlns: mucNs.user }, item(otherFull))));
      this.send(x('presence', { from: `${room}/${nick}`, to: otherFull }, x('x', { xmlns: mucNs.user }, item(full))));
    }
    this.send(x('presence', { from: `${room}/${nick}`, to: full }, x('x', { xmlns: mucNs.user }, item(full), x('status', { code: '110' }))));
    if (!joining) return;
    const since = Date.now() - historyMaxAgeMs;
    for (const kept of this.history.get(room) ?? []) {
      if (kept.at < since) continue;
      this.send(withAttrs(kept.stanza, { to: full }, x('delay', { xmlns: mucNs.delay, from: room, stamp: new Date(kept.at).toISOString() })));
    }
    this.send(x('message', { type: 'groupchat', from: room, to: full, id: randomBytes(8).toString('hex') }, x('subject', {}, record.title)));
  }

  /**
   * Handles a message addressed to a room. A post by an occupant goes to every occupant and is
   * relayed to the channel. A declined invitation (XEP-0045 §7.8.2) ends the membership.
   */
  async onMessage(stanza: XmlElement, from: Jid, to: Jid, who: (jid: Jid, nick?: string) => UserRef): Promise<InboundEvent[]> {
    const room = bareJid(to);
    const member = bareJid(from);
    const decline = child(child(stanza, 'x', mucNs.user) ?? x('none', {}), 'decline');
    const record = await this.record(room);
    if (decline && record?.members.includes(member)) {
      await this.expel(room, member);
      const ref = who(from);
      return [
        {
          platformEventId: randomBytes(12).toString('hex'),
          target: { kind: 'channel', conversationId: room as PlatformConversationId },
          event: { kind: 'channel_member', id: randomId(), occurredAt: new Date().toISOString(), from: ref, action: 'left', member: ref },
        },
      ];
    }
    if (stanza.attrs.type !== 'groupchat') return [];
    const occupant = (await this.present(room)).get(stanza.attrs.from!);
    if (!occupant || !record?.members.includes(member)) {
      this.refuse(stanza, 'modify', 'not-acceptable', 'Join the group chat before you write in it.');
      return [];
    }
    const body = child(stanza, 'body');
    const replace = child(stanza, 'replace', mucNs.correct);
    const retract = child(stanza, 'retract', mucNs.retract);
    const sent = child(stanza, 'origin-id', mucNs.sid)?.attrs.id ?? stanza.attrs.id ?? randomBytes(8).toString('hex');
    // The sender is part of every key, so a correction or retraction only matches the sender's own posts.
    const id = `${member}#${sent}`;
    const target = { kind: 'channel' as const, conversationId: room as PlatformConversationId };
    const base = { id: randomId(), occurredAt: new Date().toISOString(), from: who(from, occupant.nick) };

    // The post goes to every occupant, the sender included (XEP-0045 §7.4), with the room's id for it.
    const reflected = x(
      'message',
      { type: 'groupchat', id: stanza.attrs.id ?? id, from: `${room}/${occupant.nick}` },
      body && x('body', {}, text(body)),
      replace?.attrs.id !== undefined && x('replace', { xmlns: mucNs.correct, id: replace.attrs.id }),
      retract?.attrs.id !== undefined && x('retract', { xmlns: mucNs.retract, id: retract.attrs.id }),
      x('origin-id', { xmlns: mucNs.sid, id: sent }),
      x('stanza-id', { xmlns: mucNs.sid, by: room, id }),
    );
    await this.broadcast(room, reflected);

    if (retract?.attrs.id) {
      return [{ platformEventId: randomBytes(12).toString('hex'), target, event: { ...base, kind: 'message_delete', messageId: `${room}/${member}#${retract.attrs.id}` as PlatformMessageId } }];
    }
    if (!body) return [];
    if (!replace) this.keep(room, reflected);
    if (replace?.attrs.id) {
      return [
        {
          platformEventId: randomBytes(12).toString('hex'),
          target,
          event: { ...base, kind: 'message_edit', messageId: `${room}/${member}#${replace.attrs.id}` as PlatformMessageId, body: parseStyling(text(body)) },
        },
      ];
    }
    return [
      {
        platformEventId: randomBytes(12).toString('hex'),
        target,
        event: { ...base, kind: 'message', messageId: `${room}/${id}` as PlatformMessageId, body: parseStyling(text(body)) },
      },
    ];
  }

  /** Returns the service discovery result for a room (XEP-0045 §6.4). */
  async discoInfo(room: string): Promise<XmlElement | undefined> {
    const record = await this.record(room);
    if (!record) return undefined;
    return x(
      'query',
      { xmlns: mucNs.discoInfo },
      x('identity', { category: 'conference', type: 'text', name: record.title }),
      ...[mucNs.muc, 'muc_membersonly', 'muc_persistent', 'muc_nonanonymous', mucNs.discoInfo].map((v) => x('feature', { var: v })),
    );
  }

  private refuse(stanza: XmlElement, type: string, condition: string, message: string): void {
    this.send(
      x(
        stanza.name,
        { type: 'error', id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from },
        stanza.name === 'presence' && x('x', { xmlns: mucNs.muc }),
        x('error', { type }, x(condition, { xmlns: mucNs.stanzas }), x('text', { xmlns: mucNs.stanzas }, message)),
      ),
    );
  }

  private keep(room: string, stanza: XmlElement): void {
    const kept = this.history.get(room) ?? [];
    kept.push({ stanza, at: Date.now() });
    if (kept.length > historySize) kept.splice(0, kept.length - historySize);
    this.history.set(room, kept);
  }

  /** Returns the current occupants, read from the connection's state after a restart. */
  private async present(room: string): Promise<Map<string, Occupant>> {
    let present = this.occupants.get(room);
    if (!present) {
      const stored = JSON.parse((await this.context().getState(`occupants:${room}`)) ?? '[]') as Occupant[];
      present = new Map(stored.map((o) => [o.full, o]));
      this.occupants.set(room, present);
    }
    return present;
  }

  private async saveOccupants(room: string): Promise<void> {
    await this.context().setState(`occupants:${room}`, JSON.stringify([...(this.occupants.get(room)?.values() ?? [])]));
  }

  private async record(room: string): Promise<RoomRecord | undefined> {
    const raw = await this.context().getState(`room:${room}`);
    return raw ? (JSON.parse(raw) as RoomRecord) : undefined;
  }

  private async save(room: string, record: RoomRecord): Promise<void> {
    await this.context().setState(`room:${room}`, JSON.stringify(record));
    this.logger()?.debug({ connection: this.connectionId, members: record.members.length }, 'XMPP room membership saved.');
  }
}

/** Ids of the hub's own events, as the connector makes them. */
function randomId(): EventId {
  return crypto.randomUUID() as EventId;
}

function clampNick(nick: string): string {
  const chars = [...nick.replace(/[\r\n/]/g, ' ')];
  return chars.length > maxNickLength ? `${chars.slice(0, maxNickLength - 1).join('')}…` : chars.join('');
}

function splitFull(full: string): Jid {
  const slash = full.indexOf('/');
  const bare = slash < 0 ? full : full.slice(0, slash);
  const at = bare.indexOf('@');
  return at < 0 ? { domain: bare } : { local: bare.slice(0, at), domain: bare.slice(at + 1) };
}

/** Copies a stanza with attributes set and children added. */
function withAttrs(stanza: XmlElement, attrs: Record<string, string>, ...extra: XmlElement[]): XmlElement {
  return { ...stanza, attrs: { ...stanza.attrs, ...attrs }, children: [...stanza.children, ...extra] };
}
