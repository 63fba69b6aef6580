// Carries out bot commands: invite, accept, decline, contacts, remove, status, help.
// Each command returns a Plan; the pipeline commits it atomically with the dedup mark.

import { randomUUID } from 'node:crypto';

import { parseCommand, type Command } from '../bot/commands.js';
import { describePerson, helpText, parseErrorReply } from '../bot/replies.js';
import type { MessageEvent, PersonCard, PresenceStatus, UserRef } from '../core/events.js';
import type { ChatSessionId, ContactId, InvitationId, OrgId, UserId } from '../core/ids.js';
import { platformNames } from '../core/platform.js';
import { renderPlain } from '../formats/plain.js';
import type { Store } from '../store/store.js';
import type { InvitationRecord, UserRecord } from '../store/types.js';
import { ChannelRelay } from './channels.js';
import { personCard, userRef, type ConnectionInfo, type Directory } from './directory.js';
import { deliveryPayload, newEventId, noticePayload, type OutboxPayload } from './outbox.js';
import { emptyPlan, type Plan } from './plan.js';
import { allowAll, type PolicyHook } from './policy.js';
import { SlidingWindowLimiter } from './ratelimit.js';
import { resolveUser } from './users.js';

export interface CommandSettings {
  expiryMs: number;
  invitesPerDay: number;
  /** An organisation's own invitation limits, where its policy sets them. */
  invitationLimits?: (orgId: OrgId) => { expiryMs?: number; invitesPerDay?: number };
  commandsPerMinute: number;
}

const dayMs = 24 * 60 * 60 * 1000;

const presenceWords: Record<PresenceStatus, string> = {
  available: 'available',
  away: 'away',
  busy: 'busy',
  dnd: 'do not disturb',
  offline: 'offline',
};

export class CommandHandler {
  private readonly limiter: SlidingWindowLimiter;

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly settings: CommandSettings,
    private readonly policy: PolicyHook = allowAll,
    private readonly channels: ChannelRelay = new ChannelRelay(store, directory),
  ) {
    this.limiter = new SlidingWindowLimiter(settings.commandsPerMinute, 60_000);
  }

  async handle(connection: ConnectionInfo, sender: UserRecord, event: MessageEvent, now: number): Promise<Plan> {
    const ref = userRef(sender, connection.platform);
    const reply = (text: string): Plan => this.reply(ref, sender.id, text, now);

    if (!this.limiter.tryHit(sender.id, now)) {
      return reply(
        `You sent more than ${this.settings.commandsPerMinute} commands in a minute. Wait a minute, then send the command again.`,
      );
    }

    const parsed = parseCommand(renderPlain(event.body));
    if (!parsed.ok) return reply(parseErrorReply(parsed));

    const plan = await this.run(parsed.command, connection, sender, ref, now);
    plan.metadata.push({
      at: now,
      type: parsed.command.name === 'invite' ? 'invite' : 'command',
      eventKind: `command_${parsed.command.name}`,
      sender: sender.email ?? sender.platformUserId,
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

  private reply(ref: UserRef, userId: UserId, text: string, now: number): Plan {
    const plan = emptyPlan();
    plan.deliveries.push(noticePayload(ref, userId, 'command_reply', text, now));
    return plan;
  }

  private async run(command: Command, connection: ConnectionInfo, sender: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    switch (command.name) {
      case 'help':
        return this.reply(ref, sender.id, helpText, now);
      case 'invite':
        return this.invite(command.email, connection, sender, ref, now);
      case 'accept':
      case 'decline':
        return this.respond(command.name, command.email, sender, ref, now);
      case 'contacts':
        return this.contacts(sender, ref, now);
      case 'remove':
        return this.remove(command.email, sender, ref, now);
      case 'profile':
        return this.profile(command.email, sender, ref, now);
      case 'status':
        return this.status(sender, ref, now);
      case 'channel':
        // The space to share is the one the command is sent in; here there is none.
        return this.reply(
          ref,
          sender.id,
          `To share a space or channel with ${command.email}, add the Parley bot to it and send "@Parley channel ${command.action} ${command.email}" there.`,
          now,
        );
    }
  }

  private async invite(email: string, connection: ConnectionInfo, sender: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    const reply = (text: string): Plan => this.reply(ref, sender.id, text, now);
    // The invitation was not sent; a roster that asked for it can drop the request.
    const refuse = (text: string): Plan => {
      const plan = emptyPlan();
      plan.deliveries.push(noticePayload(ref, sender.id, 'command_reply', text, now, undefined, { inviteRefused: email }));
      return plan;
    };

    if (email === sender.email) return refuse('You cannot invite yourself. Send "invite" with the address of someone at another organisation.');

    const domain = email.split('@')[1] ?? '';
    const orgId = this.directory.orgOfDomain(domain);
    if (orgId === undefined) {
      return refuse(
        `No organisation on this hub uses the domain ${domain}. Check the address, or ask your admin to connect that organisation.`,
      );
    }

    const own = this.settings.invitationLimits?.(sender.orgId) ?? {};
    const perDay = own.invitesPerDay ?? this.settings.invitesPerDay;
    const sent = await this.store.countInvitationsSince(sender.id, now - dayMs);
    if (sent >= perDay) {
      return refuse(`You have sent ${sent} invitations in the last 24 hours, the most allowed. Try again tomorrow.`);
    }

    const found = await this.findPerson(email, orgId, connection, now);
    if (found === 'same_platform') {
      return refuse(`${email} is in your own organisation on ${platformNames[connection.platform]}. Message them there directly.`);
    }
    if (found === undefined) return refuse(`No one with the address ${email} was found. Check the spelling and send the invitation again.`);

    const invitee = found.user;
    const inviteeConnection = found.connection;
    const allowed = await this.policy({ kind: 'contact_request', sender, recipient: invitee });
    if (!allowed.allowed && !allowed.approvalBy) return refuse(`Invitation not sent: ${allowed.reason}`);
    const held = (await this.store.invitationsAwaitingApproval()).find((i) => i.fromUserId === sender.id && i.toUserId === invitee.id);
    if (held) return reply(`Your invitation to ${email} already waits for an admin to approve the partner domain.`);
    if (await this.store.activeContactBetween(sender.id, invitee.id)) {
      return reply(`You are already connected with ${describePerson(personCard(invitee, inviteeConnection.platform))}.`);
    }

    const outgoing = (await this.store.pendingInvitationsFrom(sender.id, now)).find((i) => i.toUserId === invitee.id);
    if (outgoing) {
      return reply(
        `You already invited ${email} on ${day(outgoing.createdAt)}. The invitation is open until ${day(outgoing.expiresAt)}.`,
      );
    }

    // They invited us first: inviting them back accepts their invitation.
    const incoming = (await this.store.pendingInvitationsTo(sender.id, now)).find((i) => i.fromUserId === invitee.id);
    if (incoming) return this.accept(incoming, sender, ref, now);

    const invitation: InvitationRecord = {
      id: randomUUID() as InvitationId,
      fromUserId: sender.id,
      toEmail: email,
      toUserId: invitee.id,
      status: 'pending',
      createdAt: now,
      // Open as long as both organisations allow.
      expiresAt:
        now +
        Math.min(
          own.expiryMs ?? this.settings.expiryMs,
          this.settings.invitationLimits?.(invitee.orgId).expiryMs ?? this.settings.expiryMs,
        ),
      decidedAt: null,
    };

    // A new partner domain waits for an admin: the invitation is held, not sent.
    if (!allowed.allowed && allowed.approvalBy) {
      const plan = this.reply(
        ref,
        sender.id,
        `Your invitation to ${email} waits for an admin to approve ${allowed.approvalBy.domain} as a partner domain. You will hear when it is sent.`,
        now,
      );
      plan.apply = (repo) => repo.createInvitation({ ...invitation, status: 'awaiting_approval' });
      return plan;
    }

    const plan = this.reply(
      ref,
      sender.id,
      `Invitation sent to ${describePerson(personCard(invitee, inviteeConnection.platform))}. It is open until ${day(invitation.expiresAt)}.`,
      now,
    );
    plan.apply = (repo) => repo.createInvitation(invitation);
    plan.deliveries.push(contactRequestPayload(invitation, sender, connection, invitee, inviteeConnection, now));
    return plan;
  }

  /** Finds the invitee on the connections of their organisation. */
  private async findPerson(
    email: string,
    orgId: ConnectionInfo['orgId'],
    from: ConnectionInfo,
    now: number,
  ): Promise<{ user: UserRecord; connection: ConnectionInfo } | 'same_platform' | undefined> {
    for (const connection of this.directory.connectionsOfOrg(orgId)) {
      const person = await connection.connector.findPersonByEmail(email);
      if (person === undefined) continue;
      if (connection.id === from.id) return 'same_platform';

      const user = await resolveUser(this.store, connection, person.ref, now, {
        email: person.email,
        displayName: person.displayName,
        avatarUrl: person.avatarUrl,
      });
      return { user, connection };
    }
    return undefined;
  }

  private async respond(
    action: 'accept' | 'decline',
    email: string | undefined,
    sender: UserRecord,
    ref: UserRef,
    now: number,
  ): Promise<Plan> {
    const pending = await this.store.pendingInvitationsTo(sender.id, now);
    if (pending.length === 0) return this.reply(ref, sender.id, 'You have no open contact requests.', now);

    let invitation: InvitationRecord | undefined;
    if (email !== undefined) {
      for (const candidate of pending) {
        const from = await this.store.getUser(candidate.fromUserId);
        if (from?.email === email) invitation = candidate;
      }
      if (invitation === undefined) {
        return this.reply(ref, sender.id, `You have no open contact request from ${email}. Send "contacts" to see your requests.`, now);
      }
    } else if (pending.length === 1) {
      invitation = pending[0];
    } else {
      const names = await Promise.all(pending.map(async (p) => (await this.store.getUser(p.fromUserId))?.email ?? '?'));
      return this.reply(
        ref,
        sender.id,
        `You have ${pending.length} open requests, from ${names.join(', ')}. Send "${action} <email>" to choose one.`,
        now,
      );
    }

    if (invitation === undefined) return this.reply(ref, sender.id, 'You have no open contact requests.', now);
    return action === 'accept' ? this.accept(invitation, sender, ref, now) : this.decline(invitation, sender, ref, now);
  }

  private async accept(invitation: InvitationRecord, acceptor: UserRecord, acceptorRef: UserRef, now: number): Promise<Plan> {
    const inviter = await this.store.getUser(invitation.fromUserId);
    const inviterConnection = inviter ? this.directory.connection(inviter.connectionId) : undefined;
    const acceptorConnection = this.directory.connection(acceptor.connectionId);
    if (!inviter || !inviterConnection || !acceptorConnection) {
      return this.reply(acceptorRef, acceptor.id, 'That invitation can no longer be accepted: its sender is not connected to the hub any more.', now);
    }
    const allowed = await this.policy({ kind: 'contact_request', sender: acceptor, recipient: inviter });
    if (!allowed.allowed) return this.reply(acceptorRef, acceptor.id, `That invitation cannot be accepted: ${allowed.reason}`, now);

    const sessionId = randomUUID() as ChatSessionId;
    const contactId = randomUUID() as ContactId;
    const inviterRef = userRef(inviter, inviterConnection.platform);
    const inviterCard = personCard(inviter, inviterConnection.platform);
    const acceptorCard = personCard(acceptor, acceptorConnection.platform);

    const plan = emptyPlan();
    plan.apply = async (repo) => {
      await repo.setInvitationStatus(invitation.id, 'accepted', now);
      await repo.createSession(sessionId, 'direct', now);
      await repo.createContact({
        id: contactId,
        userAId: inviter.id,
        userBId: acceptor.id,
        sessionId,
        status: 'active',
        createdAt: now,
        endedAt: null,
      });
    };

    // Each side first hears from the contact's proxy, which opens the proxy conversation.
    for (const [recipient, recipientRef, other, otherRef, otherPlatform] of [
      [inviter, inviterRef, acceptor, acceptorRef, acceptorConnection] as const,
      [acceptor, acceptorRef, inviter, inviterRef, inviterConnection] as const,
    ]) {
      plan.deliveries.push(
        deliveryPayload({
          recipient: recipientRef,
          recipientUserId: recipient.id,
          sender: { kind: 'proxy', contactId, person: personCard(other, otherPlatform.platform) },
          sessionId,
          event: {
            kind: 'contact_response',
            id: newEventId(),
            occurredAt: new Date(now).toISOString(),
            from: otherRef,
            invitationId: invitation.id,
            accepted: true,
          },
          metadata: {
            type: 'invite',
            eventKind: 'contact_response',
            sender: other.email ?? other.platformUserId,
            receiver: recipient.email ?? recipient.platformUserId,
            sessionId,
            sourcePlatform: otherPlatform.platform,
            targetPlatform: recipientRef.platform,
            sourceOrg: otherPlatform.orgId,
            targetOrg: recipient.orgId,
          },
        }),
      );
    }

    plan.deliveries.push(
      noticePayload(
        inviterRef,
        inviter.id,
        'contact_established',
        `${describePerson(acceptorCard)} accepted your invitation. Their messages reach you from "${acceptorCard.displayName} (${acceptorCard.domain})".`,
        now,
        sessionId,
      ),
      noticePayload(
        acceptorRef,
        acceptor.id,
        'contact_established',
        `You are now connected with ${describePerson(inviterCard)}. Their messages reach you from "${inviterCard.displayName} (${inviterCard.domain})".`,
        now,
        sessionId,
      ),
    );
    return plan;
  }

  private async decline(invitation: InvitationRecord, decliner: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    const inviter = await this.store.getUser(invitation.fromUserId);
    const plan = this.reply(ref, decliner.id, `You declined the contact request from ${inviter?.email ?? 'that person'}.`, now);
    plan.apply = (repo) => repo.setInvitationStatus(invitation.id, 'declined', now);

    const inviterConnection = inviter ? this.directory.connection(inviter.connectionId) : undefined;
    if (inviter && inviterConnection) {
      plan.deliveries.push(
        noticePayload(
          userRef(inviter, inviterConnection.platform),
          inviter.id,
          'command_reply',
          `${decliner.email ?? 'The person you invited'} declined your invitation.`,
          now,
        ),
      );
    }
    return plan;
  }

  private async contacts(sender: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    const lines: string[] = [];
    for (const contact of await this.store.activeContactsOf(sender.id)) {
      const otherId = contact.userAId === sender.id ? contact.userBId : contact.userAId;
      const other = await this.otherSide(otherId);
      const presence = (await this.store.getUser(otherId))?.presence;
      if (other) lines.push(`- ${describePerson(other)}${presence ? `, ${presenceWords[presence]}` : ''}`);
    }
    const incoming = await this.store.pendingInvitationsTo(sender.id, now);
    const outgoing = await this.store.pendingInvitationsFrom(sender.id, now);

    const parts = [lines.length > 0 ? `Your contacts:\n${lines.join('\n')}` : 'You have no contacts yet. Send "invite <email>" to add one.'];
    if (incoming.length > 0) {
      const from = await Promise.all(incoming.map(async (i) => (await this.store.getUser(i.fromUserId))?.email ?? '?'));
      parts.push(`Requests waiting for you: ${from.join(', ')}. Send "accept <email>" or "decline <email>".`);
    }
    if (outgoing.length > 0) parts.push(`Invitations you sent that are still open: ${outgoing.map((i) => i.toEmail).join(', ')}.`);
    const held = (await this.store.invitationsAwaitingApproval()).filter((i) => i.fromUserId === sender.id);
    if (held.length > 0) parts.push(`Invitations waiting for an admin to approve the partner domain: ${held.map((i) => i.toEmail).join(', ')}.`);
    return this.reply(ref, sender.id, parts.join('\n\n'), now);
  }

  /**
   * Shows a contact's profile as their platform has it now: name, title, organisation,
   * platform, presence and picture. Only contacts have profiles here, so the command cannot
   * be used to look people up.
   */
  private async profile(email: string, sender: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    for (const contact of await this.store.activeContactsOf(sender.id)) {
      const other = await this.store.getUser(contact.userAId === sender.id ? contact.userBId : contact.userAId);
      const connection = other ? this.directory.connection(other.connectionId) : undefined;
      if (!other || !connection || other.email !== email) continue;
      // The platform's current profile, or what the hub knows when the platform does not answer.
      const live = await connection.connector.findPersonByEmail(email).catch(() => undefined);
      const org = (await this.store.orgNames([connection.orgId])).get(connection.orgId) ?? connection.orgId;
      const lines = [
        `${live?.displayName ?? other.displayName ?? email} (${email})`,
        ...(live?.title ? [`Title: ${live.title}`] : []),
        `Organisation: ${org} (${email.split('@')[1] ?? ''})`,
        `Platform: ${platformNames[connection.platform]}`,
        ...(other.presence ? [`Presence: ${presenceWords[other.presence]}`] : []),
        ...((live?.avatarUrl ?? other.avatarUrl) ? [`Picture: ${live?.avatarUrl ?? other.avatarUrl}`] : []),
      ];
      return this.reply(ref, sender.id, lines.join('\n'), now);
    }
    return this.reply(ref, sender.id, `${email} is not one of your contacts, and profile shows contacts only. Send "contacts" to see them, or "invite ${email}" to add them.`, now);
  }

  private async otherSide(userId: UserId) {
    const user = await this.store.getUser(userId);
    const connection = user ? this.directory.connection(user.connectionId) : undefined;
    return user && connection ? personCard(user, connection.platform) : undefined;
  }

  private async remove(email: string, sender: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    for (const contact of await this.store.activeContactsOf(sender.id)) {
      const otherId = contact.userAId === sender.id ? contact.userBId : contact.userAId;
      const other = await this.store.getUser(otherId);
      if (other?.email !== email) continue;

      const otherConnection = this.directory.connection(other.connectionId);
      const plan = this.reply(
        ref,
        sender.id,
        `You are no longer connected with ${email}. Their messages will not reach you, and yours will not reach them.`,
        now,
      );
      // Channels the contact was invited into through this contact end for them too.
      const left = await this.channels.contactEnded(contact.id, now);
      plan.apply = async (repo) => {
        await repo.endContact(contact.id, now);
        await repo.deleteOutboxForSession(contact.sessionId);
        await left.apply?.(repo);
      };
      plan.deliveries.push(...left.deliveries);
      if (otherConnection) {
        const senderConnection = this.directory.connection(sender.connectionId);
        const otherRef = userRef(other, otherConnection.platform);
        plan.deliveries.push(
          noticePayload(
            otherRef,
            other.id,
            'contact_ended',
            `${sender.email ?? 'A contact'} ended the contact with you. Messages to them are no longer delivered.`,
            now,
          ),
          // Platforms with a roster (XMPP) take the proxy off it; the others have nothing to show.
          contactRemovedPayload(otherRef, other, personCard(sender, senderConnection?.platform ?? ref.platform), ref, contact, now),
          contactRemovedPayload(ref, sender, personCard(other, otherConnection.platform), otherRef, contact, now),
        );
      }
      return plan;
    }
    return this.reply(ref, sender.id, `${email} is not one of your contacts. Send "contacts" to see the list.`, now);
  }

  /**
   * The invitee's platform bounced the contact request: the invitation is cancelled and the
   * inviter gets a notice. Only a bounce from the invitee's own address counts.
   */
  async unreachable(invitee: UserRecord, invitationId: InvitationId, now: number): Promise<Plan> {
    const invitation = (await this.store.pendingInvitationsTo(invitee.id, now)).find((i) => i.id === invitationId);
    if (!invitation) return emptyPlan();
    const inviter = await this.store.getUser(invitation.fromUserId);
    const inviterConnection = inviter ? this.directory.connection(inviter.connectionId) : undefined;
    const plan = emptyPlan();
    plan.apply = (repo) => repo.setInvitationStatus(invitation.id, 'cancelled', now);
    if (inviter && inviterConnection) {
      plan.deliveries.push(
        noticePayload(
          userRef(inviter, inviterConnection.platform),
          inviter.id,
          'command_reply',
          `Your invitation to ${invitation.toEmail} could not be delivered: their server reports that the address does not exist or takes no messages. Check the address and send the invitation again.`,
          now,
        ),
      );
    }
    return plan;
  }

  private async status(sender: UserRecord, ref: UserRef, now: number): Promise<Plan> {
    const platforms = this.directory
      .all()
      .map((c) => `${platformNames[c.platform]} (${c.id}): ${c.connector.state().status}`)
      .join('; ');
    const contacts = (await this.store.activeContactsOf(sender.id)).length;
    const incoming = (await this.store.pendingInvitationsTo(sender.id, now)).length;
    return this.reply(
      ref,
      sender.id,
      `Parley is running. Platforms: ${platforms}. You have ${contacts} contact(s) and ${incoming} open request(s).`,
      now,
    );
  }
}

/** Builds the roster change for `recipient`: the proxy of `about` is no longer their contact. */
export function contactRemovedPayload(
  recipientRef: UserRef,
  recipient: UserRecord,
  about: PersonCard,
  aboutRef: UserRef,
  contact: { id: ContactId; sessionId: ChatSessionId },
  now: number,
  aboutOrg: OrgId | null = null,
): OutboxPayload {
  return deliveryPayload({
    recipient: recipientRef,
    recipientUserId: recipient.id,
    sender: { kind: 'proxy', contactId: contact.id, person: about },
    sessionId: contact.sessionId,
    event: { kind: 'contact_removed', id: newEventId(), occurredAt: new Date(now).toISOString(), from: aboutRef, sessionId: contact.sessionId },
    metadata: {
      type: 'invite',
      eventKind: 'contact_removed',
      sender: aboutRef.email ?? aboutRef.platformUserId,
      receiver: recipient.email ?? recipient.platformUserId,
      sessionId: contact.sessionId,
      sourcePlatform: aboutRef.platform,
      targetPlatform: recipientRef.platform,
      sourceOrg: aboutOrg,
      targetOrg: recipient.orgId,
    },
  });
}

/** Builds the contact request an invitation sends to the invitee, from the bot. */
export function contactRequestPayload(
  invitation: InvitationRecord,
  sender: UserRecord,
  connection: ConnectionInfo,
  invitee: UserRecord,
  inviteeConnection: ConnectionInfo,
  now: number,
): OutboxPayload {
  const ref = userRef(sender, connection.platform);
  return deliveryPayload({
    recipient: userRef(invitee, inviteeConnection.platform),
    recipientUserId: invitee.id,
    sender: { kind: 'bot' },
    event: {
      kind: 'contact_request',
      id: newEventId(),
      occurredAt: new Date(now).toISOString(),
      from: ref,
      invitationId: invitation.id,
      requester: personCard(sender, connection.platform),
      expiresAt: new Date(invitation.expiresAt).toISOString(),
    },
    origin: { userId: sender.id, ref },
    metadata: {
      type: 'invite',
      eventKind: 'contact_request',
      sender: sender.email ?? sender.platformUserId,
      receiver: invitation.toEmail,
      sessionId: null,
      sourcePlatform: connection.platform,
      targetPlatform: inviteeConnection.platform,
      sourceOrg: connection.orgId,
      targetOrg: inviteeConnection.orgId,
    },
  });
}

export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
