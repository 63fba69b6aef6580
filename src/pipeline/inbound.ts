// The inbound half of the pipeline: dedup, identity and session resolution, the policy
// hook, then one transaction with the outbox rows, the dedup mark and the metadata.

import type { Logger } from 'pino';

import { showsTyping } from '../core/connector.js';
import type { FileEvent, InboundEvent, MessageDeleteEvent, MessageEditEvent, MessageEvent, ReactionEvent, TypingEvent } from '../core/events.js';
import type { ConnectionId, EventId } from '../core/ids.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/types.js';
import { ChannelRelay } from './channels.js';
import { CommandHandler, type CommandSettings } from './commands.js';
import { personCard, userRef, type ConnectionInfo, type Directory } from './directory.js';
import { deliveryPayload, noticePayload, outboxRow } from './outbox.js';
import { emptyPlan, type Plan } from './plan.js';
import { noMetrics, type PipelineMetrics } from './metrics.js';
import { allowAll, type PolicyHook } from './policy.js';
import { resolveUser } from './users.js';

export type InboundOutcome = 'committed' | 'duplicate' | 'ignored';

/** Events a user sends in a proxy conversation that cross to the contact. */
type RelayedEvent = MessageEvent | MessageEditEvent | MessageDeleteEvent | ReactionEvent | FileEvent;

const relayedKinds = new Set<string>(['message', 'message_edit', 'message_delete', 'reaction', 'file']);

/** The word a notice uses for an event that could not be passed on. */
const followUpNames: Record<Exclude<RelayedEvent['kind'], 'message' | 'file'>, string> = {
  message_edit: 'edit',
  message_delete: 'deletion',
  reaction: 'reaction',
};

export class InboundPipeline {
  private readonly commands: CommandHandler;
  private readonly channels: ChannelRelay;

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly logger: Logger,
    settings: CommandSettings,
    private readonly onCommitted: () => void,
    private readonly policy: PolicyHook = allowAll,
    private readonly metrics: PipelineMetrics = noMetrics,
  ) {
    this.channels = new ChannelRelay(store, directory, logger, policy, settings.commandsPerMinute);
    this.commands = new CommandHandler(store, directory, settings, policy, this.channels);
  }

  /** Processes events in order; resolves when each is committed or found to be a duplicate. */
  async receive(connectionId: ConnectionId, events: InboundEvent[]): Promise<InboundOutcome[]> {
    const connection = this.directory.connection(connectionId);
    if (!connection) throw new Error(`Unknown connection ${connectionId}.`);

    const outcomes: InboundOutcome[] = [];
    for (const inbound of events) {
      const outcome = await this.receiveOne(connection, inbound);
      this.metrics.received(connection.platform, inbound.event.kind, outcome);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async receiveOne(connection: ConnectionInfo, inbound: InboundEvent): Promise<InboundOutcome> {
    const now = Date.now();
    const log = this.logger.child({
      connection: connection.id,
      platform: connection.platform,
      platform_event: inbound.platformEventId,
      event_kind: inbound.event.kind,
    });

    if (await this.store.hasInbound(connection.id, inbound.platformEventId)) {
      log.info('Duplicate inbound event ignored.');
      return 'duplicate';
    }

    const event = inbound.event;
    if ((event.kind === 'message' || event.kind === 'file') && (await this.store.isHubMessage(connection.id, event.messageId))) {
      await this.store.markInbound(connection.id, inbound.platformEventId, now);
      log.debug("Inbound event is the hub's own post; not relayed.");
      return 'ignored';
    }

    // An address in another organisation's domain is not this platform's to claim (a directory
    // entry set by a tenant's own admins, for instance).
    const claimed = event.from.email?.split('@')[1];
    const owner = claimed ? this.directory.orgOfDomain(claimed) : undefined;
    if (owner !== undefined && owner !== connection.orgId) {
      log.warn({ org: connection.orgId }, "Inbound event from an address in another organisation's domain; ignored.");
      await this.store.markInbound(connection.id, inbound.platformEventId, now);
      return 'ignored';
    }

    const sender = await resolveUser(this.store, connection, event.from, now);
    const target = inbound.target;
    const place = target.kind === 'bot' ? undefined : await this.store.channels.placeOf(connection.id, target.conversationId);
    let plan: Plan;
    if (event.kind === 'message' && target.kind === 'channel' && target.addressed) {
      plan = await this.channels.command(connection, sender, event, target, now);
    } else if (place) {
      plan = await this.channels.receive(connection, sender, event, place, now);
    } else if (target.kind === 'channel') {
      log.debug('Event in a group conversation that is not shared through Parley; ignored.');
      plan = emptyPlan();
    } else if (event.kind === 'message' && inbound.target.kind === 'bot') {
      plan = await this.commands.handle(connection, sender, event, now);
    } else if (event.kind === 'file' && inbound.target.kind === 'bot') {
      plan = emptyPlan();
      plan.deliveries.push(
        noticePayload(
          userRef(sender, connection.platform),
          sender.id,
          'command_reply',
          'The Parley bot does not keep files. To send a file to a contact, send it in your conversation with that contact.',
          now,
        ),
      );
    } else if (event.kind === 'contact_response' && event.unreachable && inbound.target.kind === 'bot') {
      plan = await this.commands.unreachable(sender, event.invitationId, now);
    } else if (event.kind === 'presence') {
      // Kept for the `contacts` command; the presence relay passes it on where it can be shown.
      plan = emptyPlan();
      plan.apply = async (repo) => {
        await repo.setPresence(sender.id, event.status, now);
      };
    } else if (event.kind === 'typing' && inbound.target.kind === 'proxy') {
      plan = await this.relayTyping(connection, sender, event, inbound.target.conversationId, now);
    } else if (relayedKinds.has(event.kind) && inbound.target.kind === 'proxy') {
      plan = await this.relay(connection, sender, event as RelayedEvent, inbound.target.conversationId, now);
    } else {
      log.info('Inbound event kind is not relayed yet; ignored.');
      plan = emptyPlan();
    }

    const committed = await this.store.transaction(async (repo) => {
      if (!(await repo.markInbound(connection.id, inbound.platformEventId, now))) return false;
      if (plan.apply) await plan.apply(repo);
      await repo.enqueue(plan.deliveries.map((d) => outboxRow(d, now)));
      await repo.addMessageMap(plan.messageMap);
      await repo.appendMetadata(plan.metadata);
      return true;
    });

    if (!committed) {
      log.info('Duplicate inbound event ignored.');
      return 'duplicate';
    }
    log.info({ deliveries: plan.deliveries.length, duration_ms: Date.now() - now }, 'Inbound event committed.');
    if (plan.deliveries.length > 0) this.onCommitted();
    return 'committed';
  }

  /** Expires overdue invitations, sends each inviter a notice and returns how many expired. */
  async expireInvitations(now: number): Promise<number> {
    const expired = await this.store.transaction(async (repo) => {
      const invitations = await repo.expireInvitations(now);
      const notices = [];
      for (const invitation of invitations) {
        const inviter = await repo.getUser(invitation.fromUserId);
        const connection = inviter ? this.directory.connection(inviter.connectionId) : undefined;
        if (!inviter || !connection) continue;
        notices.push(
          noticePayload(
            userRef(inviter, connection.platform),
            inviter.id,
            'command_reply',
            `Your invitation to ${invitation.toEmail} expired without an answer. Send "invite ${invitation.toEmail}" to ask again.`,
            now,
          ),
        );
      }
      await repo.enqueue(notices.map((n) => outboxRow(n, now)));
      return invitations.length;
    });
    if (expired > 0) {
      this.logger.info({ invitations: expired }, 'Expired invitations.');
      this.onCommitted();
    }
    return expired;
  }

  /**
   * Finds the contact a proxy conversation stands for: the proxy, the contact, the user on
   * the other side and that user's connection, each absent when it is not found.
   */
  private async counterpart(connection: ConnectionInfo, sender: UserRecord, conversationId: Parameters<Store['proxiesByConversation']>[1]) {
    const proxy = (await this.store.proxiesByConversation(connection.id, conversationId)).find((p) => p.localUserId === sender.id);
    const contact = proxy ? await this.store.getContact(proxy.contactId) : undefined;
    const other = contact ? await this.store.getUser(contact.userAId === sender.id ? contact.userBId : contact.userAId) : undefined;
    const otherConnection = other ? this.directory.connection(other.connectionId) : undefined;
    return { proxy, contact, other, otherConnection };
  }

  /**
   * A user started or stopped typing to a contact: passed on when the contact's platform
   * shows typing and both policies allow it, else dropped, since typing is worth nothing
   * later and tells the sender nothing they need to know.
   */
  private async relayTyping(
    connection: ConnectionInfo,
    sender: UserRecord,
    event: TypingEvent,
    conversationId: Parameters<Store['proxiesByConversation']>[1],
    now: number,
  ): Promise<Plan> {
    const plan = emptyPlan();
    const { contact, other, otherConnection } = await this.counterpart(connection, sender, conversationId);
    if (!contact || contact.status !== 'active' || !other || !otherConnection || !showsTyping(otherConnection.connector)) return plan;
    const metadata = {
      type: 'typing' as const,
      eventKind: event.kind,
      sender: sender.email ?? sender.platformUserId,
      receiver: other.email ?? other.platformUserId,
      sessionId: contact.sessionId,
      sourcePlatform: connection.platform,
      targetPlatform: otherConnection.platform,
      sourceOrg: connection.orgId,
      targetOrg: otherConnection.orgId,
    };
    const decision = await this.policy({ kind: 'typing', sender, recipient: other });
    if (!decision.allowed) {
      plan.metadata.push({ ...metadata, at: now, outcome: 'policy_denied' });
      return plan;
    }
    plan.deliveries.push(
      deliveryPayload({
        recipient: userRef(other, otherConnection.platform),
        recipientUserId: other.id,
        sender: { kind: 'proxy', contactId: contact.id, person: personCard(sender, connection.platform) },
        sessionId: contact.sessionId,
        event,
        metadata,
      }),
    );
    return plan;
  }

  /**
   * A message, edit, deletion or reaction a user sent in a proxy conversation: relay it to
   * the contact. Edits, deletions and reactions name the message they refer to by its id
   * on the sender's platform, which becomes the id of its copy on the contact's platform.
   */
  private async relay(
    connection: ConnectionInfo,
    sender: UserRecord,
    event: RelayedEvent,
    conversationId: Parameters<Store['proxiesByConversation']>[1],
    now: number,
    plan: Plan = emptyPlan(),
  ): Promise<Plan> {
    const senderRef = userRef(sender, connection.platform);
    const { proxy, contact, other, otherConnection } = await this.counterpart(connection, sender, conversationId);
    if (!proxy) {
      this.logger.info({ connection: connection.id, platform_conversation: conversationId }, 'Message in a conversation with no proxy; not relayed.');
      if (event.kind === 'message') {
        plan.deliveries.push(
          noticePayload(
            senderRef,
            sender.id,
            'not_delivered',
            'Not delivered: this conversation is not linked to one of your Parley contacts. Send "contacts" to the Parley bot to see them, or "invite <email>" to add one.',
            now,
          ),
        );
      }
      return plan;
    }

    const baseMetadata = {
      at: now,
      type: event.kind === 'file' ? ('file' as const) : ('im' as const),
      eventKind: event.kind,
      sender: sender.email ?? sender.platformUserId,
      receiver: other?.email ?? other?.platformUserId ?? 'unknown',
      sessionId: contact?.sessionId ?? null,
      sourcePlatform: connection.platform,
      targetPlatform: otherConnection?.platform ?? null,
      sourceOrg: connection.orgId,
      targetOrg: otherConnection?.orgId ?? null,
    };

    if (!contact || contact.status !== 'active' || !other || !otherConnection) {
      plan.metadata.push({ ...baseMetadata, outcome: 'rejected' });
      plan.deliveries.push(
        noticePayload(
          senderRef,
          sender.id,
          'not_delivered',
          `Not delivered: you are no longer connected with ${other?.email ?? 'this contact'}. Send "invite ${other?.email ?? '<email>'}" to the Parley bot to connect again.`,
          now,
        ),
      );
      return plan;
    }

    const decision = await this.policy({ kind: event.kind, sender, recipient: other });
    if (!decision.allowed && event.kind === 'file') {
      // Files switched off: the text sent with them still goes, and the sender learns why the files did not.
      this.logger.info({ connection: connection.id, session_id: contact.sessionId, rule: decision.rule }, 'Federation policy denied a file.');
      plan.metadata.push({ ...baseMetadata, outcome: 'policy_denied' });
      plan.deliveries.push(noticePayload(senderRef, sender.id, 'not_delivered', `Your file was not delivered: ${decision.reason}`, now));
      if (event.body === undefined) return plan;
      const { files: _files, ...rest } = event;
      return this.relay(connection, sender, { ...rest, kind: 'message', body: event.body }, conversationId, now, plan);
    }
    if (!decision.allowed) {
      this.logger.info({ connection: connection.id, session_id: contact.sessionId, rule: decision.rule }, 'Federation policy denied an event.');
      plan.metadata.push({ ...baseMetadata, outcome: 'policy_denied' });
      // Both users learn why the conversation stopped; neither notice repeats the text.
      if (event.kind === 'message') {
        plan.deliveries.push(
          noticePayload(senderRef, sender.id, 'not_delivered', `Not delivered: ${decision.reason}`, now),
          noticePayload(
            userRef(other, otherConnection.platform),
            other.id,
            'not_delivered',
            `${sender.email ?? 'Your contact'} sent you a message that was not delivered: ${decision.rule.startsWith(`${other.orgId}:`) ? "your organisation's" : `${sender.email?.split('@')[1] ?? 'their organisation'}'s`} federation policy blocks it. Ask your admin if you need this contact.`,
            now,
          ),
        );
      }
      return plan;
    }

    // Edits, deletions and reactions go to the copies of the message they refer to.
    let targets: RelayedEvent[] = [event];
    if (event.kind !== 'message' && event.kind !== 'file') {
      const ids = await this.store.counterpartMessageIds(connection.id, event.messageId, otherConnection.id);
      if (ids.length === 0) {
        plan.metadata.push({ ...baseMetadata, outcome: 'rejected' });
        plan.deliveries.push(
          noticePayload(
            senderRef,
            sender.id,
            'not_delivered',
            `Your ${followUpNames[event.kind]} was not passed on to ${other.email ?? 'your contact'}: the message it refers to did not go through Parley.`,
            now,
          ),
        );
        return plan;
      }
      // A message split into parts is deleted whole; an edit or reaction goes to its first part.
      const chosen = event.kind === 'message_delete' ? ids : ids.slice(0, 1);
      targets = chosen.map((messageId) => ({ ...event, messageId }));
    } else {
      // A reply points at the contact's copy of the message; without one it goes unthreaded.
      let replyTo: MessageEvent['replyTo'];
      if (event.replyTo !== undefined) {
        [replyTo] = await this.store.counterpartMessageIds(connection.id, event.replyTo, otherConnection.id);
      }
      const { replyTo: _original, ...rest } = event;
      const threaded = replyTo === undefined ? {} : { replyTo };
      if (rest.kind === 'message') {
        targets = [{ ...rest, ...threaded }];
      } else {
        // The text goes first as a message of its own, so it can be edited where a message with a
        // file cannot (Webex); then one delivery per file, each delivered or refused on its own.
        const { body, files, omitted, ...common } = rest;
        if (omitted) {
          plan.deliveries.push(
            noticePayload(senderRef, sender.id, 'not_delivered', `${omitted} of the files in your message were not passed on: Parley passes on at most ${files.length} files from one message. Send the others in another message.`, now),
          );
        }
        targets = [];
        if (body !== undefined) targets.push({ ...common, ...threaded, kind: 'message', body });
        for (const file of files) targets.push({ ...common, ...threaded, files: [file] });
      }
      plan.messageMap.push({
        connectionId: connection.id,
        platformMessageId: event.messageId,
        sessionId: contact.sessionId,
        eventId: event.id as EventId,
        direction: 'in',
        createdAt: now,
      });
    }

    plan.metadata.push({ ...baseMetadata, outcome: 'accepted' });
    for (const target of targets) {
      plan.deliveries.push(
        deliveryPayload({
          recipient: userRef(other, otherConnection.platform),
          recipientUserId: other.id,
          sender: { kind: 'proxy', contactId: contact.id, person: personCard(sender, connection.platform) },
          sessionId: contact.sessionId,
          event: target,
          origin: { userId: sender.id, ref: senderRef },
          metadata: {
            type: target.kind === 'file' ? 'file' : 'im',
            eventKind: target.kind,
            sender: baseMetadata.sender,
            receiver: baseMetadata.receiver,
            sessionId: contact.sessionId,
            sourcePlatform: connection.platform,
            targetPlatform: otherConnection.platform,
            sourceOrg: connection.orgId,
            targetOrg: otherConnection.orgId,
          },
        }),
      );
    }
    return plan;
  }
}
