// Presence relay: polls the presence of users whose contacts are on a platform that shows
// presence (XMPP), and queues a presence event to each such contact when it changes. Webex
// and Slack push no presence to bots, so polling is the only way to read it.

import type { Logger } from 'pino';

import { canReadPresence, showsPresence } from '../core/connector.js';
import type { PresenceStatus } from '../core/events.js';
import type { ChatSessionId, ConnectionId, ContactId, PlatformUserId, UserId } from '../core/ids.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/types.js';
import { personCard, userRef, type Directory } from './directory.js';
import { allowAll, type PolicyHook } from './policy.js';
import { deliveryPayload, newEventId, outboxRow, type OutboxPayload } from './outbox.js';

interface Watch {
  contactId: ContactId;
  sessionId: ChatSessionId;
  source: UserRecord;
  sink: UserRecord;
}

export class PresenceRelay {
  /** Last status sent per contact and direction; after a restart each is sent once again. */
  private readonly sent = new Map<string, PresenceStatus>();

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly logger: Logger,
    private readonly onCommitted: () => void,
    private readonly policy: PolicyHook = allowAll,
  ) {}

  /** Reads presence once and queues what changed; returns the number of presence deliveries. */
  async poll(now: number): Promise<number> {
    const watches = await this.watches();
    const bySource = new Map<ConnectionId, Set<PlatformUserId>>();
    for (const watch of watches) {
      const ids = bySource.get(watch.source.connectionId) ?? new Set<PlatformUserId>();
      ids.add(watch.source.platformUserId);
      bySource.set(watch.source.connectionId, ids);
    }

    const statuses = new Map<string, PresenceStatus>();
    for (const [connectionId, ids] of bySource) {
      const connector = this.directory.connection(connectionId)?.connector;
      if (!connector || !canReadPresence(connector)) continue;
      try {
        for (const [id, status] of await connector.readPresence([...ids])) statuses.set(`${connectionId}/${id}`, status);
      } catch (error) {
        this.logger.warn({ err: error, connection: connectionId }, 'Reading presence failed; trying again at the next poll.');
      }
    }

    const payloads: OutboxPayload[] = [];
    const changed = new Map<UserId, PresenceStatus>();
    for (const watch of watches) {
      const status = statuses.get(`${watch.source.connectionId}/${watch.source.platformUserId}`);
      if (!status) continue;
      changed.set(watch.source.id, status);
      const key = `${watch.contactId}/${watch.sink.id}`;
      if (this.sent.get(key) === status) continue;
      // Presence a policy switches off is not queued at all, rather than dead-lettered.
      if (!(await this.policy({ kind: 'presence', sender: watch.source, recipient: watch.sink })).allowed) continue;
      this.sent.set(key, status);
      payloads.push(this.payload(watch, status, now));
    }
    if (payloads.length === 0 && changed.size === 0) return 0;

    await this.store.transaction(async (repo) => {
      for (const [userId, status] of changed) await repo.setPresence(userId, status, now);
      await repo.enqueue(payloads.map((p) => outboxRow(p, now)));
    });
    if (payloads.length > 0) this.onCommitted();
    return payloads.length;
  }

  /** Pairs of (user whose presence can be read, contact who can see it). */
  private async watches(): Promise<Watch[]> {
    const watches: Watch[] = [];
    for (const contact of await this.store.allActiveContacts()) {
      const a = await this.store.getUser(contact.userAId);
      const b = await this.store.getUser(contact.userBId);
      if (!a || !b) continue;
      for (const [source, sink] of [
        [a, b],
        [b, a],
      ] as const) {
        const sourceConnector = this.directory.connection(source.connectionId)?.connector;
        const sinkConnector = this.directory.connection(sink.connectionId)?.connector;
        if (sourceConnector && sinkConnector && canReadPresence(sourceConnector) && showsPresence(sinkConnector)) {
          watches.push({ contactId: contact.id, sessionId: contact.sessionId, source, sink });
        }
      }
    }
    return watches;
  }

  private payload(watch: Watch, status: PresenceStatus, now: number): OutboxPayload {
    const sourceConnection = this.directory.connection(watch.source.connectionId)!;
    const sinkConnection = this.directory.connection(watch.sink.connectionId)!;
    const from = userRef(watch.source, sourceConnection.platform);
    return deliveryPayload({
      recipient: userRef(watch.sink, sinkConnection.platform),
      recipientUserId: watch.sink.id,
      sender: { kind: 'proxy', contactId: watch.contactId, person: personCard(watch.source, sourceConnection.platform) },
      sessionId: watch.sessionId,
      event: { kind: 'presence', id: newEventId(), occurredAt: new Date(now).toISOString(), from, status },
      metadata: {
        type: 'presence',
        eventKind: 'presence',
        sender: watch.source.email ?? watch.source.platformUserId,
        receiver: watch.sink.email ?? watch.sink.platformUserId,
        sessionId: watch.sessionId,
        sourcePlatform: sourceConnection.platform,
        targetPlatform: sinkConnection.platform,
        sourceOrg: sourceConnection.orgId,
        targetOrg: sinkConnection.orgId,
      },
    });
  }
}
