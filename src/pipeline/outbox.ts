// Builds outbox rows: the serialised delivery, its ordering key and its metadata.

import { randomUUID } from 'node:crypto';

import type { ChannelPlace, Delivery, Sender } from '../core/connector.js';
import type { CanonicalEvent, NoticeCode, NoticeEvent, UserRef } from '../core/events.js';
import type { ChatSessionId, DeliveryId, EventId, UserId } from '../core/ids.js';
import type { MetadataInsert, OutboxInsert } from '../store/types.js';
import { botRef } from './directory.js';

/** The payload of an outbox row. Proxy binding details are loaded at send time. */
export interface OutboxPayload {
  delivery: Omit<Delivery, 'attempt'>;
  recipientUserId: UserId;
  /** The user notified when this delivery fails for good; absent for the hub's own notices. */
  origin?: { userId: UserId; ref: UserRef };
  /** The metadata record written when the delivery completes or fails. */
  metadata: Omit<MetadataInsert, 'at' | 'outcome'>;
  /** Deliveries queued only once this one has completed, in the same transaction. */
  then?: OutboxPayload[];
}

export function newEventId(): EventId {
  return randomUUID() as EventId;
}

/**
 * Deliveries to one conversation share a key, so they are sent one at a time, in order.
 * All deliveries of a shared channel to one platform connection share one key, from any sender.
 */
export function orderingKey(recipient: UserRef, sender: Sender, channel?: ChannelPlace): string {
  if (channel) return `${recipient.connectionId}/channel/${channel.channelId}`;
  const conversation = sender.kind === 'proxy' ? sender.contactId : sender.kind;
  return `${recipient.connectionId}/${recipient.platformUserId}/${conversation}`;
}

export function outboxRow(payload: OutboxPayload, now: number): OutboxInsert {
  const { delivery } = payload;
  return {
    id: delivery.id,
    orderingKey: orderingKey(delivery.recipient, delivery.sender, delivery.channel),
    connectionId: delivery.recipient.connectionId,
    sessionId: delivery.sessionId ?? null,
    eventId: delivery.event.id,
    payload: JSON.stringify(payload),
    nextAttemptAt: now,
    createdAt: now,
  };
}

export function newDeliveryId(): DeliveryId {
  return randomUUID() as DeliveryId;
}

export interface DeliveryInput {
  recipient: UserRef;
  recipientUserId: UserId;
  sender: Sender;
  event: CanonicalEvent;
  sessionId?: ChatSessionId | undefined;
  channel?: ChannelPlace;
  origin?: OutboxPayload['origin'];
  metadata: OutboxPayload['metadata'];
}

export function deliveryPayload(input: DeliveryInput): OutboxPayload {
  return {
    delivery: {
      id: newDeliveryId(),
      ...(input.sessionId ? { sessionId: input.sessionId } : {}),
      recipient: input.recipient,
      sender: input.sender,
      event: input.event,
      ...(input.channel ? { channel: input.channel } : {}),
    },
    recipientUserId: input.recipientUserId,
    ...(input.origin ? { origin: input.origin } : {}),
    metadata: input.metadata,
  };
}

/** Builds a notice from the bot to a user. */
export function noticePayload(
  recipient: UserRef,
  recipientUserId: UserId,
  code: NoticeCode,
  text: string,
  now: number,
  sessionId?: ChatSessionId,
  details: Pick<NoticeEvent, 'inviteRefused'> = {},
): OutboxPayload {
  return deliveryPayload({
    recipient,
    recipientUserId,
    sender: { kind: 'bot' },
    sessionId,
    event: { kind: 'notice', id: newEventId(), occurredAt: new Date(now).toISOString(), from: botRef(recipient), code, text, ...details },
    metadata: {
      type: 'notice',
      eventKind: 'notice',
      sender: 'parley',
      receiver: recipient.email ?? recipient.platformUserId,
      sessionId: sessionId ?? null,
      sourcePlatform: recipient.platform,
      targetPlatform: recipient.platform,
      sourceOrg: null,
      targetOrg: null,
    },
  });
}
