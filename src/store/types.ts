// Records the store returns, with branded ids.

import type {
  ChatSessionId,
  ConnectionId,
  ContactId,
  DeliveryId,
  EventId,
  InvitationId,
  OrgId,
  PlatformConversationId,
  PlatformMessageId,
  PlatformUserId,
  UserId,
} from '../core/ids.js';
import type { PresenceStatus } from '../core/events.js';
import type { Platform } from '../core/platform.js';

export interface UserRecord {
  id: UserId;
  connectionId: ConnectionId;
  platformUserId: PlatformUserId;
  email: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  orgId: OrgId;
  /** Last known presence (available, away, busy, dnd, offline); null when unknown. */
  presence: PresenceStatus | null;
  /** When an admin suspended the user from federation; null while they may federate. */
  suspendedAt: number | null;
}

export type InvitationStatus = 'pending' | 'awaiting_approval' | 'accepted' | 'declined' | 'expired' | 'cancelled' | 'revoked';

export interface InvitationRecord {
  id: InvitationId;
  fromUserId: UserId;
  toEmail: string;
  toUserId: UserId;
  status: InvitationStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

export interface ContactRecord {
  id: ContactId;
  userAId: UserId;
  userBId: UserId;
  sessionId: ChatSessionId;
  /** `removed` by one of the two users; `revoked` by an admin. */
  status: 'active' | 'removed' | 'revoked';
  createdAt: number;
  endedAt: number | null;
}

export interface ProxyRecord {
  contactId: ContactId;
  localUserId: UserId;
  connectionId: ConnectionId;
  conversationId: PlatformConversationId;
  proxyUserId: PlatformUserId | null;
  data: Record<string, string>;
}

export interface OutboxInsert {
  id: DeliveryId;
  orderingKey: string;
  connectionId: ConnectionId;
  sessionId: ChatSessionId | null;
  eventId: EventId;
  /** The serialised delivery; the only place message content is kept, until delivered. */
  payload: string;
  nextAttemptAt: number;
  createdAt: number;
}

export interface OutboxRecord extends OutboxInsert {
  seq: number;
  attempts: number;
  attemptStartedAt: number | null;
  lastError: string | null;
}

export interface DeadLetterRecord {
  id: DeliveryId;
  connectionId: ConnectionId;
  sessionId: ChatSessionId | null;
  eventId: EventId;
  reason: string;
  attempts: number;
  createdAt: number;
  failedAt: number;
}

/** Metadata types, as the admin reports name them. */
export type MetadataType = 'im' | 'presence' | 'typing' | 'reaction' | 'file' | 'invite' | 'command' | 'notice' | 'error';

/** One metadata record: who, to whom, what kind, when, in which chat session. Never content. */
export interface MetadataInsert {
  at: number;
  type: MetadataType;
  eventKind: string;
  /** The sender's address (email, or platform id when no email is known). */
  sender: string;
  receiver: string;
  sessionId: ChatSessionId | null;
  sourcePlatform: Platform;
  targetPlatform: Platform | null;
  sourceOrg: OrgId | null;
  targetOrg: OrgId | null;
  /** `accepted`, `delivered`, `dead_letter`, `rejected`, `duplicate`. */
  outcome: string;
}

export interface MetadataRecord extends MetadataInsert {
  seq: number;
}

export interface MessageMapInsert {
  connectionId: ConnectionId;
  platformMessageId: PlatformMessageId;
  sessionId: ChatSessionId;
  eventId: EventId;
  /** `in` for a message a user sent, `out` for one the hub posted. */
  direction: 'in' | 'out';
  createdAt: number;
}

/** One admin change: who did what to which target, from where, with the value before and after. */
export interface AuditInsert {
  at: number;
  actor: string;
  /** Where the change came from, such as an IP address or `cli`. */
  source: string;
  action: string;
  orgId: OrgId | null;
  target: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface AuditRecord extends AuditInsert {
  seq: number;
}
