// Canonical events: what every connector turns platform traffic into and renders back.
// A discriminated union on `kind`; shared fields sit in EventBase.

import type {
  ChatSessionId,
  ConnectionId,
  EventId,
  InvitationId,
  PlatformConversationId,
  PlatformMessageId,
  PlatformUserId,
} from './ids.js';
import type { Platform } from './platform.js';
import type { RichText } from './richtext.js';

/** A person on a connected platform, as that platform names them. */
export interface UserRef {
  platform: Platform;
  connectionId: ConnectionId;
  platformUserId: PlatformUserId;
  email?: string;
  displayName?: string;
}

/** A person as the hub presents them to someone on another platform. */
export interface PersonCard {
  displayName: string;
  email: string;
  /** The person's email domain, shown so recipients can tell organisations apart. */
  domain: string;
  platform: Platform;
  avatarUrl?: string;
}

interface EventBase {
  id: EventId;
  /** ISO 8601 time the platform reported, or the hub's receive time. */
  occurredAt: string;
  from: UserRef;
}

export interface MessageEvent extends EventBase {
  kind: 'message';
  messageId: PlatformMessageId;
  body: RichText;
  replyTo?: PlatformMessageId;
}

export interface MessageEditEvent extends EventBase {
  kind: 'message_edit';
  messageId: PlatformMessageId;
  body: RichText;
}

export interface MessageDeleteEvent extends EventBase {
  kind: 'message_delete';
  messageId: PlatformMessageId;
}

export interface ReactionEvent extends EventBase {
  kind: 'reaction';
  messageId: PlatformMessageId;
  /** One Unicode emoji, possibly a multi-code-point sequence. */
  emoji: string;
  action: 'added' | 'removed';
}

export interface TypingEvent extends EventBase {
  kind: 'typing';
  state: 'started' | 'stopped';
}

export type PresenceStatus = 'available' | 'away' | 'busy' | 'dnd' | 'offline';

export interface PresenceEvent extends EventBase {
  kind: 'presence';
  status: PresenceStatus;
  statusText?: string;
}

export interface ContactRequestEvent extends EventBase {
  kind: 'contact_request';
  invitationId: InvitationId;
  requester: PersonCard;
  expiresAt: string;
}

export interface ContactResponseEvent extends EventBase {
  kind: 'contact_response';
  invitationId: InvitationId;
  accepted: boolean;
  /** The invitee's platform reported the address unreachable (an XMPP bounce). */
  unreachable?: boolean;
}

export interface ContactRemovedEvent extends EventBase {
  kind: 'contact_removed';
  sessionId: ChatSessionId;
}

/**
 * An invitation of a person into a shared channel. Delivered to the invitee's platform, it
 * creates or finds the channel's mirror there and adds them. Delivered to the channel's own
 * platform, it adds the invitee's proxy where the platform has one.
 */
export interface ChannelInviteEvent extends EventBase {
  kind: 'channel_invite';
  /** The channel's name on its own platform. */
  title: string;
  invitee: UserRef;
  /** The person who sent `channel invite`. */
  inviter: PersonCard;
}

/** Someone left a shared channel or one of its mirrors, or was removed from it. */
export interface ChannelMemberEvent extends EventBase {
  kind: 'channel_member';
  action: 'left' | 'removed';
  /** Whom it happened to; `from` is who did it. */
  member: UserRef;
}

export interface ProfileRequestEvent extends EventBase {
  kind: 'profile_request';
  email: string;
}

export interface ProfileEvent extends EventBase {
  kind: 'profile';
  person: PersonCard;
  title?: string;
}

/**
 * Where a file can be fetched: the connection that received it and that connector's own
 * handle for it (a content URL, a file id). The handle is private to the connector and is
 * never logged or shown.
 */
export interface FileRef {
  connectionId: ConnectionId;
  handle: string;
  /** What the source reported at once, when it did; the download's own headers decide. */
  name?: string;
  mediaType?: string;
  size?: number;
}

/** One or more files a user sent, with the text they sent alongside, if any. */
export interface FileEvent extends EventBase {
  kind: 'file';
  messageId: PlatformMessageId;
  files: FileRef[];
  body?: RichText;
  replyTo?: PlatformMessageId;
  /** Files the message carried beyond those the connector passes on; the sender is told. */
  omitted?: number;
}

/** Codes of the notices the hub sends users; the text is rendered from the code. */
export type NoticeCode =
  | 'command_reply'
  | 'not_delivered'
  | 'contact_ended'
  | 'contact_established';

/** Something the hub tells a user through its bot. */
export interface NoticeEvent extends EventBase {
  kind: 'notice';
  code: NoticeCode;
  text: string;
  /** The address of an invitation the hub could not send, for platforms that track requests (an XMPP roster). */
  inviteRefused?: string;
}

export type CanonicalEvent =
  | MessageEvent
  | MessageEditEvent
  | MessageDeleteEvent
  | ReactionEvent
  | TypingEvent
  | PresenceEvent
  | ContactRequestEvent
  | ContactResponseEvent
  | ContactRemovedEvent
  | ChannelInviteEvent
  | ChannelMemberEvent
  | ProfileRequestEvent
  | ProfileEvent
  | FileEvent
  | NoticeEvent;

export type EventKind = CanonicalEvent['kind'];

/** The destination an inbound event was addressed to on its platform. */
export type InboundTarget =
  /** The Parley bot's own 1:1 conversation with the user: a command. */
  | { kind: 'bot' }
  /** A conversation in which a proxy stands for an external contact. */
  | { kind: 'proxy'; conversationId: PlatformConversationId }
  /**
   * A group conversation: a space or channel shared through Parley, or one whose members
   * address the bot (`addressed`) to share it.
   */
  | { kind: 'channel'; conversationId: PlatformConversationId; addressed?: boolean; title?: string };

/** One verified inbound event, as a connector hands it to the pipeline. */
export interface InboundEvent {
  /** The platform's id for this delivery; the pipeline deduplicates on it. */
  platformEventId: string;
  target: InboundTarget;
  event: CanonicalEvent;
}
