// Branded identifiers: a bare string cannot be passed where an id of a given kind is
// expected, and each kind has one field name in logs (see `logField`).

declare const brand: unique symbol;

export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Hub-wide id of an organisation (tenant). */
export type OrgId = Brand<string, 'OrgId'>;
/** Hub-wide id of one platform connection (a Webex org, a Slack workspace, …). */
export type ConnectionId = Brand<string, 'ConnectionId'>;
/** Hub-wide id of a local user row. */
export type UserId = Brand<string, 'UserId'>;
/** A platform's own id for a person: a Webex personId, a Slack user id. */
export type PlatformUserId = Brand<string, 'PlatformUserId'>;
/** A platform's own id for a message: a Webex message id, a Slack `ts`. */
export type PlatformMessageId = Brand<string, 'PlatformMessageId'>;
/** A platform's own id for a conversation: a Webex roomId, a Slack channel id. */
export type PlatformConversationId = Brand<string, 'PlatformConversationId'>;
/** A platform's own id for one inbound delivery, used for deduplication. */
export type PlatformEventId = Brand<string, 'PlatformEventId'>;
/** Id of one conversation through the hub; present in every metadata record. */
export type ChatSessionId = Brand<string, 'ChatSessionId'>;
export type ContactId = Brand<string, 'ContactId'>;
export type InvitationId = Brand<string, 'InvitationId'>;
/** Id of one canonical event inside the hub. */
export type EventId = Brand<string, 'EventId'>;
/** Id of one outbox row (one delivery to one target). */
export type DeliveryId = Brand<string, 'DeliveryId'>;

/** The log field each id kind is written under, so a search finds every line about it. */
export const logField = {
  OrgId: 'org',
  ConnectionId: 'connection',
  UserId: 'user_id',
  PlatformUserId: 'platform_user',
  PlatformMessageId: 'platform_message',
  PlatformConversationId: 'platform_conversation',
  PlatformEventId: 'platform_event',
  ChatSessionId: 'session_id',
  ContactId: 'contact_id',
  InvitationId: 'invitation_id',
  EventId: 'event_id',
  DeliveryId: 'delivery_id',
} as const;

/** Casts a string that was validated at a boundary to its branded kind. */
export function asId<T extends Brand<string, string>>(value: string): T {
  return value as T;
}
