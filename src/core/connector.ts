// The contract every platform connector implements, and the optional capability
// interfaces the router looks for. A connector never imports the store, the pipeline or
// another connector: it receives what it needs through ConnectorContext.

import type { Readable } from 'node:stream';

import type { Logger } from 'pino';

import type { CanonicalEvent, FileRef, InboundEvent, PersonCard, PresenceStatus, UserRef } from './events.js';
import type {
  ChatSessionId,
  ConnectionId,
  ContactId,
  DeliveryId,
  PlatformConversationId,
  PlatformMessageId,
  PlatformUserId,
} from './ids.js';
import type { Platform } from './platform.js';

/** A raw HTTP request as the platform sent it; signatures are checked on `rawBody`. */
export interface RawRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** Time the hub received the request, in milliseconds since the epoch. */
  receivedAt: number;
}

export interface RawResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Record<string, unknown>;
}

/** An HTTP route a connector serves for its platform's webhooks or events. */
export interface InboundRoute {
  method: 'POST';
  /** Path on the hub's public URL, such as `/hooks/webex/acme`. */
  path: string;
  /** Largest body accepted, in bytes; larger requests get 413 before `handle` runs. */
  bodyLimit: number;
  handle(request: RawRequest): Promise<RawResponse>;
}

/**
 * The form an external contact takes on this connector's platform for one local user:
 * the conversation the proxy and the user share, and the proxy's own id there.
 */
export interface ProxyBinding {
  contactId: ContactId;
  conversationId: PlatformConversationId;
  proxyUserId?: PlatformUserId;
  /** Connector-private facts the proxy needs after a restart; never secrets. */
  data: Record<string, string>;
  /** False once the contact has ended; set on the proxies `listProxies` returns. */
  active?: boolean;
}

/** Who the recipient of a delivery sees as its sender. */
export type Sender =
  | { kind: 'bot' }
  | { kind: 'proxy'; contactId: ContactId; person: PersonCard; binding?: ProxyBinding }
  /** A member of a shared channel with no proxy for the recipient: the post names them. */
  | { kind: 'member'; person: PersonCard };

/**
 * The destination of a delivery to a shared channel: the channel's own conversation (`origin`)
 * or its mirror on another platform (`mirror`).
 */
export interface ChannelPlace {
  channelId: ChatSessionId;
  role: 'origin' | 'mirror';
  /** The channel's name on its own platform. */
  title: string;
  /** Absent for a mirror the connector has not created yet. */
  conversationId?: PlatformConversationId;
  /** Connector-private facts about the place; never secrets. */
  data: Record<string, string>;
}

/** One outbound delivery: one event for one recipient, from the outbox. */
export interface Delivery {
  id: DeliveryId;
  sessionId?: ChatSessionId;
  recipient: UserRef;
  sender: Sender;
  event: CanonicalEvent;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Opens a file of a `file` event for reading, with its size checked against the target's
   * and the policies' limits; set by the delivery worker, absent in other deliveries.
   */
  openFile?: (file: FileRef) => Promise<FileContent>;
  /** Aborted when the delivery runs out of time; uploads pass it to their requests. */
  signal?: AbortSignal;
  /** Set when the delivery goes to a shared channel rather than to the recipient directly. */
  channel?: ChannelPlace;
}

/** A file being read from its source platform; `body` yields exactly `size` bytes. */
export interface FileContent {
  /** The name the sender gave it, or a generated one with the right extension. */
  name: string;
  mediaType: string;
  size: number;
  body: Readable;
}

export interface SendResult {
  /** Ids of what the platform created; several when a long message was split. */
  messageIds: PlatformMessageId[];
  /** A proxy binding the send created or changed; the hub stores it. */
  binding?: ProxyBinding;
  /** A channel mirror the send created or changed; the hub stores it. */
  channel?: { conversationId: PlatformConversationId; data: Record<string, string> };
}

/** A person found on a platform by email. */
export interface PlatformPerson {
  ref: UserRef;
  displayName: string;
  email: string;
  avatarUrl?: string;
  /** The person's job title, where the platform shares it. */
  title?: string;
}

export type ConnectorStatus = 'starting' | 'connected' | 'degraded' | 'stopped' | 'failed';

/** A connector's health, reported as a state code rather than a thrown error. */
export interface ConnectorState {
  status: ConnectorStatus;
  /** A short machine-readable reason, such as `webhook_inactive` or `auth_failed`. */
  code?: string;
  since: string;
}

/** The services the hub passes to a connector. */
export interface ConnectorContext {
  logger: Logger;
  /** Base URL at which the platform reaches the hub's HTTP server. */
  publicUrl: string;
  /**
   * Hands verified inbound events to the pipeline. Resolves once they are committed
   * (outbox, dedup mark and metadata record); only then may the connector acknowledge
   * the platform's request. Rejects when the store is unavailable.
   */
  receive(events: InboundEvent[]): Promise<void>;
  /** True when the hub itself posted this message on this connection (message-id map). */
  isHubMessage(messageId: PlatformMessageId): Promise<boolean>;
  /** The proxies this connection hosts, for start-up checks such as webhook state. */
  listProxies(): Promise<ProxyBinding[]>;
  /**
   * Opens a file another connection received, within `maxBytes`, for a transfer the recipient
   * accepts later (a Teams file consent). The policies were checked when the file was offered.
   */
  openFile?(ref: FileRef, maxBytes: number, signal: AbortSignal): Promise<FileContent>;
  /** Durable per-connection key-value state (webhook ids, cursors); not for secrets. */
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;
}

/**
 * A platform connector. The hub calls `start` once before any other method, `routes`
 * before the HTTP server listens, and `stop` once at shutdown.
 */
export interface Connector {
  readonly platform: Platform;
  readonly connectionId: ConnectionId;

  /** Inbound HTTP routes; called once before start. Must not do IO. */
  routes(): InboundRoute[];

  /**
   * Connects to the platform: checks credentials, registers or re-activates webhooks.
   * Failures are reported through `state()`, not thrown, so one broken platform does not
   * stop the hub; it throws only for configuration errors.
   */
  start(context: ConnectorContext): Promise<void>;

  /** Stops timers and in-flight work; must not throw. */
  stop(): Promise<void>;

  /**
   * Sends one delivery. Throws PlatformUnavailableError when a retry may help (with the
   * platform's Retry-After when it sent one) and PlatformRejectedError when it cannot.
   */
  send(delivery: Delivery): Promise<SendResult>;

  /** Looks up a person on this platform by email; undefined when there is none. */
  findPersonByEmail(email: string): Promise<PlatformPerson | undefined>;

  state(): ConnectorState;
}

/**
 * A connector that can tell whether a delivery whose outcome is unknown (the hub
 * crashed or timed out mid-send) already reached the platform. Neither Webex nor Slack
 * takes an idempotency key, so the hub asks this before sending such a delivery again.
 */
export interface Reconciling {
  findDelivered(delivery: Delivery, since: Date): Promise<SendResult | undefined>;
}

export function canReconcile(connector: Connector): connector is Connector & Reconciling {
  return typeof (connector as Partial<Reconciling>).findDelivered === 'function';
}

/**
 * A connector that can read its users' presence. Webex and Slack push no presence to bots,
 * so the hub polls this for users who have contacts on a platform that shows presence.
 */
export interface PresenceSource {
  /** Current presence of these users; users whose presence is unknown are left out. */
  readPresence(users: PlatformUserId[]): Promise<Map<PlatformUserId, PresenceStatus>>;
}

export function canReadPresence(connector: Connector): connector is Connector & PresenceSource {
  return typeof (connector as Partial<PresenceSource>).readPresence === 'function';
}

/** A connector whose users see their contacts' presence, so presence events are sent to it. */
export interface PresenceSink {
  readonly showsPresence: true;
}

export function showsPresence(connector: Connector): connector is Connector & PresenceSink {
  return (connector as Partial<PresenceSink>).showsPresence === true;
}

/** A connector whose platform carries files sent by its users, which the hub can download. */
export interface FileSource {
  /**
   * Opens a file this connection received. The size may be unknown when the platform does
   * not say; the hub then counts the bytes itself. Throws PlatformUnavailableError while the
   * platform is not ready to serve it (a malware scan) and PlatformRejectedError when it never
   * will be.
   */
  openFile(ref: FileRef, signal: AbortSignal): Promise<Omit<FileContent, 'size' | 'name'> & { size?: number; name?: string }>;
}

export function canOpenFiles(connector: Connector): connector is Connector & FileSource {
  return typeof (connector as Partial<FileSource>).openFile === 'function';
}

/** A connector that can deliver files, and the largest its platform takes. */
export interface FileTarget {
  readonly maxFileBytes: number;
}

export function takesFiles(connector: Connector): connector is Connector & FileTarget {
  return typeof (connector as Partial<FileTarget>).maxFileBytes === 'number';
}

/** A connector whose users see when a contact is typing, so typing events are sent to it. */
export interface TypingSink {
  readonly showsTyping: true;
}

export function showsTyping(connector: Connector): connector is Connector & TypingSink {
  return (connector as Partial<TypingSink>).showsTyping === true;
}

/** A connector that can check its credentials and its platform's reachability on demand. */
export interface Checkable {
  /** Resolves when one authenticated call to the platform succeeds; throws the coded error otherwise. */
  check(): Promise<void>;
}

export function canCheck(connector: Connector): connector is Connector & Checkable {
  return typeof (connector as Partial<Checkable>).check === 'function';
}

/**
 * A connector that takes part in shared channels: it relays a channel's posts under each
 * member's name, creates a mirror for an invitee, and adds and removes members on request.
 */
export interface ChannelHost {
  readonly hostsChannels: true;
}

export function hostsChannels(connector: Connector): connector is Connector & ChannelHost {
  return (connector as Partial<ChannelHost>).hostsChannels === true;
}
