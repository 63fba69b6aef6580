// The simulator's model: personal conversations between the bot and each user, the activities
// in them, and the files people shared or the bot uploaded.
import type { Directory, TeamsUser } from './directory.js';
import { ActivityIdClock, newConversationId } from './ids.js';
import type { Attachment, Entity } from './schemas.js';

export type TextFormat = 'markdown' | 'plain' | 'xml';

/** One earlier version of an edited activity. */
export interface ActivityVersion {
  text: string | undefined;
  textFormat: TextFormat | undefined;
  attachments: Attachment[];
  entities: Entity[];
  /** When this version was replaced, as an ISO 8601 time. */
  replacedAt: string;
}

export interface StoredActivity {
  id: string;
  conversationId: string;
  role: 'bot' | 'user';
  /** `28:<appId>` for the bot, the user's `29:` id otherwise. */
  fromId: string;
  timestamp: string;
  replyToId: string | undefined;
  text: string | undefined;
  textFormat: TextFormat | undefined;
  summary: string | undefined;
  attachments: Attachment[];
  entities: Entity[];
  updatedAt: string | undefined;
  deletedAt: string | undefined;
  /** Earlier versions, oldest first. */
  history: ActivityVersion[];
  /** Reactions people have on the activity now. */
  reactions: { type: string; userId: string }[];
  /** The user's choice on a file consent card the bot sent, once made. */
  fileConsentAction: 'accept' | 'decline' | undefined;
}

export interface Conversation {
  id: string;
  tenantId: string;
  userId: string;
  /** False after the user removed the bot; the conversation then rejects the bot's posts. */
  botInstalled: boolean;
  createdAt: string;
  activities: StoredActivity[];
  /** Times of the typing activities the bot sent, as ISO 8601 times. */
  botTyping: string[];
}

/** A file a person shared with the bot; its bytes are served at the download URL. */
export interface SharedFile {
  uniqueId: string;
  name: string;
  contentType: string;
  bytes: Buffer;
  /** Secret part of the pre-authenticated download URL. */
  tempauth: string;
  userId: string;
  activityId: string;
}

/** An upload session the simulator opened when a user accepted a file consent card. */
export interface UploadSession {
  id: string;
  uniqueId: string;
  name: string;
  fileType: string;
  contentUrl: string;
  userId: string;
  conversationId: string;
  consentActivityId: string;
  /** The card's sizeInBytes. */
  declaredSize: number;
  chunks: Buffer[];
  receivedBytes: number;
  /** Total size from the first Content-Range; later chunks must repeat it. */
  totalBytes: number | undefined;
  complete: boolean;
}

/** A file the bot uploaded completely to an upload session. */
export interface UploadedFile {
  uniqueId: string;
  name: string;
  fileType: string;
  contentUrl: string;
  bytes: Buffer;
  /** The sizeInBytes the bot's consent card announced. */
  declaredSize: number;
  userId: string;
  conversationId: string;
  consentActivityId: string;
  uploadedAt: string;
}

export class TeamsState {
  readonly conversations = new Map<string, Conversation>();
  readonly sharedFiles = new Map<string, SharedFile>();
  readonly uploadSessions = new Map<string, UploadSession>();
  readonly uploadedFiles: UploadedFile[] = [];
  readonly activityIds = new ActivityIdClock();
  private readonly conversationIdByUser = new Map<string, string>();

  constructor(readonly directory: Directory) {}

  conversationOfUser(userId: string): Conversation | undefined {
    const id = this.conversationIdByUser.get(userId);
    return id === undefined ? undefined : this.conversations.get(id);
  }

  /** Returns the user's personal conversation with the bot, creating it (bot installed) if needed. */
  openConversation(user: TeamsUser): Conversation {
    const existing = this.conversationOfUser(user.id);
    if (existing !== undefined) {
      return existing;
    }

    const conversation: Conversation = {
      id: newConversationId(),
      tenantId: user.tenantId,
      userId: user.id,
      botInstalled: true,
      createdAt: new Date().toISOString(),
      activities: [],
      botTyping: [],
    };
    this.conversations.set(conversation.id, conversation);
    this.conversationIdByUser.set(user.id, conversation.id);
    return conversation;
  }

  findActivity(conversation: Conversation, activityId: string): StoredActivity | undefined {
    return conversation.activities.find((activity) => activity.id === activityId);
  }

  addActivity(
    conversation: Conversation,
    input: Pick<StoredActivity, 'role' | 'fromId' | 'text' | 'textFormat' | 'summary' | 'attachments' | 'entities' | 'replyToId'>,
    id = this.activityIds.next(),
  ): StoredActivity {
    const activity: StoredActivity = {
      ...input,
      id,
      conversationId: conversation.id,
      timestamp: new Date().toISOString(),
      updatedAt: undefined,
      deletedAt: undefined,
      history: [],
      reactions: [],
      fileConsentAction: undefined,
    };
    conversation.activities.push(activity);
    return activity;
  }

  /** Replaces the content of an activity and keeps the previous content in its history. */
  updateActivity(activity: StoredActivity, content: Pick<StoredActivity, 'text' | 'textFormat' | 'attachments' | 'entities'>): void {
    const now = new Date().toISOString();
    activity.history.push({
      text: activity.text,
      textFormat: activity.textFormat,
      attachments: activity.attachments,
      entities: activity.entities,
      replacedAt: now,
    });
    activity.text = content.text;
    activity.textFormat = content.textFormat;
    activity.attachments = content.attachments;
    activity.entities = content.entities;
    activity.updatedAt = now;
  }
}
