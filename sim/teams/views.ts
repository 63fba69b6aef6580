// Views of the model's records, as the API and the inspection methods return them.
import type { TeamsUser } from './directory.js';
import type { Attachment, Entity } from './schemas.js';
import type { ActivityVersion, StoredActivity, TextFormat } from './state.js';

/** A member as the members routes return it: a TeamsChannelAccount. */
export interface TeamsChannelAccount {
  id: string;
  name: string;
  aadObjectId: string;
  givenName?: string;
  surname?: string;
  email: string;
  userPrincipalName: string;
  tenantId: string;
  userRole: 'user';
}

export function memberView(user: TeamsUser): TeamsChannelAccount {
  return {
    id: user.id,
    name: user.name,
    aadObjectId: user.aadObjectId,
    ...(user.givenName !== undefined ? { givenName: user.givenName } : {}),
    ...(user.surname !== undefined ? { surname: user.surname } : {}),
    email: user.email,
    userPrincipalName: user.userPrincipalName,
    tenantId: user.tenantId,
    userRole: 'user',
  };
}

/** A message in a conversation as the inspection methods return it, with edits and deletion applied. */
export interface ChatMessage {
  id: string;
  conversationId: string;
  role: 'bot' | 'user';
  fromId: string;
  timestamp: string;
  replyToId?: string;
  text?: string;
  textFormat?: TextFormat;
  summary?: string;
  attachments: Attachment[];
  entities: Entity[];
  edited: boolean;
  deleted: boolean;
  updatedAt?: string;
  deletedAt?: string;
  /** Earlier versions, oldest first. */
  history: ActivityVersion[];
  reactions: { type: string; userId: string }[];
  /** The user's choice on a file consent card, once made. */
  fileConsentAction?: 'accept' | 'decline';
}

export function messageView(activity: StoredActivity): ChatMessage {
  const view: ChatMessage = {
    id: activity.id,
    conversationId: activity.conversationId,
    role: activity.role,
    fromId: activity.fromId,
    timestamp: activity.timestamp,
    attachments: structuredClone(activity.attachments),
    entities: structuredClone(activity.entities),
    edited: activity.updatedAt !== undefined,
    deleted: activity.deletedAt !== undefined,
    history: structuredClone(activity.history),
    reactions: activity.reactions.map((reaction) => ({ ...reaction })),
  };
  const optional = {
    replyToId: activity.replyToId,
    text: activity.text,
    textFormat: activity.textFormat,
    summary: activity.summary,
    updatedAt: activity.updatedAt,
    deletedAt: activity.deletedAt,
    fileConsentAction: activity.fileConsentAction,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) {
      Object.assign(view, { [key]: value });
    }
  }
  return view;
}
