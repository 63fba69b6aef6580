// The Webex connector: the customer's Parley bot for commands, and one guest identity
// per external contact (a proxy person) who talks to the Webex user in a direct room.

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
  RawRequest,
  RawResponse,
  PresenceSource,
  Reconciling,
  SendResult,
  FileSource,
  FileTarget,
  FileContent,
} from '../../core/connector.js';
import { FileNotDeliverableError, FileNotReadyError, ParleyError, PlatformRejectedError, RequestStaleError } from '../../core/errors.js';
import type { ChannelInviteEvent, FileEvent, FileRef, InboundEvent, PresenceStatus } from '../../core/events.js';
import type {
  ConnectionId,
  EventId,
  PlatformConversationId,
  PlatformMessageId,
  PlatformUserId,
} from '../../core/ids.js';
import { parsePlain, renderPlain } from '../../formats/plain.js';
import { parseMarkdown } from '../../formats/markdown.js';
import { splitRich } from '../../formats/split.js';
import { hasStyling, mentionsNatively, renderWebexMarkdown } from '../../formats/webex.js';
import { mentionedEmails, type RichText } from '../../core/richtext.js';
import { download } from '../shared/files.js';
import { retryAfterMs, splitText, utf8Bytes } from '../shared/http.js';
import { WebexApi, type WebexMessage } from './api.js';
import { GuestTokens, guestSubject } from './guests.js';
import { checkFreshness, parseEnvelope, verifyWebexSignature } from './inbound.js';
import { WebhookKeeper, type WebhookOwner } from './webhooks.js';

/** Webhook envelopes are a few hundred bytes; anything near this is not from Webex. */
const webhookBodyLimit = 64 * 1024;
const freshnessWindowMs = 300_000;


const webexPresence: Record<string, PresenceStatus | undefined> = {
  active: 'available',
  inactive: 'away',
  OutOfOffice: 'away',
  call: 'busy',
  meeting: 'busy',
  presenting: 'busy',
  DoNotDisturb: 'dnd',
};

/** What a Webex file handle holds: the content URL and whose token may read it. */
interface WebexFileHandle {
  url: string;
  /** The guest subject of the proxy the file was sent to; absent for the bot's own rooms. */
  subject?: string;
}

/** Mentions resolved per message; more read as names. */
const maxMentions = 20;

export class WebexConnector implements Connector, Reconciling, PresenceSource, FileSource, FileTarget, ChannelHost {
  readonly platform = 'webex' as const;
  readonly hostsChannels = true;
  readonly maxFileBytes: number;
  private readonly api: WebexApi;
  private readonly guests: GuestTokens;
  private readonly names = new Map<string, string>();
  /** Emails of mentioned person ids; null when Webex returns none. */
  private readonly emailsById = new Map<string, string | null>();
  /** Whether a mentioned email is a person on this Webex. */
  private readonly onWebex = new Map<string, boolean>();
  /** Person ids found not to be guests. A guest's id is remembered when the guest is made, before it can post. */
  private readonly notGuests = new Set<string>();
  /** Guests whose webhooks for a shared space are in place, as `subject\nroomId`. */
  private readonly channelGuests = new Set<string>();
  private context: ConnectorContext | undefined;
  private logger: Logger | undefined;
  private botId = '';
  private botName = '';
  private webhooks: WebhookKeeper | undefined;
  private current: ConnectorState = { status: 'starting', since: new Date().toISOString() };

  constructor(
    readonly connectionId: ConnectionId,
    private readonly config: {
      apiBaseUrl: string;
      botToken: string;
      webhookSecret: string;
      guestToken: string;
      maxTextBytes: number;
      maxFileBytes?: number;
      webhookCheckSeconds: number;
    },
  ) {
    this.maxFileBytes = config.maxFileBytes ?? 100 * 1024 * 1024;
    this.api = new WebexApi(config.apiBaseUrl);
    this.guests = new GuestTokens(this.api, config.guestToken);
  }

  get routePath(): string {
    return `/hooks/webex/${this.connectionId}`;
  }

  routes(): InboundRoute[] {
    return [{ method: 'POST', path: this.routePath, bodyLimit: webhookBodyLimit, handle: (request) => this.handle(request) }];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    try {
      const me = await this.api.me(this.config.botToken);
      this.botId = me.id;
      this.botName = me.displayName;
    } catch (error) {
      this.setState('failed', 'auth_failed');
      context.logger.error({ err: error }, 'Webex bot token was rejected; check webex.botToken.');
      return;
    }

    const proxies = await context.listProxies();
    for (const proxy of proxies) {
      const subject = proxy.data.subject;
      if (proxy.proxyUserId && subject) this.guests.remember(proxy.proxyUserId, subject);
    }

    this.webhooks = new WebhookKeeper(this.api, `${context.publicUrl}${this.routePath}`, this.config.webhookSecret, context.logger, (ok) =>
      this.setState(ok ? 'connected' : 'degraded', ok ? undefined : 'webhook_inactive'),
    );
    const owners: WebhookOwner[] = [
      { token: this.config.botToken, filter: 'roomType=direct' },
      // In a space, the bot hears only messages that mention it: commands to share the space.
      { token: this.config.botToken, filter: 'roomType=group&mentionedPeople=me', events: ['created'] },
    ];
    for (const proxy of proxies) {
      if (!proxy.data.subject) continue;
      const guest = await this.guests.get(proxy.data.subject, proxy.data.name ?? 'Parley contact');
      owners.push({ token: guest.token, filter: 'roomType=direct' });
    }
    // Proxies in shared spaces and mirrors listen there through webhooks of their own.
    for (const { subject, roomId } of JSON.parse((await context.getState('channel-guests')) ?? '[]') as Array<{ subject: string; roomId: string }>) {
      const guest = await this.guests.get(subject, 'Parley contact');
      this.guests.remember(guest.personId, subject);
      owners.push(...channelOwners(guest.token, roomId));
      this.channelGuests.add(`${subject}\n${roomId}`);
    }
    await this.webhooks.start(owners, this.config.webhookCheckSeconds * 1000);
  }

  /** Checks the bot token with `GET /people/me`. */
  async check(): Promise<void> {
    await this.api.me(this.config.botToken);
  }

  async stop(): Promise<void> {
    this.webhooks?.stop();
    this.setState('stopped');
  }

  state(): ConnectorState {
    return this.current;
  }

  private setState(status: ConnectorState['status'], code?: string): void {
    if (this.current.status === status && this.current.code === code) return;
    this.current = { status, ...(code ? { code } : {}), since: new Date().toISOString() };
    this.logger?.info({ status, code }, 'Webex connection state changed.');
  }

  private async handle(request: RawRequest): Promise<RawResponse> {
    try {
      verifyWebexSignature(request.rawBody, request.headers['x-spark-signature'], this.config.webhookSecret);
      const envelope = parseEnvelope(request.rawBody);
      if (envelope.resource === 'memberships' && envelope.event === 'deleted') {
        const inbound = await this.membershipInbound(envelope, request.receivedAt);
        if (inbound) await this.context!.receive([inbound]);
        return { status: 200 };
      }
      if (envelope.resource !== 'messages' || !['created', 'updated', 'deleted'].includes(envelope.event)) return { status: 200 };
      // An edit or deletion carries the message's creation time, which may be old. So an edit is
      // checked against its own update time below, and a replayed deletion changes nothing.
      if (envelope.event === 'created') checkFreshness(envelope, request.receivedAt, freshnessWindowMs);

      const inbound = await this.toInbound(envelope, request.receivedAt);
      if (inbound) await this.context!.receive([inbound]);
      return { status: 200 };
    } catch (error) {
      const status = error instanceof ParleyError ? error.status : 500;
      this.logger?.warn({ err: error, connection: this.connectionId, status }, 'Webex webhook rejected.');
      return { status, body: { error: error instanceof ParleyError ? error.code : 'internal_error' } };
    }
  }

  private async toInbound(envelope: ReturnType<typeof parseEnvelope>, receivedAt: number): Promise<InboundEvent | undefined> {
    const { data } = envelope;
    const owner = envelope.createdBy;
    if (!data.personId || !data.roomId || !owner) return undefined;
    // Webex also notifies a webhook's owner of its own posts, and in a shared space the posts
    // of the bot and of other proxies are the hub's own.
    if (data.personId === owner || data.personId === this.botId || (await this.guestSubject(data.personId))) return undefined;

    let token: string;
    let target: InboundEvent['target'];
    let subject: string | undefined;
    let mention: string | undefined;
    // A message in a space that mentions the bot is a command to it, whichever webhook brings it first.
    const addressed = data.roomType === 'group' && envelope.event === 'created' && (data.mentionedPeople ?? []).includes(this.botId);
    if (addressed) {
      token = this.config.botToken;
      const room = await this.api.room(token, data.roomId);
      target = { kind: 'channel', conversationId: data.roomId as PlatformConversationId, addressed: true, ...(room.title ? { title: room.title } : {}) };
      mention = this.botName;
    } else if (owner === this.botId) {
      if (data.roomType !== 'direct') return undefined;
      token = this.config.botToken;
      target = { kind: 'bot' };
    } else {
      subject = await this.guestSubject(owner);
      if (!subject) {
        this.logger?.warn({ connection: this.connectionId, platform_user: owner }, 'Webex webhook from an unknown owner; ignored.');
        return undefined;
      }
      token = (await this.guests.get(subject, 'Parley contact')).token;
      target =
        data.roomType === 'group'
          ? { kind: 'channel', conversationId: data.roomId as PlatformConversationId }
          : { kind: 'proxy', conversationId: data.roomId as PlatformConversationId };
    }

    const displayName = await this.displayName(data.personId);
    const from = {
      platform: 'webex' as const,
      connectionId: this.connectionId,
      platformUserId: data.personId as PlatformUserId,
      ...(data.personEmail ? { email: data.personEmail.toLowerCase() } : {}),
      ...(displayName ? { displayName } : {}),
    };

    if (envelope.event === 'deleted') {
      return {
        platformEventId: `messages:deleted:${data.id}`,
        target,
        event: { kind: 'message_delete', id: crypto.randomUUID() as EventId, occurredAt: new Date(receivedAt).toISOString(), from, messageId: data.id as PlatformMessageId },
      };
    }

    const message: WebexMessage = await this.api.message(token, data.id);
    if (envelope.event === 'updated') {
      const updated = message.updated ? Date.parse(message.updated) : Number.NaN;
      if (Number.isNaN(updated) || Math.abs(receivedAt - updated) > freshnessWindowMs) {
        throw new RequestStaleError(`Webex edit of message was made outside the ${freshnessWindowMs / 1000} s window.`);
      }
      return {
        platformEventId: `messages:updated:${data.id}:${message.updated}`,
        target,
        event: {
          kind: 'message_edit',
          id: crypto.randomUUID() as EventId,
          occurredAt: message.updated!,
          from,
          messageId: message.id as PlatformMessageId,
          body: await this.parse(message),
        },
      };
    }

    if (message.files && message.files.length > 0) {
      const text = message.markdown ?? message.text ?? '';
      const event: FileEvent = {
        kind: 'file',
        id: crypto.randomUUID() as EventId,
        occurredAt: message.created,
        from,
        messageId: message.id as PlatformMessageId,
        files: message.files.map((url) => ({ connectionId: this.connectionId, handle: JSON.stringify({ url, ...(subject ? { subject } : {}) } satisfies WebexFileHandle) })),
        ...(text.trim() !== '' ? { body: await this.parse(message) } : {}),
        ...(message.parentId ? { replyTo: message.parentId as PlatformMessageId } : {}),
      };
      return { platformEventId: `messages:created:${data.id}`, target, event };
    }

    // A command to the bot in a space: its text, without the mention of the bot in front.
    const command = mention !== undefined ? stripMention(message.text ?? '', mention) : undefined;
    return {
      platformEventId: `messages:created:${data.id}`,
      target,
      event: {
        kind: 'message',
        id: crypto.randomUUID() as EventId,
        occurredAt: message.created,
        from,
        messageId: message.id as PlatformMessageId,
        // A message sent with formatting has its markdown source; plain ones only text.
        body: command !== undefined ? parsePlain(command) : await this.parse(message),
        ...(message.parentId ? { replyTo: message.parentId as PlatformMessageId } : {}),
      },
    };
  }

  /**
   * Converts a member leaving a shared space, or being removed from it, into an event. Only a
   * removed proxy matters to the hub, because its external person then leaves the mirror too.
   */
  private async membershipInbound(envelope: ReturnType<typeof parseEnvelope>, receivedAt: number): Promise<InboundEvent | undefined> {
    const { data } = envelope;
    if (!data.personId || !data.roomId) return undefined;
    const member = { platform: 'webex' as const, connectionId: this.connectionId, platformUserId: data.personId as PlatformUserId };
    const actorId = envelope.actorId ?? data.personId;
    const actorName = await this.displayName(actorId);
    return {
      platformEventId: `memberships:deleted:${data.id}`,
      target: { kind: 'channel', conversationId: data.roomId as PlatformConversationId },
      event: {
        kind: 'channel_member',
        id: crypto.randomUUID() as EventId,
        occurredAt: new Date(receivedAt).toISOString(),
        from: { platform: 'webex', connectionId: this.connectionId, platformUserId: actorId as PlatformUserId, ...(actorName ? { displayName: actorName } : {}) },
        action: actorId === data.personId ? 'left' : 'removed',
        member,
      },
    };
  }

  /** Returns the guest subject of a proxy person, also one stored only in the connection's state. */
  private async guestSubject(personId: string): Promise<string | undefined> {
    const known = this.guests.subjectOf(personId);
    if (known) return known;
    // Every message's sender is checked here; people found not to be guests are not read again.
    if (this.notGuests.has(personId)) return undefined;
    const stored = await this.context?.getState(`guest:${personId}`);
    if (stored) this.guests.remember(personId, stored);
    else if (this.notGuests.size < 10_000) this.notGuests.add(personId);
    return stored;
  }

  /** A guest for a shared space, remembered across restarts with its space's webhooks. */
  private async channelGuest(subject: string, name: string, roomId: string, email?: string): Promise<{ personId: string; token: string }> {
    const guest = await this.guests.get(subject, name);
    const key = `${subject}\n${roomId}`;
    if (this.channelGuests.has(key)) return guest;
    // The bot, a member of every shared space and mirror, adds a proxy the first time it posts there.
    await this.api.addMember(this.config.botToken, roomId, guest.personId);
    await this.context?.setState(`guest:${guest.personId}`, subject);
    if (email) await this.context?.setState(`guest-email:${guest.personId}`, email);
    for (const owner of channelOwners(guest.token, roomId)) await this.webhooks?.ensure(owner);
    // Kept, so that a restart checks and re-activates these webhooks too.
    const listed = JSON.parse((await this.context?.getState('channel-guests')) ?? '[]') as Array<{ subject: string; roomId: string }>;
    if (!listed.some((g) => g.subject === subject && g.roomId === roomId)) {
      listed.push({ subject, roomId });
      await this.context?.setState('channel-guests', JSON.stringify(listed));
    }
    this.channelGuests.add(key);
    return guest;
  }

  /**
   * Parses a message: its markdown source when it was sent with formatting, else its text.
   * Mentions by person id are resolved to emails first, so that they cross as people.
   */
  private async parse(message: WebexMessage): Promise<RichText> {
    if (!message.markdown) return parsePlain(message.text ?? '');
    const ids = new Set([...message.markdown.matchAll(/<@personId:([^|>]+)/g)].map((m) => m[1]!));
    for (const id of [...ids].slice(0, maxMentions)) {
      if (this.emailsById.has(id)) continue;
      // A proxy stands for an external person, whose own address is what the mention means.
      let email = (await this.context?.getState(`guest-email:${id}`)) ?? null;
      if (email === null) {
        try {
          email = (await this.api.person(this.config.botToken, id)).emails[0]?.toLowerCase() ?? null;
        } catch {
          email = null;
        }
      }
      this.emailsById.set(id, email);
    }
    return parseMarkdown(message.markdown, (id) => this.emailsById.get(id) ?? undefined);
  }

  /** Finds which mentioned people are on this Webex, so that a mention of them notifies them. */
  private async learnMentioned(body: RichText): Promise<void> {
    for (const email of mentionedEmails(body).slice(0, maxMentions)) {
      if (this.onWebex.has(email)) continue;
      const person = await this.findPersonByEmail(email).catch(() => undefined);
      this.onWebex.set(email, person !== undefined);
    }
  }

  private async displayName(personId: string): Promise<string | undefined> {
    const known = this.names.get(personId);
    if (known) return known;
    try {
      const person = await this.api.person(this.config.botToken, personId);
      this.names.set(personId, person.displayName);
      return person.displayName;
    } catch {
      return undefined;
    }
  }

  async findPersonByEmail(email: string): Promise<PlatformPerson | undefined> {
    const person = await this.api.personByEmail(this.config.botToken, email);
    if (!person || person.type === 'bot') return undefined;
    return {
      ref: {
        platform: 'webex',
        connectionId: this.connectionId,
        platformUserId: person.id as PlatformUserId,
        email: email.toLowerCase(),
        displayName: person.displayName,
      },
      displayName: person.displayName,
      email: email.toLowerCase(),
      ...(person.avatar ? { avatarUrl: person.avatar } : {}),
      ...(person.title ? { title: person.title } : {}),
    };
  }

  /**
   * Renders a delivery as message parts, each within Webex's size limit. A styled message
   * that fits in one part goes as markdown with a plain-text twin.
   */
  private parts(delivery: Delivery): Array<{ text: string; markdown?: string }> {
    const event = delivery.event;
    const hub = hubText(event, delivery.sender);
    if (hub === undefined && event.kind === 'message') {
      // Split on the tree, so that no part cuts a code block, a link or a character.
      const limit = this.config.maxTextBytes;
      const native = (email: string) => this.onWebex.get(email) === true;
      if (hasStyling(event.body) || mentionsNatively(event.body, native)) {
        // Each part goes as markdown with its plain-text twin; both must fit.
        const size = (part: RichText) => Math.max(utf8Bytes(renderWebexMarkdown(part, native)), utf8Bytes(renderPlain(part)));
        return splitRich(event.body, { size, limit }).map((part) => ({
          text: renderPlain(part),
          markdown: renderWebexMarkdown(part, native),
        }));
      }
      return splitRich(event.body, { size: (part) => utf8Bytes(renderPlain(part)), limit }).map((part) => ({ text: renderPlain(part) }));
    }
    return splitText(hub ?? '', this.config.maxTextBytes, utf8Bytes).map((part) => ({ text: part }));
  }

  /**
   * Delivers into a shared space or its mirror. A contact's posts come from their proxy, which
   * the hub adds to the space; other members' posts come from the bot, under their name.
   */
  private async sendToChannel(delivery: Delivery, place: ChannelPlace): Promise<SendResult> {
    const event = delivery.event;
    const sender = delivery.sender;
    if (event.kind === 'channel_invite') return place.role === 'origin' ? this.joinSpace(event, place, sender) : this.openMirror(event, place, sender);
    const roomId = place.conversationId;
    if (!roomId) throw new PlatformRejectedError('no_conversation', 'The shared space has no Webex room yet.');
    if (event.kind === 'channel_member') {
      // At the space itself the contact's proxy leaves; at a mirror the Webex user is taken out.
      const token = place.role === 'mirror' ? await this.mirrorToken(place) : this.config.botToken;
      const leaving = place.role === 'mirror' ? event.member.platformUserId : (await this.guests.get(guestSubject(event.member.email ?? ''), 'Parley contact')).personId;
      await this.api.removeMember(token, roomId, leaving);
      const text = channelText(event, place, 'space');
      const posted = await this.api.postMessage(this.config.botToken, { roomId, text });
      return { messageIds: [posted.id as PlatformMessageId] };
    }

    const poster =
      sender.kind === 'proxy'
        ? await this.channelGuest(sender.binding?.data.subject ?? guestSubject(sender.person.email), proxyDisplayName(sender), roomId, sender.person.email)
        : { token: this.config.botToken, personId: this.botId };
    const label = sender.kind === 'member' ? proxyDisplayName(sender) : undefined;
    if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') {
      return this.followUp(poster.token, roomId, event, label);
    }
    if (event.kind === 'file') {
      if (!delivery.openFile) throw new PlatformRejectedError('no_conversation', 'A file needs a source to read it from.');
      const ids: PlatformMessageId[] = [];
      for (const ref of event.files) {
        const file = await delivery.openFile(ref);
        try {
          const caption = label ? { text: `${label} sent a file.`, markdown: renderWebexMarkdown(named({ blocks: [] }, label, ' sent a file.')) } : {};
          const posted = await this.api.postFile(poster.token, { roomId, ...caption }, file, delivery.signal);
          ids.push(posted.id as PlatformMessageId);
        } finally {
          file.body.destroy();
        }
      }
      return { messageIds: ids };
    }
    if (event.kind !== 'message') return { messageIds: [] };
    const parentId = event.replyTo ? await this.threadRoot(poster.token, event.replyTo) : undefined;
    // A member without a proxy is named in bold in front of the message.
    const parts = this.parts(label ? { ...delivery, event: { ...event, body: named(event.body, label, ': ') } } : delivery);
    const ids: PlatformMessageId[] = [];
    for (const part of parts) {
      const posted = await this.api.postMessage(poster.token, { roomId, ...(parentId ? { parentId } : {}), ...part });
      ids.push(posted.id as PlatformMessageId);
    }
    return { messageIds: ids };
  }

  /** Adds an invited contact's proxy to the space shared with them, and posts a note about it there. */
  private async joinSpace(event: ChannelInviteEvent, place: ChannelPlace, sender: Delivery['sender']): Promise<SendResult> {
    const roomId = place.conversationId;
    if (!roomId || sender.kind !== 'proxy') throw new PlatformRejectedError('no_conversation', 'A space invitation needs the space and the contact.');
    const guest = await this.channelGuest(sender.binding?.data.subject ?? guestSubject(sender.person.email), proxyDisplayName(sender), roomId, sender.person.email);
    await this.api.addMember(this.config.botToken, roomId, guest.personId);
    const posted = await this.api.postMessage(this.config.botToken, { roomId, text: channelText(event, place, 'space') });
    return { messageIds: [posted.id as PlatformMessageId] };
  }

  /**
   * Creates the Webex mirror of a channel shared with a Webex user, or adds them to it: a
   * group room made by the inviter's proxy, with the bot in it for the channel's other members.
   */
  private async openMirror(event: ChannelInviteEvent, place: ChannelPlace, sender: Delivery['sender']): Promise<SendResult> {
    if (sender.kind !== 'proxy') throw new PlatformRejectedError('no_conversation', 'A mirror is made by the inviter\'s proxy.');
    const subject = place.data.subject ?? sender.binding?.data.subject ?? guestSubject(sender.person.email);
    let roomId = place.conversationId;
    let guest;
    if (!roomId) {
      const creator = await this.guests.get(subject, proxyDisplayName(sender));
      roomId = (await this.api.createRoom(creator.token, place.title)).id as PlatformConversationId;
      await this.api.addMember(creator.token, roomId, this.botId);
      guest = await this.channelGuest(subject, proxyDisplayName(sender), roomId);
    } else {
      guest = await this.channelGuest(subject, proxyDisplayName(sender), roomId);
    }
    await this.api.addMember(guest.token, roomId, event.invitee.platformUserId);
    const posted = await this.api.postMessage(this.config.botToken, { roomId, text: channelText(event, place, 'space') });
    return { messageIds: [posted.id as PlatformMessageId], channel: { conversationId: roomId, data: { subject } } };
  }

  /** Returns the token of the proxy that made a mirror, which may remove its members. */
  private async mirrorToken(place: ChannelPlace): Promise<string> {
    return place.data.subject ? (await this.guests.get(place.data.subject, 'Parley contact')).token : this.config.botToken;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    if (delivery.event.kind === 'message') await this.learnMentioned(delivery.event.body);
    if (delivery.channel) return this.sendToChannel(delivery, delivery.channel);
    const event = delivery.event;
    if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') {
      return this.sendFollowUp(delivery, event);
    }
    if (event.kind === 'file') return this.sendFiles(delivery, event);
    // Presence, typing and roster changes have no form in a Webex space.
    if (event.kind !== 'message' && hubText(event, delivery.sender) === undefined) return { messageIds: [] };
    const parts = this.parts(delivery);
    const recipient = delivery.recipient.platformUserId;

    if (delivery.sender.kind === 'bot') {
      const ids: PlatformMessageId[] = [];
      for (const part of parts) {
        const posted = await this.api.postMessage(this.config.botToken, { toPersonId: recipient, ...part });
        ids.push(posted.id as PlatformMessageId);
      }
      return { messageIds: ids };
    }

    const sender = delivery.sender;
    if (sender.kind === 'member') throw new PlatformRejectedError('no_conversation', 'A channel member can only post into a shared space.');
    const name = proxyDisplayName(sender);
    const subject = sender.binding?.data.subject ?? guestSubject(sender.person.email);
    const guest = await this.guests.get(subject, name);
    if (!sender.binding) {
      await this.webhooks?.ensure({ token: guest.token, filter: 'roomType=direct' });
      await this.context?.setState(`guest-email:${guest.personId}`, sender.person.email);
    }

    const ids: PlatformMessageId[] = [];
    let roomId = sender.binding?.conversationId;
    const parentId = event.kind === 'message' && event.replyTo && roomId ? await this.threadRoot(guest.token, event.replyTo) : undefined;
    for (const part of parts) {
      const target = roomId ? { roomId, ...(parentId ? { parentId } : {}) } : { toPersonId: recipient };
      const posted = await this.api.postMessage(guest.token, { ...target, ...part });
      roomId = posted.roomId as PlatformConversationId;
      ids.push(posted.id as PlatformMessageId);
    }

    const binding =
      sender.binding ?? {
        contactId: sender.contactId,
        conversationId: roomId!,
        proxyUserId: guest.personId as PlatformUserId,
        data: { subject, name },
      };
    return { messageIds: ids, ...(sender.binding ? {} : { binding }) };
  }

  /**
   * Sends each file in a message of its own, as Webex takes one file per message, from the
   * proxy into its room with the recipient.
   */
  private async sendFiles(delivery: Delivery, event: FileEvent): Promise<SendResult> {
    const sender = delivery.sender;
    if (sender.kind !== 'proxy' || !delivery.openFile) {
      throw new PlatformRejectedError('no_conversation', 'A file needs a proxy conversation and a source to read it from.');
    }
    const name = proxyDisplayName(sender);
    const subject = sender.binding?.data.subject ?? guestSubject(sender.person.email);
    const guest = await this.guests.get(subject, name);
    if (!sender.binding) await this.webhooks?.ensure({ token: guest.token, filter: 'roomType=direct' });

    let roomId = sender.binding?.conversationId;
    const parentId = event.replyTo && roomId ? await this.threadRoot(guest.token, event.replyTo) : undefined;
    const ids: PlatformMessageId[] = [];
    for (const ref of event.files) {
      const file = await delivery.openFile(ref);
      const target = roomId ? { roomId, ...(parentId ? { parentId } : {}) } : { toPersonId: delivery.recipient.platformUserId };
      let posted: WebexMessage;
      try {
        posted = await this.api.postFile(guest.token, target, file, delivery.signal);
      } finally {
        file.body.destroy();
      }
      roomId = posted.roomId as PlatformConversationId;
      ids.push(posted.id as PlatformMessageId);
    }
    const binding = sender.binding ?? { contactId: sender.contactId, conversationId: roomId!, proxyUserId: guest.personId as PlatformUserId, data: { subject, name } };
    return { messageIds: ids, ...(sender.binding ? {} : { binding }) };
  }

  /**
   * Opens a file a Webex user sent, with the token of the proxy or bot it was sent to.
   * Webex answers 423 while its malware scan runs, 410 for an infected file and 428 for one it
   * could not scan.
   */
  async openFile(ref: FileRef, signal: AbortSignal): Promise<Omit<FileContent, 'size' | 'name'> & { size?: number; name?: string }> {
    let handle: WebexFileHandle;
    try {
      handle = JSON.parse(ref.handle) as WebexFileHandle;
    } catch {
      throw new FileNotDeliverableError('file_handle_invalid', 'the hub could not read where Webex keeps it');
    }
    // Only the Webex API is asked for content, whatever a message names.
    if (typeof handle.url !== 'string' || !URL.canParse(handle.url) || new URL(handle.url).origin !== this.api.origin) {
      throw new FileNotDeliverableError('file_handle_invalid', 'Webex named a file location outside its API');
    }
    const token = handle.subject ? (await this.guests.get(handle.subject, 'Parley contact')).token : this.config.botToken;
    const headers = { authorization: `Bearer ${token}` };
    return download(handle.url, {
      headers,
      signal,
      where: 'Webex GET /contents',
      redirect: 'follow',
      explain: (response) => {
        if (response.status === 423) {
          return new FileNotReadyError(retryAfterMs(response.headers.get('retry-after')) ?? 5000, 'Webex was still scanning it for malware when Parley gave up waiting');
        }
        if (response.status === 410) return new FileNotDeliverableError('file_infected', "Webex's malware scan found a threat in it");
        if (response.status === 428) return new FileNotDeliverableError('file_unscannable', 'Webex could not scan it for malware, and Parley passes on only scanned files');
        return undefined;
      },
    });
  }

  /**
   * Returns the first message of the thread `messageId` is in: Webex threads are one level
   * deep, so a reply to a reply goes under the thread's first message.
   */
  private async threadRoot(token: string, messageId: string): Promise<string | undefined> {
    try {
      const message = await this.api.message(token, messageId);
      return message.parentId ?? message.id;
    } catch (error) {
      if (error instanceof PlatformRejectedError) return undefined;
      throw error;
    }
  }

  /**
   * Webex shows a person's `status` to a bot in the same org, and has no presence webhook,
   * so the hub polls it. Statuses are mapped to the hub's five; `pending` and `unknown` are
   * left out.
   */
  async readPresence(users: PlatformUserId[]): Promise<Map<PlatformUserId, PresenceStatus>> {
    const result = new Map<PlatformUserId, PresenceStatus>();
    for (const id of users) {
      const person = await this.api.person(this.config.botToken, id);
      const status = webexPresence[person.status ?? 'unknown'];
      if (status) result.set(id, status);
    }
    return result;
  }

  /**
   * Edits and deletes the proxy's copy of a message; Webex has no reactions, so a reaction
   * becomes a short reply in the message's thread, which the recipient finds in place.
   */
  private async sendFollowUp(
    delivery: Delivery,
    event: Extract<Delivery['event'], { kind: 'message_edit' | 'message_delete' | 'reaction' }>,
  ): Promise<SendResult> {
    const sender = delivery.sender;
    if (sender.kind !== 'proxy' || !sender.binding) {
      throw new PlatformRejectedError('no_conversation', 'An edit, deletion or reaction needs the proxy conversation it belongs to.');
    }
    const guest = await this.guests.get(sender.binding.data.subject ?? guestSubject(sender.person.email), proxyDisplayName(sender));
    return this.followUp(guest.token, sender.binding.conversationId, event);
  }

  /** Edits, deletes or reacts to a message in a room with `token`; `label` names a member without a proxy. */
  private async followUp(
    token: string,
    roomId: string,
    event: Extract<Delivery['event'], { kind: 'message_edit' | 'message_delete' | 'reaction' }>,
    label?: string,
  ): Promise<SendResult> {
    const guest = { token };
    switch (event.kind) {
      case 'message_edit': {
        const body = event.body;
        const markdown = hasStyling(body) ? renderWebexMarkdown(body) : undefined;
        try {
          await this.api.editMessage(guest.token, event.messageId, { roomId, text: renderPlain(body), ...(markdown ? { markdown } : {}) });
          return { messageIds: [] };
        } catch (error) {
          // Webex refuses an eleventh edit, and any edit of a message with a file or card (400).
          // The edit then arrives as a marked correction in the message's thread.
          if (!(error instanceof PlatformRejectedError && error.platformCode === '400')) throw error;
          const parentId = await this.threadRoot(guest.token, event.messageId);
          const text = `✏️ Correction: ${renderPlain(body)}`;
          const correction = markdown ? `✏️ **Correction:** ${markdown}` : undefined;
          const posted = await this.api.postMessage(guest.token, { roomId, ...(parentId ? { parentId } : {}), text, ...(correction ? { markdown: correction } : {}) });
          return { messageIds: [posted.id as PlatformMessageId] };
        }
      }
      case 'message_delete':
        try {
          await this.api.deleteMessage(guest.token, event.messageId);
        } catch (error) {
          // Already gone: the deletion has nothing left to do.
          if (!(error instanceof PlatformRejectedError && error.platformCode === '404')) throw error;
        }
        return { messageIds: [] };
      case 'reaction': {
        const text = `${label ? `${label} ` : ''}${event.action === 'added' ? `reacted ${event.emoji}` : `took back the ${event.emoji} reaction`}`;
        const posted = await this.api.postMessage(guest.token, { roomId, parentId: event.messageId, text });
        return { messageIds: [posted.id as PlatformMessageId] };
      }
    }
  }

  /**
   * Looks for the delivery's last part among the sender's recent messages in the room,
   * posted since the uncertain attempt began and not already in the message-id map.
   */
  async findDelivered(delivery: Delivery, since: Date): Promise<SendResult | undefined> {
    // NOTE: posts in a shared space are not looked up; one in doubt is sent again.
    if (delivery.channel) return undefined;
    const parts = this.parts(delivery);
    const last = parts[parts.length - 1]?.text;
    const skewMs = 5_000;

    let token: string;
    let messages: WebexMessage[];
    let senderId: string;
    if (delivery.sender.kind === 'bot') {
      token = this.config.botToken;
      senderId = this.botId;
      messages = (await this.api.directMessages(token, delivery.recipient.platformUserId)).items;
    } else {
      if (delivery.sender.kind !== 'proxy') return undefined;
      const binding = delivery.sender.binding;
      if (!binding) return undefined;
      const guest = await this.guests.get(binding.data.subject ?? '', binding.data.name ?? proxyDisplayName(delivery.sender));
      token = guest.token;
      senderId = guest.personId;
      messages = (await this.api.recentMessages(token, binding.conversationId)).items;
    }

    const isFile = delivery.event.kind === 'file';
    for (const message of messages) {
      if (message.personId !== senderId) continue;
      if (isFile ? (message.files?.length ?? 0) === 0 : message.text !== last) continue;
      if (Date.parse(message.created) < since.getTime() - skewMs) continue;
      if (await this.context!.isHubMessage(message.id as PlatformMessageId)) continue;
      // NOTE: only the last part is matched; a split message that crashed between parts
      // is sent again whole, so its earlier parts can arrive twice.
      return { messageIds: [message.id as PlatformMessageId] };
    }
    return undefined;
  }
}

/** Lists the webhooks a proxy in a shared space needs: the space's messages, and members leaving it. */
function channelOwners(token: string, roomId: string): WebhookOwner[] {
  return [
    { token, filter: `roomId=${roomId}` },
    { token, filter: `roomId=${roomId}`, resource: 'memberships', events: ['deleted'] },
  ];
}

/** Puts `label` in bold, then `after`, in front of a message's first paragraph. */
function named(body: RichText, label: string, after: string): RichText {
  const lead: RichText['blocks'][number] & { type: 'paragraph' } = {
    type: 'paragraph',
    children: [{ type: 'bold', children: [{ type: 'text', text: label }] }, { type: 'text', text: after }],
  };
  const [first, ...rest] = body.blocks;
  if (first?.type === 'paragraph') return { blocks: [{ type: 'paragraph', children: [...lead.children, ...first.children] }, ...rest] };
  return { blocks: [lead, ...body.blocks] };
}

/** Removes the bot's name, as Webex writes a mention of it in a message's text, from the front. */
function stripMention(text: string, botName: string): string {
  const trimmed = text.trimStart();
  if (botName !== '' && trimmed.toLowerCase().startsWith(botName.toLowerCase())) return trimmed.slice(botName.length).trimStart();
  return trimmed;
}
