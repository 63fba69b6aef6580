// Shared channels. A member of a Webex space or a Slack channel shares it with an external
// contact by mentioning the bot there (`channel invite <email>`). The contact takes part from
// a mirror on their own platform. This module turns those commands, the posts in a channel or
// a mirror, and members leaving or being removed into deliveries to the other places.

import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';

import { parseCommand } from '../bot/commands.js';
import { helpText, parseErrorReply } from '../bot/replies.js';
import { hostsChannels, type ChannelPlace, type Sender } from '../core/connector.js';
import type {
  CanonicalEvent,
  ChannelMemberEvent,
  FileEvent,
  MessageDeleteEvent,
  MessageEditEvent,
  MessageEvent,
  ReactionEvent,
} from '../core/events.js';
import type { ChatSessionId, ContactId, EventId, PlatformConversationId, UserId } from '../core/ids.js';
import { platformNames, type Platform } from '../core/platform.js';
import { renderPlain } from '../formats/plain.js';
import type { ChannelMemberRecord, ChannelPlaceRecord, ChannelRecord } from '../store/channel-repo.js';
import type { Store } from '../store/store.js';
import type { MetadataInsert, UserRecord } from '../store/types.js';
import { personCard, userRef, type ConnectionInfo, type Directory } from './directory.js';
import { deliveryPayload, newEventId, noticePayload } from './outbox.js';
import { emptyPlan, type Plan } from './plan.js';
import { allowAll, type PolicyHook } from './policy.js';
import { SlidingWindowLimiter } from './ratelimit.js';

type ChannelPost = MessageEvent | MessageEditEvent | MessageDeleteEvent | ReactionEvent | FileEvent;

const postKinds = new Set<string>(['message', 'message_edit', 'message_delete', 'reaction', 'file']);

/** Each platform's word for a shared conversation, for the bot's replies. */
const placeNouns: Record<Platform, string> = { webex: 'space', slack: 'channel', xmpp: 'room', teams: 'chat' };

/** One place a channel post goes to, and the user on whose behalf the hub posts there. */
interface Destination {
  connection: ConnectionInfo;
  place: ChannelPlace;
  recipient: UserRecord;
}

export class ChannelRelay {
  /** Commands in channels count against the same limit per user as those sent to the bot. */
  private readonly limiter: SlidingWindowLimiter;

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly logger?: Logger,
    private readonly policy: PolicyHook = allowAll,
    private readonly commandsPerMinute = 30,
  ) {
    this.limiter = new SlidingWindowLimiter(commandsPerMinute, 60_000);
  }

  /** A message that mentions the bot in a group conversation: a channel command. */
  async command(
    connection: ConnectionInfo,
    sender: UserRecord,
    event: MessageEvent,
    target: { conversationId: PlatformConversationId; title?: string },
    now: number,
  ): Promise<Plan> {
    const ref = userRef(sender, connection.platform);
    const noun = placeNouns[connection.platform];
    if (!this.limiter.tryHit(sender.id, now)) {
      return this.reply(sender, connection, `You sent more than ${this.commandsPerMinute} commands in a minute. Wait a minute, then send the command again.`, now);
    }
    const parsed = parseCommand(renderPlain(event.body));
    let plan: Plan;
    let name = 'invalid';
    if (!parsed.ok) {
      plan = this.reply(sender, connection, parseErrorReply(parsed), now);
    } else if (parsed.command.name === 'help') {
      name = 'help';
      plan = this.reply(sender, connection, helpText, now);
    } else if (parsed.command.name !== 'channel') {
      name = parsed.command.name;
      plan = this.reply(
        sender,
        connection,
        `In a ${noun}, the Parley bot takes "channel invite <email>" and "channel remove <email>". Send "${parsed.command.name}" to the bot in your 1:1 chat with it.`,
        now,
      );
    } else {
      name = `channel_${parsed.command.action}`;
      plan =
        parsed.command.action === 'invite'
          ? await this.invite(connection, sender, parsed.command.email, target, now)
          : await this.removeByCommand(connection, sender, parsed.command.email, target.conversationId, now);
    }
    plan.metadata.push({
      at: now,
      type: name === 'channel_invite' ? 'invite' : 'command',
      eventKind: `command_${name}`,
      sender: ref.email ?? ref.platformUserId,
      receiver: 'parley',
      sessionId: null,
      sourcePlatform: connection.platform,
      targetPlatform: null,
      sourceOrg: connection.orgId,
      targetOrg: null,
      outcome: 'accepted',
    });
    return plan;
  }

  /** Relays a post, or follows a membership change, in a shared channel or one of its mirrors. */
  async receive(connection: ConnectionInfo, sender: UserRecord, event: CanonicalEvent, place: ChannelPlaceRecord, now: number): Promise<Plan> {
    if (event.kind === 'channel_member') return this.membership(connection, sender, event, place, now);
    if (postKinds.has(event.kind)) return this.relay(connection, sender, event as ChannelPost, place, now);
    return emptyPlan();
  }

  private reply(user: UserRecord, connection: ConnectionInfo, text: string, now: number, plan: Plan = emptyPlan()): Plan {
    plan.deliveries.push(noticePayload(userRef(user, connection.platform), user.id, 'command_reply', text, now));
    return plan;
  }

  private async invite(
    connection: ConnectionInfo,
    sender: UserRecord,
    email: string,
    target: { conversationId: PlatformConversationId; title?: string },
    now: number,
  ): Promise<Plan> {
    const noun = placeNouns[connection.platform];
    const reply = (text: string) => this.reply(sender, connection, text, now);
    if (!hostsChannels(connection.connector)) {
      return reply(`Parley cannot share ${platformNames[connection.platform]} ${noun}s yet.`);
    }
    if (email === sender.email) return reply('You cannot invite yourself. Mention the bot with the address of a contact at another organisation.');
    // A contact's 1:1 conversation is never shared: its posts belong to that contact alone.
    if ((await this.store.proxiesByConversation(connection.id, target.conversationId)).length > 0) {
      return reply(`This ${noun} is your 1:1 chat with a contact, which cannot be shared. Add the Parley bot to a ${noun} with your team and invite ${email} there.`);
    }
    const place = await this.store.channels.placeOf(connection.id, target.conversationId);
    if (place?.role === 'mirror') {
      const origin = this.directory.connection(place.channel.connectionId);
      return reply(
        `This ${noun} is Parley's copy of "${place.channel.title}"${origin ? ` on ${platformNames[origin.platform]}` : ''}. Ask a member there to invite ${email}.`,
      );
    }

    const found = await this.contactWith(sender, email);
    if (!found) {
      return reply(`${email} is not one of your Parley contacts. Send "invite ${email}" to the Parley bot in your 1:1 chat with it; once they accept, invite them here again.`);
    }
    const { invitee, contact } = found;
    const inviteeConnection = this.directory.connection(invitee.connectionId);
    if (!inviteeConnection) return reply(`${email}'s platform is not connected to Parley right now. Try again later.`);
    if (!hostsChannels(inviteeConnection.connector)) {
      return reply(`${email} uses ${platformNames[inviteeConnection.platform]}, which cannot join shared ${noun}s through Parley yet. Chat with them 1:1 instead.`);
    }
    if (inviteeConnection.id === connection.id) {
      return reply(`${email} is on the same ${platformNames[connection.platform]} as this ${noun}. Add them to it directly.`);
    }

    const decision = await this.policy({ kind: 'channel_invite', sender, recipient: invitee });
    const channelId = place?.channel.id ?? (randomUUID() as ChatSessionId);
    const metadata = this.metadataFor('invite', 'channel_invite', sender, invitee, connection, inviteeConnection, channelId);
    if (!decision.allowed) {
      const plan = reply(`${email} was not added: ${decision.reason}`);
      plan.metadata.push({ ...metadata, at: now, outcome: 'policy_denied' });
      return plan;
    }

    const existing = place ? await this.store.channels.member(channelId, invitee.id) : undefined;
    if (existing?.status === 'active') return reply(`${email} is already in this ${noun}.`);

    const title = place?.channel.title ?? target.title ?? `${platformNames[connection.platform]} ${noun}`;
    const channel: ChannelRecord = place?.channel ?? {
      id: channelId,
      orgId: connection.orgId,
      connectionId: connection.id,
      conversationId: target.conversationId,
      title,
      createdBy: sender.id,
      createdAt: now,
    };
    const plan = reply(
      `${email} was invited to "${title}". They take part from ${platformNames[inviteeConnection.platform]}, and their messages appear here under their name.`,
    );
    plan.apply = async (repo) => {
      if (!place) await repo.channels.create(channel);
      await repo.channels.ensureMirror(channel.id, inviteeConnection.id, now);
      await repo.channels.upsertMember({ channelId: channel.id, userId: invitee.id, invitedBy: sender.id, contactId: contact.id, status: 'active', createdAt: now }, now);
    };

    const senderRef = userRef(sender, connection.platform);
    const inviteeRef = userRef(invitee, inviteeConnection.platform);
    const invitation = (id: EventId) => ({
      kind: 'channel_invite' as const,
      id,
      occurredAt: new Date(now).toISOString(),
      from: senderRef,
      title,
      invitee: inviteeRef,
      inviter: personCard(sender, connection.platform),
    });
    // The mirror first, on the invitee's platform. Only once it exists does the invitee take
    // their place in the channel itself, so a mirror that cannot be made leaves no trace there.
    const joinOrigin = deliveryPayload({
        recipient: senderRef,
        recipientUserId: sender.id,
        sender: { kind: 'proxy', contactId: contact.id, person: personCard(invitee, inviteeConnection.platform) },
        sessionId: channel.id,
        channel: { channelId: channel.id, role: 'origin', title, conversationId: channel.conversationId, data: {} },
        event: invitation(newEventId()),
        origin: { userId: sender.id, ref: senderRef },
        metadata: this.metadataFor('invite', 'channel_invite', invitee, sender, inviteeConnection, connection, channel.id),
    });
    plan.deliveries.push({
      ...deliveryPayload({
        recipient: inviteeRef,
        recipientUserId: invitee.id,
        sender: { kind: 'proxy', contactId: contact.id, person: personCard(sender, connection.platform) },
        sessionId: channel.id,
        channel: { channelId: channel.id, role: 'mirror', title, data: {} },
        event: invitation(newEventId()),
        origin: { userId: sender.id, ref: senderRef },
        metadata,
      }),
      then: [joinOrigin],
    });
    plan.metadata.push({ ...metadata, at: now, outcome: 'accepted' });
    return plan;
  }

  /**
   * Takes the invitee of an ended contact (removed by a user, revoked by an admin) out of
   * every channel they joined through it, on both sides.
   */
  async contactEnded(contactId: ContactId, now: number): Promise<Plan> {
    return this.removeAll(await this.store.channels.activeByContact(contactId), now);
  }

  /** Takes a suspended user out of every shared channel they were invited to, on both sides. */
  async userSuspended(userId: UserId, now: number): Promise<Plan> {
    return this.removeAll(await this.store.channels.activeByUser(userId), now);
  }

  private async removeAll(members: ChannelMemberRecord[], now: number): Promise<Plan> {
    const plan = emptyPlan();
    for (const member of members) {
      const [channel, invitee, inviter] = await Promise.all([
        this.store.channels.get(member.channelId),
        this.store.getUser(member.userId),
        this.store.getUser(member.invitedBy),
      ]);
      if (channel && invitee && inviter) await this.remove(channel, member, invitee, inviter, now, plan, true);
    }
    return plan;
  }

  /** `channel remove <email>` in the channel itself. */
  private async removeByCommand(connection: ConnectionInfo, sender: UserRecord, email: string, conversationId: PlatformConversationId, now: number): Promise<Plan> {
    const noun = placeNouns[connection.platform];
    const place = await this.store.channels.placeOf(connection.id, conversationId);
    if (!place || place.role !== 'origin') return this.reply(sender, connection, `This ${noun} is not shared through Parley, so there is no one to remove.`, now);
    const members = await this.store.channels.members(place.channel.id);
    for (const member of members) {
      if (member.status !== 'active') continue;
      const user = await this.store.getUser(member.userId);
      if (user?.email !== email) continue;
      const plan = this.reply(sender, connection, `${email} was removed from "${place.channel.title}".`, now);
      return this.remove(place.channel, member, user, sender, now, plan, true);
    }
    return this.reply(sender, connection, `${email} is not in this ${noun} through Parley.`, now);
  }

  /**
   * Takes an invitee out of a channel: marks them removed, removes them from their mirror and
   * sends them a notice. With `fromOrigin` it also removes their proxy from the channel itself.
   */
  private async remove(channel: ChannelRecord, member: ChannelMemberRecord, invitee: UserRecord, by: UserRecord, now: number, plan: Plan, fromOrigin: boolean): Promise<Plan> {
    const inviteeConnection = this.directory.connection(invitee.connectionId);
    const origin = this.directory.connection(channel.connectionId);
    plan.apply = chain(plan.apply, async (repo) => {
      await repo.channels.setMemberStatus(channel.id, invitee.id, 'removed', now);
    });
    if (!inviteeConnection || !origin) return plan;
    const byRef = userRef(by, this.directory.connection(by.connectionId)?.platform ?? origin.platform);
    const inviteeRef = userRef(invitee, inviteeConnection.platform);
    const event = (): ChannelMemberEvent => ({ kind: 'channel_member', id: newEventId(), occurredAt: new Date(now).toISOString(), from: byRef, action: 'removed', member: inviteeRef });
    plan.deliveries.push(
      deliveryPayload({
        recipient: inviteeRef,
        recipientUserId: invitee.id,
        sender: { kind: 'bot' },
        sessionId: channel.id,
        channel: { channelId: channel.id, role: 'mirror', title: channel.title, data: {} },
        event: event(),
        metadata: this.metadataFor('invite', 'channel_member', by, invitee, origin, inviteeConnection, channel.id),
      }),
      noticePayload(
        inviteeRef,
        invitee.id,
        'contact_ended',
        `You were taken out of "${channel.title}", the ${platformNames[origin.platform]} ${placeNouns[origin.platform]} shared with you through Parley. Your 1:1 chat with your contacts there goes on.`,
        now,
        channel.id,
      ),
    );
    if (fromOrigin) {
      const inviter = await this.store.getUser(member.invitedBy);
      if (inviter) {
        plan.deliveries.push(
          deliveryPayload({
            recipient: userRef(inviter, origin.platform),
            recipientUserId: inviter.id,
            sender: { kind: 'proxy', contactId: member.contactId, person: personCard(invitee, inviteeConnection.platform) },
            sessionId: channel.id,
            channel: { channelId: channel.id, role: 'origin', title: channel.title, conversationId: channel.conversationId, data: {} },
            event: event(),
            metadata: this.metadataFor('invite', 'channel_member', by, inviter, origin, origin, channel.id),
          }),
        );
      }
    }
    return plan;
  }

  /** Someone left a channel or a mirror, or was removed from it. */
  private async membership(connection: ConnectionInfo, actor: UserRecord, event: ChannelMemberEvent, place: ChannelPlaceRecord, now: number): Promise<Plan> {
    const plan = emptyPlan();
    const channel = place.channel;
    const members = await this.store.channels.members(channel.id);
    if (place.role === 'origin') {
      // The invitee's proxy was removed from the channel itself: take the invitee out of their mirror.
      const proxy = await this.store.proxyByUser(connection.id, event.member.platformUserId);
      const contact = proxy ? await this.store.getContact(proxy.contactId) : undefined;
      let inviteeId: string | undefined;
      if (contact) inviteeId = contact.userAId === proxy!.localUserId ? contact.userBId : contact.userAId;
      const member = members.find((m) => m.userId === inviteeId && m.status === 'active');
      const invitee = member ? await this.store.getUser(member.userId) : undefined;
      if (!member || !invitee) return plan;
      this.logger?.info({ session_id: channel.id }, 'An invitee was removed from a shared channel.');
      return this.remove(channel, member, invitee, actor, now, plan, false);
    }

    // At a mirror: the invitee left it, or someone there removed them.
    const leaver = await this.store.findUserByPlatformId(connection.id, event.member.platformUserId);
    const member = leaver ? members.find((m) => m.userId === leaver.id && m.status === 'active') : undefined;
    if (!leaver || !member) return plan;
    const origin = this.directory.connection(channel.connectionId);
    const inviter = await this.store.getUser(member.invitedBy);
    plan.apply = async (repo) => {
      await repo.channels.setMemberStatus(channel.id, leaver.id, 'left', now);
    };
    this.logger?.info({ session_id: channel.id }, 'An invitee left a shared channel.');
    if (!origin || !inviter) return plan;
    const leaverRef = userRef(leaver, connection.platform);
    plan.deliveries.push(
      deliveryPayload({
        recipient: userRef(inviter, origin.platform),
        recipientUserId: inviter.id,
        sender: { kind: 'proxy', contactId: member.contactId, person: personCard(leaver, connection.platform) },
        sessionId: channel.id,
        channel: { channelId: channel.id, role: 'origin', title: channel.title, conversationId: channel.conversationId, data: {} },
        event: { kind: 'channel_member', id: newEventId(), occurredAt: new Date(now).toISOString(), from: leaverRef, action: 'left', member: leaverRef },
        metadata: this.metadataFor('invite', 'channel_member', leaver, inviter, connection, origin, channel.id),
      }),
    );
    return plan;
  }

  /** Relays a post in a channel or a mirror to every other place of the channel. */
  private async relay(connection: ConnectionInfo, sender: UserRecord, event: ChannelPost, place: ChannelPlaceRecord, now: number): Promise<Plan> {
    const plan = emptyPlan();
    const channel = place.channel;
    const senderRef = userRef(sender, connection.platform);
    const destinations = await this.destinations(connection, sender, place);
    if (destinations === 'revoked' || destinations === 'not_member') {
      this.logger?.info({ session_id: channel.id, reason: destinations }, 'A post in a shared channel was not relayed.');
      if (event.kind === 'message' || event.kind === 'file') {
        const why =
          destinations === 'revoked'
            ? 'you are no longer connected with the people there'
            : 'only the people invited through Parley take part from this copy. Ask a member of the shared space to invite you';
        plan.deliveries.push(noticePayload(senderRef, sender.id, 'not_delivered', `Not delivered to "${channel.title}": ${why}.`, now, channel.id));
      }
      return plan;
    }

    const isPost = event.kind === 'message' || event.kind === 'file';
    if (isPost) {
      plan.messageMap.push({ connectionId: connection.id, platformMessageId: event.messageId, sessionId: channel.id, eventId: event.id as EventId, direction: 'in', createdAt: now });
    }

    for (const destination of destinations) {
      const { recipient } = destination;
      let type: MetadataInsert['type'] = 'im';
      if (event.kind === 'file' || event.kind === 'reaction') type = event.kind;
      const metadata = this.metadataFor(type, event.kind, sender, recipient, connection, destination.connection, channel.id);
      const decision = await this.policy({ kind: event.kind, sender, recipient });
      if (!decision.allowed) {
        plan.metadata.push({ ...metadata, at: now, outcome: 'policy_denied' });
        if (isPost) {
          plan.deliveries.push(
            noticePayload(senderRef, sender.id, 'not_delivered', `Not delivered to the ${platformNames[destination.connection.platform]} members of "${channel.title}": ${decision.reason}`, now, channel.id),
          );
        }
        continue;
      }

      const targets = await this.targetEvents(connection, event, destination);
      if (targets.length === 0) {
        plan.metadata.push({ ...metadata, at: now, outcome: 'rejected' });
        continue;
      }
      plan.metadata.push({ ...metadata, at: now, outcome: 'accepted' });
      const contact = await this.store.activeContactBetween(sender.id, recipient.id);
      const card = personCard(sender, connection.platform);
      const shownAs: Sender = contact ? { kind: 'proxy', contactId: contact.id, person: card } : { kind: 'member', person: card };
      for (const target of targets) {
        plan.deliveries.push(
          deliveryPayload({
            recipient: userRef(recipient, destination.connection.platform),
            recipientUserId: recipient.id,
            sender: shownAs,
            sessionId: channel.id,
            channel: destination.place,
            event: target,
            origin: { userId: sender.id, ref: senderRef },
            metadata,
          }),
        );
      }
    }
    return plan;
  }

  /**
   * Lists the other places of a channel a post goes to, each with the user the hub posts for.
   * In the channel itself that is the sender's inviter, or else the channel's creator. In a
   * mirror it is the invitee there who is the sender's contact, or else the first invitee.
   * Returns 'revoked' when the sender is an invitee whose contact has ended, and 'not_member'
   * for anyone in a mirror who is not an active invitee.
   */
  private async destinations(connection: ConnectionInfo, sender: UserRecord, place: ChannelPlaceRecord): Promise<Destination[] | 'revoked' | 'not_member'> {
    const channel = place.channel;
    const members: Array<{ member: ChannelMemberRecord; user: UserRecord }> = [];
    for (const member of await this.store.channels.members(channel.id)) {
      if (member.status !== 'active') continue;
      const contact = await this.store.getContact(member.contactId);
      const user = await this.store.getUser(member.userId);
      if (contact?.status === 'active' && user) members.push({ member, user });
    }
    const own = (await this.store.channels.member(channel.id, sender.id)) ?? undefined;
    // In a mirror only active invitees speak; in the channel itself, every member does.
    if (place.role === 'mirror' && own?.status !== 'active') return 'not_member';
    if (own && own.status === 'active' && !members.some((m) => m.user.id === sender.id)) return 'revoked';

    const destinations: Destination[] = [];
    if (place.role === 'mirror') {
      const origin = this.directory.connection(channel.connectionId);
      const inviter = await this.store.getUser(own?.status === 'active' ? own.invitedBy : channel.createdBy);
      if (origin && inviter) {
        destinations.push({
          connection: origin,
          recipient: inviter,
          place: { channelId: channel.id, role: 'origin', title: channel.title, conversationId: channel.conversationId, data: {} },
        });
      }
    }
    for (const mirror of await this.store.channels.mirrors(channel.id)) {
      if (mirror.connectionId === connection.id) continue;
      const target = this.directory.connection(mirror.connectionId);
      const there = members.filter((m) => m.user.connectionId === mirror.connectionId);
      if (!target || there.length === 0) continue;
      let recipient = there[0]!.user;
      for (const candidate of there) {
        if (await this.store.activeContactBetween(sender.id, candidate.user.id)) {
          recipient = candidate.user;
          break;
        }
      }
      destinations.push({
        connection: target,
        recipient,
        place: { channelId: channel.id, role: 'mirror', title: channel.title, ...(mirror.conversationId ? { conversationId: mirror.conversationId } : {}), data: mirror.data },
      });
    }
    return destinations;
  }

  /**
   * Builds the events one destination receives for a post. A message keeps its reply when
   * the destination has a copy of the parent. A file message becomes its text and then one
   * event per file. An edit, deletion or reaction points at the destination's copy, and
   * becomes nothing when the post never crossed.
   */
  private async targetEvents(connection: ConnectionInfo, event: ChannelPost, destination: Destination): Promise<ChannelPost[]> {
    const other = destination.connection.id;
    if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') {
      const ids = await this.store.counterpartMessageIds(connection.id, event.messageId, other);
      const chosen = event.kind === 'message_delete' ? ids : ids.slice(0, 1);
      return chosen.map((messageId) => ({ ...event, messageId }));
    }
    const replyTo = event.replyTo === undefined ? undefined : (await this.store.counterpartMessageIds(connection.id, event.replyTo, other))[0];
    const { replyTo: _original, ...rest } = event;
    const threaded = replyTo === undefined ? {} : { replyTo };
    if (rest.kind === 'message') return [{ ...rest, ...threaded }];
    const { body, files, omitted: _omitted, ...common } = rest;
    const targets: ChannelPost[] = [];
    if (body !== undefined) targets.push({ ...common, ...threaded, kind: 'message', body });
    for (const file of files) targets.push({ ...common, ...threaded, files: [file] });
    return targets;
  }

  private metadataFor(
    type: MetadataInsert['type'],
    eventKind: string,
    sender: UserRecord,
    receiver: UserRecord,
    from: ConnectionInfo,
    to: ConnectionInfo,
    sessionId: ChatSessionId,
  ): Omit<MetadataInsert, 'at' | 'outcome'> {
    return {
      type,
      eventKind,
      sender: sender.email ?? sender.platformUserId,
      receiver: receiver.email ?? receiver.platformUserId,
      sessionId,
      sourcePlatform: from.platform,
      targetPlatform: to.platform,
      sourceOrg: from.orgId,
      targetOrg: to.orgId,
    };
  }

  private async contactWith(user: UserRecord, email: string) {
    for (const candidate of await this.store.findUsersByEmail(email)) {
      const contact = await this.store.activeContactBetween(user.id, candidate.id);
      if (contact) return { invitee: candidate, contact };
    }
    return undefined;
  }
}

function chain(first: Plan['apply'], second: NonNullable<Plan['apply']>): NonNullable<Plan['apply']> {
  return async (repo) => {
    if (first) await first(repo);
    await second(repo);
  };
}
