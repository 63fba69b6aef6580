// The XMPP connector: a XEP-0114 component on an XMPP server that federates with partner
// servers. Each external contact is a JID on the component's domain; the component's bare
// domain is the Parley bot, which takes commands in chat. Roster subscriptions stand for
// contact requests, and the hub keeps the subscription state itself, since the server
// keeps no roster for component JIDs.

import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';

import { channelText, hubText, proxyDisplayName } from '../../bot/render.js';
import type {
  ChannelHost,
  ChannelPlace,
  Connector,
  ConnectorContext,
  ConnectorState,
  Delivery,
  InboundRoute,
  PlatformPerson,
  PresenceSink,
  SendResult,
  FileContent,
  FileSource,
  TypingSink,
} from '../../core/connector.js';
import { FileNotDeliverableError, PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';
import type { FileEvent, FileRef, InboundEvent, PersonCard, PresenceStatus, UserRef } from '../../core/events.js';
import type { ConnectionId, EventId, InvitationId, PlatformConversationId, PlatformMessageId, PlatformUserId } from '../../core/ids.js';
import { splitRich } from '../../formats/split.js';
import { parseStyling, renderStyling } from '../../formats/styling.js';
import { assertPublicUrl, downloadFromUserUrl, uploadFile } from '../shared/files.js';
import { splitText, utf8Bytes } from '../shared/http.js';
import { bareJid, emailOfProxy, parseJid, proxyJid, type Jid } from './address.js';
import { ComponentConnection, ComponentOfflineError, IqError, stanzaErrorCondition } from './component.js';
import type { XmppConfig } from './config.js';
import { RoomHost } from './rooms.js';
import { child, children, text, x, type XmlElement } from './xml.js';

type Settings = Omit<XmppConfig, 'secret'> & { secret: string };

/** Body size per message stanza, in bytes; Prosody accepts 256 KiB from clients. */
const maxBodyBytes = 64 * 1024;

const ns = {
  sid: 'urn:xmpp:sid:0',
  nick: 'http://jabber.org/protocol/nick',
  vcard: 'vcard-temp',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  ping: 'urn:xmpp:ping',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  correct: 'urn:xmpp:message-correct:0',
  retract: 'urn:xmpp:message-retract:1',
  reactions: 'urn:xmpp:reactions:0',
  fallback: 'urn:xmpp:fallback:0',
  hints: 'urn:xmpp:hints',
  chatStates: 'http://jabber.org/protocol/chatstates',
  reply: 'urn:xmpp:reply:0',
  upload: 'urn:xmpp:http:upload:0',
  oob: 'jabber:x:oob',
} as const;

/** Out-of-band links passed on from one message; clients send one per file. */
const maxLinksPerMessage = 10;

/** Headers XEP-0363 lets a slot ask for on the upload; others are dropped. */
const slotHeaders = new Set(['authorization', 'cookie', 'expires']);

/** The stored state of one local user's subscription with one proxy JID. */
interface Subscription {
  /** The user sees the proxy's presence (we sent `subscribed`). */
  from: boolean;
  /** The proxy receives the user's presence (they sent `subscribed`). */
  to: boolean;
  /** The proxy sent the user a `subscribe` that is still pending. */
  askOut: boolean;
  /** The user sent the proxy a `subscribe`, so their server accepts the proxy's `subscribed`. */
  askIn?: boolean;
}

export class XmppConnector implements Connector, PresenceSink, FileSource, TypingSink, ChannelHost {
  readonly platform = 'xmpp' as const;
  readonly hostsChannels = true as const;
  readonly showsPresence = true as const;
  readonly showsTyping = true as const;
  /** Set only with an upload service: without one the hub cannot hand XMPP users a file. */
  readonly maxFileBytes: number | undefined;
  private component: ComponentConnection | undefined;
  private context: ConnectorContext | undefined;
  private logger: Logger | undefined;
  private current: ConnectorState = { status: 'starting', since: new Date().toISOString() };
  private inboundChain: Promise<void> = Promise.resolve();
  private readonly rooms: RoomHost;

  constructor(
    readonly connectionId: ConnectionId,
    private readonly settings: Settings,
  ) {
    this.maxFileBytes = settings.uploadService ? settings.maxFileBytes : undefined;
    this.rooms = new RoomHost(
      connectionId,
      settings.componentDomain,
      () => this.context!,
      (stanza) => {
        if (!this.component) throw new ComponentOfflineError('The XMPP component has not started.');
        this.component.send(stanza);
      },
      () => this.logger,
    );
  }

  routes(): InboundRoute[] {
    return [];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    const settings = this.settings;
    this.component = new ComponentConnection(
      {
        host: settings.host,
        port: settings.port,
        domain: settings.componentDomain,
        serverDomain: settings.serverDomain,
        secret: settings.secret,
        limits: { maxStanzaBytes: settings.maxStanzaBytes, maxDepth: settings.maxDepth, stanzaTimeoutMs: settings.stanzaTimeoutMs },
        reconnectMinMs: settings.reconnectMinMs,
        reconnectMaxMs: settings.reconnectMaxMs,
        replyTimeoutMs: 10_000,
        keepaliveMs: 60_000,
      },
      context.logger,
    );
    this.component.on('status', (status: string, code: string) => {
      const mapped = componentStates[status as keyof typeof componentStates] ?? 'degraded';
      this.current = { status: mapped, ...(status === 'online' ? {} : { code }), since: new Date().toISOString() };
    });
    this.component.on('stanza', (stanza: XmlElement) => {
      // Stanzas are handled one at a time, in the order the server sent them.
      this.inboundChain = this.inboundChain.then(() =>
        this.onStanza(stanza).catch((error: unknown) => this.logger?.error({ err: error, stanza: stanza.name }, 'Handling an XMPP stanza failed.')),
      );
    });
    this.component.start();
    // Start-up waits briefly for the stream; a server that is down is retried in the background.
    await this.component.waitOnline(3000);
  }

  /** Pings the XMPP server over the component stream. */
  async check(): Promise<void> {
    if (!this.component) throw new PlatformUnavailableError('The XMPP component has not started.');
    try {
      await this.component.flush();
    } catch (error) {
      throw new PlatformUnavailableError((error as Error).message, undefined, { cause: error });
    }
  }

  async stop(): Promise<void> {
    await this.component?.stop();
    await this.inboundChain;
  }

  state(): ConnectorState {
    return this.current;
  }

  /**
   * XMPP users are known by their bare JID, which is also their address. Whether the
   * account exists is up to the partner's server; an unknown one bounces the request.
   */
  async findPersonByEmail(email: string): Promise<PlatformPerson | undefined> {
    const jid = parseJid(email);
    if (!jid || jid.local === undefined || jid.resource !== undefined) return undefined;
    const bare = bareJid(jid);
    return {
      ref: { platform: 'xmpp', connectionId: this.connectionId, platformUserId: bare as PlatformUserId, email: bare, displayName: jid.local },
      displayName: jid.local,
      email: bare,
    };
  }

  /**
   * Delivers into the room that mirrors a shared channel. An invitation creates the room or
   * adds the member, a removal takes them out, and posts appear under their sender's name.
   */
  private async sendToChannel(delivery: Delivery, place: ChannelPlace): Promise<SendResult> {
    if (place.role !== 'mirror') throw new PlatformRejectedError('unsupported', 'An XMPP room can only mirror a channel shared from another platform.');
    const event = delivery.event;
    const sender = delivery.sender;
    const nick = sender.kind === 'bot' ? undefined : proxyDisplayName(sender);
    let result: SendResult = { messageIds: [] };
    try {
      if (event.kind === 'channel_invite') {
        const member = event.invitee.platformUserId as string;
        const room = await this.rooms.admit(place.conversationId, place.title, member);
        // Sent from the inviter's proxy, which is in the invitee's contacts.
        this.component?.send(this.rooms.invitation(room, proxyJid(event.inviter.email, this.settings.componentDomain), member, channelText(event, place, 'room')));
        result = { messageIds: [], channel: { conversationId: room as PlatformConversationId, data: {} } };
      } else {
        const room = place.conversationId;
        if (!room) throw new PlatformRejectedError('no_conversation', 'The shared channel has no XMPP room yet.');
        if (event.kind === 'channel_member') {
          await this.rooms.expel(room, event.member.platformUserId);
        } else if (event.kind === 'message') {
          const parts = splitRich(event.body, { size: (part) => utf8Bytes(renderStyling(part)), limit: maxBodyBytes }).map(renderStyling);
          for (const [i, part] of parts.entries()) {
            result.messageIds.push(await this.rooms.post(room, parts.length === 1 ? delivery.id : `${delivery.id}-${i + 1}`, part, nick));
          }
        } else if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') {
          await this.rooms.postStanza(room, await this.followUp(`${room}/${nick ?? ''}`, room, delivery.id, event), nick, false);
        } else if (event.kind === 'file') {
          const from = sender.kind === 'bot' ? this.settings.componentDomain : proxyJid(sender.person.email, this.settings.componentDomain);
          const ids: PlatformMessageId[] = [];
          for (const stanza of await this.fileStanzas(from, room, delivery, event, ids, nick ?? 'Parley')) {
            await this.rooms.postStanza(room, stanza, nick, true);
            result.messageIds.push(`${room}/${stanza.attrs.id}` as PlatformMessageId);
          }
        }
      }
      await this.component?.flush();
    } catch (error) {
      if (error instanceof ComponentOfflineError) throw new PlatformUnavailableError(error.message, undefined, { cause: error, outcomeUnknown: true });
      throw error;
    }
    return result;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    if (delivery.channel) return this.sendToChannel(delivery, delivery.channel);
    const user = delivery.recipient.platformUserId as string;
    const event = delivery.event;
    const stanzas: XmlElement[] = [];
    const ids: PlatformMessageId[] = [];
    let binding: SendResult['binding'];

    if (delivery.sender.kind === 'bot') {
      if (event.kind === 'contact_request') {
        const proxy = proxyJid(event.requester.email, this.settings.componentDomain);
        await this.rememberCard(proxy, event.requester);
        // A bounce of the request's chat message means the address cannot be reached.
        await this.context!.setState(`request:${delivery.id}`, event.invitationId);
        await this.updateSubscription(user, proxy, { askOut: true });
        stanzas.push(
          x('presence', { type: 'subscribe', from: proxy, to: user }, x('nick', { xmlns: ns.nick }, cardName(event.requester)), x('status', {}, hubText(event, delivery.sender) ?? '')),
        );
      }
      if (event.kind === 'notice' && event.inviteRefused !== undefined) {
        // A roster request that became no invitation: deny it, so it does not stay pending.
        const proxy = proxyJid(event.inviteRefused, this.settings.componentDomain);
        const sub = await this.subscription(user, proxy);
        if (sub.askIn && !sub.from) {
          await this.updateSubscription(user, proxy, { askIn: false });
          stanzas.push(x('presence', { type: 'unsubscribed', from: proxy, to: user }));
        }
      }
      let body = hubText(event, delivery.sender);
      if (event.kind === 'contact_request') {
        const proxy = proxyJid(event.requester.email, this.settings.componentDomain);
        body = `${body} Approving the contact request from ${proxy} in your XMPP client accepts it too.`;
      }
      if (body) stanzas.push(...this.chat(this.settings.componentDomain, user, delivery.id, body, ids));
    } else {
      const sender = delivery.sender;
      if (sender.kind === 'member') throw new PlatformRejectedError('no_conversation', 'A channel member can only post into a shared channel.');
      const proxy = proxyJid(sender.person.email, this.settings.componentDomain);
      await this.rememberCard(proxy, sender.person);
      if (!sender.binding) {
        binding = { contactId: sender.contactId, conversationId: proxy as PlatformConversationId, proxyUserId: proxy as PlatformUserId, data: {} };
      }
      let hint = '';
      if (event.kind === 'contact_response' && event.accepted) {
        const before = await this.subscription(user, proxy);
        await this.updateSubscription(user, proxy, { from: true });
        // The user's server drops this `subscribed` unless the user asked first (RFC 6121 §3.1.5).
        stanzas.push(x('presence', { type: 'subscribed', from: proxy, to: user }));
        if (!before.askIn) hint = ` Add ${proxy} to your contacts to see when they are online.`;
        if (!before.to) stanzas.push(x('presence', { type: 'subscribe', from: proxy, to: user }, x('nick', { xmlns: ns.nick }, cardName(sender.person))));
        stanzas.push(presenceStanza(proxy, user, await this.lastPresence(user, proxy)));
        // Request the user's current presence, so their contact has it from the start.
        stanzas.push(x('presence', { type: 'probe', from: proxy, to: user }));
      }
      if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') {
        stanzas.push(await this.followUp(proxy, user, delivery.id, event));
      } else if (event.kind === 'presence') {
        await this.context!.setState(`presence:${user}:${proxy}`, event.status);
        // Presence goes only to users who let the proxy be seen (RFC 6121 §4.2).
        if ((await this.subscription(user, proxy)).from) stanzas.push(presenceStanza(proxy, user, event.status));
      } else if (event.kind === 'contact_removed') {
        // The contact ended: take the proxy off the user's roster both ways.
        await this.updateSubscription(user, proxy, { from: false, to: false, askOut: false, askIn: false });
        stanzas.push(
          x('presence', { type: 'unavailable', from: proxy, to: user }),
          x('presence', { type: 'unsubscribed', from: proxy, to: user }),
          x('presence', { type: 'unsubscribe', from: proxy, to: user }),
        );
      } else if (event.kind === 'file') {
        stanzas.push(...(await this.fileStanzas(proxy, user, delivery, event, ids, proxyDisplayName(sender))));
      } else if (event.kind === 'typing') {
        stanzas.push(x('message', { type: 'chat', from: proxy, to: user }, x(event.state === 'started' ? 'composing' : 'paused', { xmlns: ns.chatStates })));
      } else {
        const replyTo = event.kind === 'message' ? event.replyTo : undefined;
        if (event.kind === 'message') {
          // Split on the tree, so that no part cuts a code block, a link or a character.
          const parts = splitRich(event.body, { size: (part) => utf8Bytes(renderStyling(part)), limit: maxBodyBytes }).map(renderStyling);
          stanzas.push(...this.chat(proxy, user, delivery.id, parts, ids, proxyDisplayName(sender), replyTo));
        } else {
          const text = hubText(event, sender);
          if (text !== undefined) stanzas.push(...this.chat(proxy, user, delivery.id, `${text}${hint}`, ids, proxyDisplayName(sender)));
        }
      }
    }

    let written = 0;
    try {
      if (!this.component) throw new ComponentOfflineError('The XMPP component has not started.');
      for (const stanza of stanzas) {
        this.component.send(stanza);
        written++;
      }
      // The server has read the stanzas once it returns the result of a ping sent after them.
      await this.component.flush();
    } catch (error) {
      if (error instanceof ComponentOfflineError) {
        throw new PlatformUnavailableError(error.message, undefined, { cause: error, outcomeUnknown: written > 0 });
      }
      throw error;
    }
    return { messageIds: ids, ...(binding ? { binding } : {}) };
  }

  /**
   * Uploads each file through the upload service (XEP-0363: a slot, then an HTTP PUT) and
   * returns the chat messages that carry the links, as XEP-0066 out-of-band data with the
   * link as the body for clients that show only text.
   */
  private async fileStanzas(proxy: string, user: string, delivery: Delivery, event: FileEvent, ids: PlatformMessageId[], nick: string): Promise<XmlElement[]> {
    const service = this.settings.uploadService;
    if (!service || !delivery.openFile || !this.component) {
      throw new FileNotDeliverableError('file_unsupported', 'the XMPP side of Parley has no upload service configured');
    }
    const stanzas: XmlElement[] = [];
    for (const [i, ref] of event.files.entries()) {
      const file = await delivery.openFile(ref);
      let getUrl: string;
      try {
        const slot = await this.requestSlot(proxy, service, file);
        await this.upload(slot.put, slot.headers, file, delivery.signal);
        getUrl = slot.get;
      } finally {
        file.body.destroy();
      }
      const id = event.files.length === 1 ? delivery.id : `${delivery.id}-${i + 1}`;
      ids.push(`${proxy}/${id}` as PlatformMessageId);
      stanzas.push(
        x(
          'message',
          { type: 'chat', id, from: proxy, to: user },
          x('body', {}, getUrl),
          x('x', { xmlns: ns.oob }, x('url', {}, getUrl)),
          x('origin-id', { xmlns: ns.sid, id }),
          i === 0 && x('nick', { xmlns: ns.nick }, nick),
        ),
      );
    }
    return stanzas;
  }

  private async requestSlot(proxy: string, service: string, file: FileContent): Promise<{ put: string; get: string; headers: Record<string, string> }> {
    let reply: XmlElement;
    try {
      reply = await this.component!.request(
        x('iq', { type: 'get', from: proxy, to: service }, x('request', { xmlns: ns.upload, filename: file.name, size: String(file.size), 'content-type': file.mediaType })),
      );
    } catch (error) {
      if (error instanceof IqError) {
        const errorElement = child(error.reply, 'error');
        const tooLarge = errorElement ? child(errorElement, 'file-too-large', ns.upload) : undefined;
        if (tooLarge) {
          const max = Number(text(child(tooLarge, 'max-file-size', ns.upload)));
          throw new FileNotDeliverableError('file_too_large', `the XMPP upload service takes files up to ${Number.isFinite(max) && max > 0 ? `${max} bytes` : 'a smaller size'}`);
        }
        if (error.condition === 'resource-constraint' || error.condition === 'service-unavailable' || error.condition === 'internal-server-error') {
          throw new PlatformUnavailableError(`The XMPP upload service rejected the slot request: ${error.condition}.`, undefined, { cause: error });
        }
        throw new PlatformRejectedError(error.condition, `The XMPP upload service rejected the slot request: ${error.condition}.`, { cause: error });
      }
      if (error instanceof ComponentOfflineError) throw new PlatformUnavailableError(error.message, undefined, { cause: error });
      throw error;
    }
    const slot = child(reply, 'slot', ns.upload);
    const put = slot ? child(slot, 'put', ns.upload) : undefined;
    const get = slot ? child(slot, 'get', ns.upload)?.attrs.url : undefined;
    if (!put?.attrs.url || !get || !/^https?:/.test(put.attrs.url) || !/^https?:/.test(get)) {
      throw new PlatformRejectedError('bad_slot', 'The XMPP upload service returned a slot without http(s) put and get URLs.');
    }
    const headers: Record<string, string> = {};
    for (const header of children(put, 'header', ns.upload)) {
      const name = (header.attrs.name ?? '').toLowerCase();
      // XEP-0363 §4: only these three, with newlines stripped.
      if (slotHeaders.has(name)) headers[name] = text(header).replace(/[\r\n]/g, '');
    }
    return { put: put.attrs.url, get, headers };
  }

  private async upload(url: string, headers: Record<string, string>, file: FileContent, signal?: AbortSignal): Promise<void> {
    // The upload service chose this URL; it must not make the hub send into its own network.
    await assertPublicUrl(url, this.settings.allowPrivateFileUrls, "the upload service's address");
    await uploadFile(url, file, { method: 'PUT', headers: { ...headers, 'content-type': file.mediaType }, signal, where: 'The XMPP upload service' });
  }

  /** Opens a file an XMPP user sent as a link, guarded against links into private networks. */
  async openFile(ref: FileRef, signal: AbortSignal): Promise<Omit<FileContent, 'size' | 'name'> & { size?: number; name?: string }> {
    return downloadFromUserUrl(ref.handle, { allowPrivate: this.settings.allowPrivateFileUrls, signal, where: 'XMPP file download' });
  }

  /** Chat stanzas for a body, split to stay within the size servers accept, or for parts split already. */
  private chat(
    from: string,
    to: string,
    deliveryId: string,
    body: string | string[],
    ids: PlatformMessageId[],
    nick?: string,
    replyTo?: PlatformMessageId,
  ): XmlElement[] {
    // XEP-0461 names the replied-to message by its author's JID and its id.
    const reply = replyTo === undefined ? undefined : x('reply', { xmlns: ns.reply, to: replyTo.slice(0, replyTo.indexOf('/')), id: replyTo.slice(replyTo.indexOf('/') + 1) });
    const parts = Array.isArray(body) ? body : splitText(body, maxBodyBytes, utf8Bytes);
    return parts.map((part, i) => {
      const id = parts.length === 1 ? deliveryId : `${deliveryId}-${i + 1}`;
      ids.push(`${from}/${id}` as PlatformMessageId);
      return x(
        'message',
        { type: 'chat', id, from, to },
        x('body', {}, part),
        x('origin-id', { xmlns: ns.sid, id }),
        i === 0 && nick !== undefined && x('nick', { xmlns: ns.nick }, nick),
        i === 0 && reply,
      );
    });
  }

  /**
   * A correction (XEP-0308), retraction (XEP-0424) or reaction set (XEP-0444) from the proxy.
   * `messageId` is the hub's key for the XMPP message: the sender's bare JID, a slash, and
   * the stanza id.
   */
  private async followUp(
    proxy: string,
    user: string,
    deliveryId: string,
    event: Extract<Delivery['event'], { kind: 'message_edit' | 'message_delete' | 'reaction' }>,
  ): Promise<XmlElement> {
    const key = event.messageId as string;
    const id = key.slice(key.indexOf('/') + 1);
    const attrs = { type: 'chat', id: deliveryId, from: proxy, to: user };
    switch (event.kind) {
      case 'message_edit':
        return x('message', attrs, x('body', {}, renderStyling(event.body)), x('replace', { xmlns: ns.correct, id }));
      case 'message_delete':
        return x(
          'message',
          attrs,
          x('retract', { xmlns: ns.retract, id }),
          x('fallback', { xmlns: ns.fallback, for: ns.retract }),
          x('body', {}, 'This message was deleted by its sender.'),
          x('store', { xmlns: ns.hints }),
        );
      case 'reaction': {
        const stateKey = `reactions-out:${user}:${key}`;
        const set = new Set<string>(JSON.parse((await this.context!.getState(stateKey)) ?? '[]') as string[]);
        if (event.action === 'added') set.add(event.emoji);
        else set.delete(event.emoji);
        await this.context!.setState(stateKey, JSON.stringify([...set]));
        return x(
          'message',
          attrs,
          x('reactions', { xmlns: ns.reactions, id }, ...[...set].map((emoji) => x('reaction', {}, emoji))),
          x('store', { xmlns: ns.hints }),
        );
      }
    }
  }

  private async onStanza(stanza: XmlElement): Promise<void> {
    const from = parseJid(stanza.attrs.from);
    const to = parseJid(stanza.attrs.to);
    if (!from || !to || to.domain !== this.settings.componentDomain) return;

    switch (stanza.name) {
      case 'message':
        return this.onMessage(stanza, from, to);
      case 'presence':
        return this.onPresence(stanza, from, to);
      case 'iq':
        return this.onIq(stanza, from, to);
    }
  }

  private userRef(from: Jid, name?: string): UserRef {
    const bare = bareJid(from);
    return {
      platform: 'xmpp',
      connectionId: this.connectionId,
      platformUserId: bare as PlatformUserId,
      email: bare,
      displayName: name ?? from.local ?? bare,
    };
  }

  private async onMessage(stanza: XmlElement, from: Jid, to: Jid): Promise<void> {
    const type = stanza.attrs.type ?? 'normal';
    if (type === 'error') return this.onBounce(stanza, from);
    if (this.rooms.isRoom(to) && from.local !== undefined) {
      const events = await this.rooms.onMessage(stanza, from, to, (jid, nick) => this.userRef(jid, nick));
      if (events.length > 0) await this.context!.receive(events);
      return;
    }
    if (type === 'groupchat' || type === 'headline') return;
    if (from.local === undefined) return;
    if (to.local !== undefined && !emailOfProxy(to, this.settings.componentDomain)) {
      this.sendQuietly(errorReply(stanza, 'cancel', 'item-not-found', 'There is no Parley contact at this address.'));
      return;
    }

    const bare = bareJid(from);
    const nick = text(child(stanza, 'nick', ns.nick)) || undefined;
    const target: InboundEvent['target'] =
      to.local === undefined ? { kind: 'bot' } : { kind: 'proxy', conversationId: bareJid(to) as PlatformConversationId };
    // Each stanza arrives once over the component stream, and a sender may reuse an id for a
    // new message, so event ids are the hub's own rather than the stanza's.
    const base = { id: randomUUID() as EventId, occurredAt: new Date().toISOString(), from: this.userRef(from, nick) };
    const events: InboundEvent[] = [];
    const body = child(stanza, 'body');
    const replace = child(stanza, 'replace', ns.correct);
    const retract = child(stanza, 'retract', ns.retract);
    const reactions = child(stanza, 'reactions', ns.reactions);
    const allLinks = children(stanza, 'x', ns.oob)
      .map((oob) => text(child(oob, 'url', ns.oob)).trim())
      .filter((url) => url !== '' && url.length <= 4096);
    const links = allLinks.slice(0, maxLinksPerMessage);

    if (retract?.attrs.id) {
      // XEP-0424: only the sender's own message; its key carries the sender's JID.
      events.push({ platformEventId: randomUUID(), target, event: { ...base, kind: 'message_delete', messageId: `${bare}/${retract.attrs.id}` as PlatformMessageId } });
    } else if (replace?.attrs.id && body) {
      // XEP-0308: a correction edits the sender's own last message with that id, never another's.
      events.push({
        platformEventId: randomUUID(),
        target,
        event: { ...base, kind: 'message_edit', messageId: `${bare}/${replace.attrs.id}` as PlatformMessageId, body: parseStyling(text(body)) },
      });
    } else if (reactions?.attrs.id && to.local !== undefined) {
      events.push(...(await this.reactionEvents(bare, bareJid(to), reactions, target, base)));
    } else if (links.length > 0 && to.local !== undefined) {
      // XEP-0066: clients put the link in the body too, for clients without out-of-band data.
      const stanzaId = child(stanza, 'origin-id', ns.sid)?.attrs.id ?? stanza.attrs.id ?? randomUUID();
      let caption = body ? text(body) : '';
      for (const url of links) caption = caption.replace(url, '');
      const file: FileEvent = {
        ...base,
        kind: 'file',
        messageId: `${bare}/${stanzaId}` as PlatformMessageId,
        files: links.map((url) => ({ connectionId: this.connectionId, handle: url, ...nameOfLink(url) })),
        ...(caption.trim() !== '' ? { body: parseStyling(caption.trim()) } : {}),
        ...(allLinks.length > links.length ? { omitted: allLinks.length - links.length } : {}),
      };
      events.push({ platformEventId: randomUUID(), target, event: file });
    } else if (!body && to.local !== undefined && typingStates.has(chatState(stanza) ?? '')) {
      // XEP-0085: a standalone chat state; `composing` starts typing, the others end it.
      const state = chatState(stanza) === 'composing' ? 'started' : 'stopped';
      events.push({ platformEventId: randomUUID(), target, event: { ...base, kind: 'typing', state } });
    } else if (body) {
      const stanzaId = child(stanza, 'origin-id', ns.sid)?.attrs.id ?? stanza.attrs.id ?? randomUUID();
      const reply = child(stanza, 'reply', ns.reply);
      const replyTo = reply?.attrs.id && to.local !== undefined ? await this.replyKey(bare, bareJid(to), reply) : undefined;
      events.push({
        platformEventId: randomUUID(),
        target,
        event: {
          ...base,
          kind: 'message',
          messageId: `${bare}/${stanzaId}` as PlatformMessageId,
          body: parseStyling(withoutReplyFallback(stanza, text(body))),
          ...(replyTo ? { replyTo } : {}),
        },
      });
    }
    if (events.length > 0) await this.context!.receive(events);
  }

  /**
   * A message the hub sent came back as an error. When it carried a contact request, the
   * address cannot be reached and the inviter gets a notice. Other bounces are logged.
   */
  private async onBounce(stanza: XmlElement, from: Jid): Promise<void> {
    const condition = stanzaErrorCondition(stanza);
    const invitationId = stanza.attrs.id ? await this.context!.getState(`request:${stanza.attrs.id}`) : undefined;
    if (!invitationId || from.local === undefined) {
      this.logger?.warn({ platform_message: stanza.attrs.id, condition }, 'An XMPP server bounced a message from the hub.');
      return;
    }
    this.logger?.info({ invitation_id: invitationId, condition }, 'An XMPP server bounced a contact request; the address cannot be reached.');
    await this.context!.receive([
      {
        platformEventId: randomUUID(),
        target: { kind: 'bot' },
        event: {
          kind: 'contact_response',
          id: randomUUID() as EventId,
          occurredAt: new Date().toISOString(),
          from: this.userRef(from),
          invitationId: invitationId as InvitationId,
          accepted: false,
          unreachable: true,
        },
      },
    ]);
  }

  /** Returns the key of the message a XEP-0461 reply refers to: the proxy's message or the user's own. */
  private async replyKey(user: string, proxy: string, reply: XmlElement): Promise<PlatformMessageId> {
    const id = reply.attrs.id!;
    const author = parseJid(reply.attrs.to);
    if (author) return `${bareJid(author)}/${id}` as PlatformMessageId;
    const proxyKey = `${proxy}/${id}` as PlatformMessageId;
    return (await this.context!.isHubMessage(proxyKey)) ? proxyKey : (`${user}/${id}` as PlatformMessageId);
  }

  /**
   * XEP-0444 sends the sender's whole set of reactions to a message each time. The hub
   * stores the last set and relays what was added and what was taken away.
   */
  private async reactionEvents(
    user: string,
    proxy: string,
    element: XmlElement,
    target: InboundEvent['target'],
    base: { id: EventId; occurredAt: string; from: UserRef },
  ): Promise<InboundEvent[]> {
    const id = element.attrs.id!;
    // The message is either one the proxy sent (the hub's copy) or one the user sent.
    const proxyKey = `${proxy}/${id}` as PlatformMessageId;
    const messageId = (await this.context!.isHubMessage(proxyKey)) ? proxyKey : (`${user}/${id}` as PlatformMessageId);
    const key = `reactions:${user}:${messageId}`;
    const before = new Set<string>(JSON.parse((await this.context!.getState(key)) ?? '[]') as string[]);
    const now = new Set(children(element, 'reaction', ns.reactions).map((r) => text(r).trim()).filter((r) => r.length > 0 && r.length <= 32));
    await this.context!.setState(key, JSON.stringify([...now]));

    const events: InboundEvent[] = [];
    const push = (emoji: string, action: 'added' | 'removed') =>
      events.push({
        platformEventId: randomUUID(),
        target,
        event: { ...base, id: randomUUID() as EventId, kind: 'reaction', messageId, emoji, action },
      });
    for (const emoji of now) if (!before.has(emoji)) push(emoji, 'added');
    for (const emoji of before) if (!now.has(emoji)) push(emoji, 'removed');
    return events;
  }

  private async onPresence(stanza: XmlElement, from: Jid, to: Jid): Promise<void> {
    if (this.rooms.isRoom(to)) {
      if (from.local !== undefined && from.resource !== undefined) await this.rooms.onPresence(stanza, from, to);
      return;
    }
    const type = stanza.attrs.type ?? 'available';
    const email = emailOfProxy(to, this.settings.componentDomain);
    if (from.local === undefined) return;
    if (!email) {
      // Not a proxy address: deny a subscription at once, so it does not stay pending.
      if (stanza.attrs.type === 'subscribe') this.sendQuietly(x('presence', { type: 'unsubscribed', from: stanza.attrs.to, to: bareJid(from) }));
      return;
    }
    const user = bareJid(from);
    const proxy = bareJid(to);
    const sub = await this.subscription(user, proxy);

    switch (type) {
      case 'subscribe':
        await this.updateSubscription(user, proxy, { askIn: true });
        if (sub.from) {
          // Already a contact: approve again, as RFC 6121 §3.1.3 requires for a known subscriber.
          this.sendQuietly(x('presence', { type: 'subscribed', from: proxy, to: user }));
          this.sendQuietly(x('presence', { from: proxy, to: user }));
          return;
        }
        return this.command(from, sub.askOut ? `accept ${email}` : `invite ${email}`);
      case 'subscribed':
        await this.updateSubscription(user, proxy, { to: true, askOut: false });
        if (sub.askOut && !sub.from) return this.command(from, `accept ${email}`);
        return;
      case 'unsubscribed':
        await this.updateSubscription(user, proxy, { to: false, askOut: false });
        if (sub.askOut && !sub.from) return this.command(from, `decline ${email}`);
        return;
      case 'unsubscribe':
        await this.updateSubscription(user, proxy, { from: false });
        if (sub.from) return this.command(from, `remove ${email}`);
        return;
      case 'probe':
        this.sendQuietly(
          sub.from ? presenceStanza(proxy, user, await this.lastPresence(user, proxy)) : x('presence', { type: 'unsubscribed', from: proxy, to: user }),
        );
        return;
      case 'available':
      case 'unavailable': {
        // The user's own presence, which their server sends to the proxies they let see it.
        const status: PresenceStatus = type === 'unavailable' ? 'offline' : (xmppShows[text(child(stanza, 'show'))] ?? 'available');
        await this.context!.receive([
          {
            platformEventId: randomUUID(),
            target: { kind: 'proxy', conversationId: proxy as PlatformConversationId },
            event: { kind: 'presence', id: randomUUID() as EventId, occurredAt: new Date().toISOString(), from: this.userRef(from), status },
          },
        ]);
        return;
      }
      default:
        return;
    }
  }

  /** Turns a roster action into the bot command it stands for. */
  private async command(from: Jid, command: string): Promise<void> {
    await this.context!.receive([
      {
        platformEventId: randomUUID(),
        target: { kind: 'bot' },
        event: {
          kind: 'message',
          id: randomUUID() as EventId,
          occurredAt: new Date().toISOString(),
          from: this.userRef(from),
          messageId: `${bareJid(from)}/roster-${randomUUID()}` as PlatformMessageId,
          body: parseStyling(command),
        },
      },
    ]);
  }

  private async onIq(stanza: XmlElement, from: Jid, to: Jid): Promise<void> {
    const type = stanza.attrs.type;
    if (type !== 'get' && type !== 'set') return;
    const query = stanza.children.find((c): c is XmlElement => typeof c !== 'string');
    const result = (...payload: XmlElement[]) =>
      this.sendQuietly(x('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from }, ...payload));

    if (type === 'get' && query?.name === 'ping' && query.ns === ns.ping) return result();
    if (type === 'get' && query?.name === 'query' && query.ns === ns.discoInfo && this.rooms.isRoom(to)) {
      const info = await this.rooms.discoInfo(bareJid(to));
      if (info) return result(info);
      this.sendQuietly(errorReply(stanza, 'cancel', 'item-not-found', 'This group chat does not exist.'));
      return;
    }
    if (type === 'get' && query?.name === 'query' && query.ns === ns.discoInfo) {
      const identity =
        to.local === undefined
          ? x('identity', { category: 'gateway', type: 'parley', name: 'Parley' })
          : x('identity', { category: 'client', type: 'pc', name: 'Parley contact' });
      return result(
        x('query', { xmlns: ns.discoInfo }, identity, ...[ns.discoInfo, ns.ping, ns.vcard].map((v) => x('feature', { var: v }))),
      );
    }
    if (type === 'get' && query?.name === 'vCard' && query.ns === ns.vcard && to.local !== undefined) {
      const card = await this.card(bareJid(to));
      if (card) return result(vcard(card));
      this.sendQuietly(errorReply(stanza, 'cancel', 'item-not-found', 'No profile: this address is not one of your Parley contacts.'));
      return;
    }
    void from;
    this.sendQuietly(errorReply(stanza, 'cancel', 'service-unavailable'));
  }

  private sendQuietly(stanza: XmlElement): void {
    try {
      if (!this.component) throw new ComponentOfflineError('The XMPP component has not started.');
      this.component.send(stanza);
    } catch (error) {
      this.logger?.warn({ err_message: (error as Error).message }, 'Could not send an XMPP response; the component stream is down.');
    }
  }

  private async lastPresence(user: string, proxy: string): Promise<PresenceStatus> {
    return ((await this.context!.getState(`presence:${user}:${proxy}`)) as PresenceStatus | undefined) ?? 'available';
  }

  private async subscription(user: string, proxy: string): Promise<Subscription> {
    const raw = await this.context!.getState(`sub:${user}:${proxy}`);
    return raw ? (JSON.parse(raw) as Subscription) : { from: false, to: false, askOut: false };
  }

  private async updateSubscription(user: string, proxy: string, change: Partial<Subscription>): Promise<void> {
    const next = { ...(await this.subscription(user, proxy)), ...change };
    await this.context!.setState(`sub:${user}:${proxy}`, JSON.stringify(next));
  }

  private async rememberCard(proxy: string, card: PersonCard): Promise<void> {
    await this.context!.setState(`card:${proxy}`, JSON.stringify(card));
  }

  private async card(proxy: string): Promise<PersonCard | undefined> {
    const raw = await this.context!.getState(`card:${proxy}`);
    return raw ? (JSON.parse(raw) as PersonCard) : undefined;
  }
}

/** The component stream's states as connector states. */
const componentStates = { online: 'connected', connecting: 'starting', stopped: 'stopped' } as const;

/** RFC 6121 `show` values as hub statuses; no `show` means available. */
const xmppShows: Record<string, PresenceStatus | undefined> = { chat: 'available', away: 'away', xa: 'away', dnd: 'dnd' };

/** The `show` sent for each hub status; available sends none. */
const hubShows: Record<Exclude<PresenceStatus, 'offline'>, string | undefined> = { available: undefined, away: 'away', busy: 'dnd', dnd: 'dnd' };

/** RFC 6121 presence for the hub's five statuses; XMPP has no busy, so busy is dnd with a status. */
function presenceStanza(from: string, to: string, status: PresenceStatus): XmlElement {
  if (status === 'offline') return x('presence', { type: 'unavailable', from, to });
  const show = hubShows[status];
  return x('presence', { from, to }, show !== undefined && x('show', {}, show), status === 'busy' && x('status', {}, 'Busy'));
}

/**
 * Removes the quote a XEP-0461 reply carries for clients without replies: the body range a
 * XEP-0428 fallback element marks for the reply namespace, counted in code points.
 */
function withoutReplyFallback(stanza: XmlElement, body: string): string {
  const fallback = children(stanza, 'fallback', ns.fallback).find((f) => f.attrs.for === ns.reply);
  const range = fallback ? child(fallback, 'body', ns.fallback) : undefined;
  const start = Number(range?.attrs.start);
  const end = Number(range?.attrs.end);
  if (!range || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) return body;
  const chars = [...body];
  if (end > chars.length) return body;
  return [...chars.slice(0, start), ...chars.slice(end)].join('');
}

const typingStates = new Set(['composing', 'paused', 'active', 'inactive', 'gone']);

/** Returns the XEP-0085 chat state a message carries, if any. */
function chatState(stanza: XmlElement): string | undefined {
  return stanza.children.find((c): c is XmlElement => typeof c !== 'string' && c.ns === ns.chatStates)?.name;
}

/** Returns the file name an upload link ends in, as Prosody and ejabberd build them. */
function nameOfLink(url: string): { name?: string } {
  try {
    const last = new URL(url).pathname.split('/').filter((p) => p !== '').at(-1);
    return last ? { name: decodeURIComponent(last) } : {};
  } catch {
    return {};
  }
}

function cardName(card: PersonCard): string {
  return `${card.displayName} (${card.domain})`;
}

function vcard(card: PersonCard): XmlElement {
  return x(
    'vCard',
    { xmlns: ns.vcard },
    x('FN', {}, card.displayName),
    x('NICKNAME', {}, cardName(card)),
    x('EMAIL', {}, x('INTERNET'), x('USERID', {}, card.email)),
    x('ORG', {}, x('ORGNAME', {}, card.domain)),
    card.avatarUrl !== undefined && x('PHOTO', {}, x('EXTVAL', {}, card.avatarUrl)),
  );
}

function errorReply(stanza: XmlElement, type: 'cancel' | 'modify' | 'wait' | 'auth', condition: string, message?: string): XmlElement {
  return x(
    stanza.name,
    { type: 'error', id: stanza.attrs.id, from: stanza.attrs.to, to: stanza.attrs.from },
    x('error', { type }, x(condition, { xmlns: ns.stanzas }), message !== undefined && x('text', { xmlns: ns.stanzas }, message)),
  );
}
