// Types of the JSON the simulated API returns, for callers of the programmatic API.
import type { PersonStatus, PersonType, RoomType, WebhookStatus } from './state.js';

export interface WebexMessage {
  id: string;
  parentId?: string;
  roomId: string;
  roomType: RoomType;
  toPersonId?: string;
  toPersonEmail?: string;
  text?: string;
  markdown?: string;
  html?: string;
  files?: string[];
  personId: string;
  personEmail: string;
  mentionedPeople?: string[];
  mentionedGroups?: string[];
  attachments?: { contentType: string; content: unknown }[];
  created: string;
  updated?: string;
}

export interface WebexPerson {
  id: string;
  emails: string[];
  displayName: string;
  firstName: string;
  lastName: string;
  avatar?: string;
  title?: string;
  orgId: string;
  created: string;
  lastModified: string;
  type: PersonType;
  status?: PersonStatus;
  lastActivity?: string;
}

export interface WebexRoom {
  id: string;
  title: string;
  type: RoomType;
  isLocked: boolean;
  lastActivity: string;
  creatorId: string;
  created: string;
  ownerId: string;
}

export interface WebexMembership {
  id: string;
  roomId: string;
  personId: string;
  personEmail: string;
  personDisplayName: string;
  personOrgId: string;
  isModerator: boolean;
  roomType: RoomType;
  created: string;
}

export interface WebexWebhook {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  secret?: string;
  status: WebhookStatus;
  created: string;
  orgId: string;
  createdBy: string;
  appId: string;
  ownedBy: 'creator';
}

/** Body of `POST /messages`. */
export interface SendMessageRequest {
  roomId?: string;
  toPersonId?: string;
  toPersonEmail?: string;
  text?: string;
  markdown?: string;
  parentId?: string;
  files?: string[];
  attachments?: { contentType: string; content: unknown }[];
}

/** Fields of a multipart `POST /messages` that uploads `file` in the field `files`. */
export interface SendFileRequest {
  roomId?: string;
  toPersonId?: string;
  toPersonEmail?: string;
  text?: string;
  markdown?: string;
  parentId?: string;
  file: {
    /** File name as the upload gives it, in any script. */
    name: string;
    /** Content type of the file part, such as 'application/pdf'. */
    mediaType: string;
    bytes: Buffer;
  };
}

/** Body of `POST /webhooks`. */
export interface CreateWebhookRequest {
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  secret?: string;
}
