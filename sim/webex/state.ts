// The simulator's in-memory model of Webex: organisations, identities, rooms, memberships,
// messages and webhooks. Routes and the programmatic API both work on one WebexState.
import { newWebexId } from './ids.js';

export type PersonType = 'person' | 'bot' | 'appuser';

/** Presence values of `Person.status` in the Webex people API. */
export type PersonStatus =
  | 'active'
  | 'call'
  | 'DoNotDisturb'
  | 'inactive'
  | 'meeting'
  | 'OutOfOffice'
  | 'pending'
  | 'presenting'
  | 'unknown';

export interface OrgRecord {
  id: string;
  domain: string;
  name: string;
  created: string;
}

export interface PersonRecord {
  id: string;
  orgId: string;
  type: PersonType;
  email: string;
  displayName: string;
  firstName: string;
  lastName: string;
  title: string | undefined;
  avatar: string | undefined;
  status: PersonStatus;
  lastActivity: string | undefined;
  created: string;
  /** Application id reported as `appId` on webhooks this identity creates. */
  appId: string;
  /** Guest subject chosen by the issuing service app, for `type: 'appuser'` only. */
  guestSubject: string | undefined;
  /** Id of the service app that issued this guest, for `type: 'appuser'` only. */
  guestIssuerId: string | undefined;
}

export interface ServiceAppRecord {
  id: string;
  orgId: string;
  name: string;
  scopes: string[];
}

export interface TokenRecord {
  token: string;
  kind: 'person' | 'serviceApp';
  /** Person id or service app id. */
  subjectId: string;
  /** Epoch milliseconds after which the token is rejected, or undefined for no expiry. */
  expiresAt: number | undefined;
}

export type RoomType = 'direct' | 'group';

export interface RoomRecord {
  id: string;
  type: RoomType;
  title: string;
  creatorId: string;
  ownerOrgId: string;
  created: string;
  lastActivity: string;
}

export interface MembershipRecord {
  id: string;
  roomId: string;
  personId: string;
  isModerator: boolean;
  created: string;
}

export interface CardAttachment {
  contentType: string;
  content: unknown;
}

export interface MessageRecord {
  id: string;
  roomId: string;
  personId: string;
  text: string | undefined;
  markdown: string | undefined;
  html: string | undefined;
  files: string[];
  attachments: CardAttachment[];
  parentId: string | undefined;
  mentionedPeople: string[];
  mentionedGroups: string[];
  created: string;
  updated: string | undefined;
  editCount: number;
}

/** Malware scan outcomes that `GET /contents/{id}` reports: 423, 200, 410 and 428 in that order. */
export type ScanState = 'scanning' | 'clean' | 'infected' | 'unscannable';

/** The scan outcome of one uploaded file. */
export interface ContentScan {
  state: ScanState;
  /** Seconds sent in `Retry-After` while the state is 'scanning'. */
  retryAfter: number;
  /** Epoch milliseconds at which a 'scanning' file turns 'clean'; undefined keeps it scanning. */
  cleanAt: number | undefined;
}

/** The scan outcome that new uploads get, set with `sim.scanFiles`. */
export interface UploadScanPolicy {
  state: ScanState;
  /** Seconds sent in `Retry-After` while a file is 'scanning'. */
  retryAfter: number;
  /** Milliseconds after upload at which a 'scanning' file turns 'clean'; undefined keeps it scanning. */
  forMs: number | undefined;
}

/** A file uploaded with multipart `POST /messages`, served at `/v1/contents/{id}`. */
export interface ContentRecord {
  id: string;
  /** Absolute URL `<base>/v1/contents/{id}`, as listed in the message's `files`. */
  url: string;
  messageId: string;
  /** File name exactly as the multipart part gave it. */
  name: string;
  /** Content type of the multipart part, such as 'application/pdf'. */
  mediaType: string;
  bytes: Buffer;
  scan: ContentScan;
}

export type WebhookStatus = 'active' | 'inactive';

export interface WebhookRecord {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter: string | undefined;
  secret: string | undefined;
  status: WebhookStatus;
  created: string;
  ownerId: string;
  orgId: string;
  appId: string;
  /** Deliveries in a row that failed after all their retries; reset by a success or re-activation. */
  consecutiveFailures: number;
}

/** The caller behind an access token. */
export type Caller =
  | { kind: 'person'; token: string; person: PersonRecord }
  | { kind: 'serviceApp'; token: string; app: ServiceAppRecord };

/** A change that webhooks may be told about. `data` is what the delivery envelope carries. */
export interface ResourceEvent {
  resource: 'messages' | 'memberships' | 'rooms';
  event: 'created' | 'updated' | 'deleted';
  actorId: string;
  roomId: string;
  data: Record<string, unknown>;
  /** The message as stored, for filter and mention checks on message events. */
  message?: MessageRecord;
}

/**
 * Returns the current time as ISO 8601. Webex timestamps carry milliseconds, and a strictly
 * increasing clock keeps `created` unique per message so `before=` paging stays exact.
 */
let lastTimestamp = 0;
export function nowIso(): string {
  lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
  return new Date(lastTimestamp).toISOString();
}

export class WebexState {
  readonly orgs = new Map<string, OrgRecord>();
  readonly people = new Map<string, PersonRecord>();
  readonly serviceApps = new Map<string, ServiceAppRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly rooms = new Map<string, RoomRecord>();
  readonly memberships = new Map<string, MembershipRecord>();
  /** Messages by id, deleted ones removed. */
  readonly messages = new Map<string, MessageRecord>();
  /** Message ids per room in creation order, deleted ones removed. */
  readonly roomMessages = new Map<string, string[]>();
  readonly webhooks = new Map<string, WebhookRecord>();
  /** Uploaded files by content id; deleting a message removes its files. */
  readonly contents = new Map<string, ContentRecord>();
  /** Scan outcome given to files uploaded from now on. */
  uploadScan: UploadScanPolicy = { state: 'clean', retryAfter: 1, forMs: undefined };

  private readonly listeners: ((event: ResourceEvent) => void)[] = [];

  onEvent(listener: (event: ResourceEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: ResourceEvent): void {
    for (const listener of this.listeners) {
      listener(event);
    }
  }

  personByEmail(email: string): PersonRecord | undefined {
    const wanted = email.trim().toLowerCase();
    for (const person of this.people.values()) {
      if (person.email === wanted) {
        return person;
      }
    }
    return undefined;
  }

  membershipsOf(roomId: string): MembershipRecord[] {
    return [...this.memberships.values()].filter((m) => m.roomId === roomId);
  }

  membership(roomId: string, personId: string): MembershipRecord | undefined {
    for (const m of this.memberships.values()) {
      if (m.roomId === roomId && m.personId === personId) {
        return m;
      }
    }
    return undefined;
  }

  isMember(roomId: string, personId: string): boolean {
    return this.membership(roomId, personId) !== undefined;
  }

  roomsOf(personId: string): RoomRecord[] {
    const rooms: RoomRecord[] = [];
    for (const m of this.memberships.values()) {
      const room = m.personId === personId ? this.rooms.get(m.roomId) : undefined;
      if (room) {
        rooms.push(room);
      }
    }
    return rooms;
  }

  directRoomBetween(a: string, b: string): RoomRecord | undefined {
    return this.roomsOf(a).find((room) => room.type === 'direct' && this.isMember(room.id, b));
  }

  addMembership(roomId: string, personId: string, isModerator: boolean): MembershipRecord {
    const membership: MembershipRecord = {
      id: newWebexId('MEMBERSHIP'),
      roomId,
      personId,
      isModerator,
      created: nowIso(),
    };
    this.memberships.set(membership.id, membership);
    return membership;
  }

  /** Messages of a room, oldest first. */
  messagesOfRoom(roomId: string): MessageRecord[] {
    const ids = this.roomMessages.get(roomId) ?? [];
    return ids.map((id) => this.messages.get(id)).filter((m): m is MessageRecord => m !== undefined);
  }

  storeMessage(message: MessageRecord): void {
    this.messages.set(message.id, message);
    const ids = this.roomMessages.get(message.roomId) ?? [];
    ids.push(message.id);
    this.roomMessages.set(message.roomId, ids);
  }

  removeMessage(message: MessageRecord): void {
    this.messages.delete(message.id);
    for (const content of this.contents.values()) {
      if (content.messageId === message.id) {
        this.contents.delete(content.id);
      }
    }
    const ids = this.roomMessages.get(message.roomId) ?? [];
    this.roomMessages.set(
      message.roomId,
      ids.filter((id) => id !== message.id),
    );
  }
}
