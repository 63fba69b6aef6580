// A person's actions in Teams, turned into the activities the bot receives: messages, edits,
// deletions, reactions, typing, shared files, installing and removing the bot, and accepting
// or declining file consent cards.
import { FILE_CONSENT_CARD, FILE_DOWNLOAD_INFO } from './bot-activities.js';
import type { SimContext } from './context.js';
import { serviceUrlOf } from './context.js';
import type { Delivery } from './delivery.js';
import type { TeamsUser } from './directory.js';
import { fileTypeOf, openUploadSession, shareFile, uploadUrlOf } from './files.js';
import { clientInfoEntity, inboundActivity } from './inbound.js';
import type { Attachment, Entity } from './schemas.js';
import { fileConsentCardSchema } from './schemas.js';
import type { Conversation, StoredActivity, TextFormat } from './state.js';

export interface SendMessageOptions {
  /** Default `plain`, which Teams uses for what people type. */
  textFormat?: TextFormat;
  /** Extra entities; a `clientInfo` entity is always added. */
  entities?: Entity[];
  /**
   * People or the bot mentioned in the text. Each needs `<at>Name</at>` in the text and
   * becomes a mention entity.
   */
  mentions?: { id: string; name: string }[];
  attachments?: Attachment[];
  /** Id of the message this one quotes. */
  replyToId?: string;
  /** The data of an Adaptive Card's Action.Submit button, which Teams sends as a message's `value`. */
  value?: Record<string, unknown>;
}

export interface SharedFileInput {
  name: string;
  bytes: Buffer | Uint8Array | string;
  /** Served as the download's Content-Type; default application/octet-stream. */
  contentType?: string;
  /** Text sent with the file. */
  text?: string;
}

export interface SentFile {
  activityId: string;
  uniqueId: string;
  downloadUrl: string;
  contentUrl: string;
}

/** The upload details a fileConsent/invoke carries when the user accepted (TeamsAPI FileUploadInfo). */
export interface FileUploadInfo {
  name: string;
  uploadUrl: string;
  contentUrl: string;
  uniqueId: string;
  fileType: string;
}

/** The bot's response to an invoke activity. */
export interface InvokeResult {
  activityId: string;
  outcome: Delivery['outcome'];
  /** Status of the bot's HTTP response, absent when it never responded. */
  status?: number;
  body?: unknown;
  uploadInfo?: FileUploadInfo;
}

interface Chat {
  user: TeamsUser;
  conversation: Conversation;
}

function requireChat(context: SimContext, userRef: string): Chat {
  const user = context.directory.requireUser(userRef);
  const conversation = context.state.conversationOfUser(user.id);
  if (conversation === undefined || !conversation.botInstalled) {
    throw new Error(`User ${user.id} does not have the bot installed; call installApp first.`);
  }
  return { user, conversation };
}

function requireLiveActivity(chat: Chat, activityId: string): StoredActivity {
  const activity = chat.conversation.activities.find((a) => a.id === activityId);
  if (activity === undefined || activity.deletedAt !== undefined) {
    throw new Error(`Activity ${activityId} not found in the conversation of user ${chat.user.id}.`);
  }
  return activity;
}

function requireOwnMessage(chat: Chat, activityId: string): StoredActivity {
  const activity = requireLiveActivity(chat, activityId);
  if (activity.role !== 'user' || activity.fromId !== chat.user.id) {
    throw new Error(`Activity ${activityId} was not sent by user ${chat.user.id}; people can change only their own messages.`);
  }
  return activity;
}

function mentionEntities(text: string, mentions: { id: string; name: string }[]): Entity[] {
  return mentions.map((mentioned) => {
    const tag = `<at>${mentioned.name}</at>`;
    if (!text.includes(tag)) {
      throw new Error(`The text does not contain ${tag}; Teams puts each mention's tag in the text.`);
    }
    return { type: 'mention', text: tag, mentioned: { id: mentioned.id, name: mentioned.name } };
  });
}

function send(context: SimContext, chat: Chat, type: string, fields: Record<string, unknown>, id?: string): { activityId: string; done: Promise<Delivery> } {
  const activity = inboundActivity({ state: context.state, serviceUrl: serviceUrlOf(context) }, chat.user, chat.conversation, type, fields, id);
  const { done } = context.delivery.send(activity);
  return { activityId: activity.id, done };
}

export function sendMessage(context: SimContext, userRef: string, text: string, options: SendMessageOptions = {}): string {
  const chat = requireChat(context, userRef);
  if (options.replyToId !== undefined) {
    requireLiveActivity(chat, options.replyToId);
  }
  const entities = [...mentionEntities(text, options.mentions ?? []), ...(options.entities ?? [])];
  const attachments = options.attachments ?? [];
  const textFormat = options.textFormat ?? 'plain';

  const stored = context.state.addActivity(chat.conversation, {
    role: 'user',
    fromId: chat.user.id,
    text,
    textFormat,
    summary: undefined,
    attachments,
    entities,
    replyToId: options.replyToId,
  });
  const fields: Record<string, unknown> = {
    text,
    textFormat,
    ...(attachments.length > 0 ? { attachments } : {}),
    entities: [...entities, clientInfoEntity()],
    ...(options.replyToId !== undefined ? { replyToId: options.replyToId } : {}),
    ...(options.value !== undefined ? { value: options.value } : {}),
  };
  return send(context, chat, 'message', fields, stored.id).activityId;
}

/** Edits the user's own message; the bot gets a messageUpdate with the message's id. */
export function editMessage(context: SimContext, userRef: string, activityId: string, text: string): void {
  const chat = requireChat(context, userRef);
  const target = requireOwnMessage(chat, activityId);
  context.state.updateActivity(target, { text, textFormat: target.textFormat, attachments: target.attachments, entities: target.entities });
  const fields = { text, textFormat: target.textFormat ?? 'plain', channelData: { tenant: { id: chat.conversation.tenantId }, eventType: 'editMessage' } };
  send(context, chat, 'messageUpdate', fields, activityId);
}

/** Deletes the user's own message; the bot gets a messageDelete with the message's id. */
export function deleteMessage(context: SimContext, userRef: string, activityId: string): void {
  const chat = requireChat(context, userRef);
  requireOwnMessage(chat, activityId).deletedAt = new Date().toISOString();
  send(context, chat, 'messageDelete', { channelData: { tenant: { id: chat.conversation.tenantId }, eventType: 'softDeleteMessage' } }, activityId);
}

/** Adds or removes a reaction; the bot gets a messageReaction whose replyToId is the message. */
export function react(context: SimContext, userRef: string, activityId: string, type: string, change: 'added' | 'removed'): string {
  const chat = requireChat(context, userRef);
  const target = requireLiveActivity(chat, activityId);
  const index = target.reactions.findIndex((r) => r.type === type && r.userId === chat.user.id);

  if (change === 'added') {
    if (index >= 0) {
      throw new Error(`User ${chat.user.id} already reacted ${type} to ${activityId}.`);
    }
    target.reactions.push({ type, userId: chat.user.id });
  } else {
    if (index < 0) {
      throw new Error(`User ${chat.user.id} has no ${type} reaction on ${activityId} to remove.`);
    }
    target.reactions.splice(index, 1);
  }
  const field = change === 'added' ? 'reactionsAdded' : 'reactionsRemoved';
  return send(context, chat, 'messageReaction', { [field]: [{ type }], replyToId: activityId }).activityId;
}

export function typing(context: SimContext, userRef: string): string {
  return send(context, requireChat(context, userRef), 'typing', {}).activityId;
}

/** Shares a file in the user's chat with the bot, as a file download info attachment. */
export function sendFile(context: SimContext, userRef: string, file: SharedFileInput): SentFile {
  const chat = requireChat(context, userRef);
  const bytes = typeof file.bytes === 'string' ? Buffer.from(file.bytes, 'utf8') : Buffer.from(file.bytes);
  const activityId = context.state.activityIds.next();
  const { shared, downloadUrl, contentUrl } = shareFile(context, chat.user, activityId, {
    name: file.name,
    bytes,
    contentType: file.contentType ?? 'application/octet-stream',
  });

  const attachment: Attachment = {
    contentType: FILE_DOWNLOAD_INFO,
    contentUrl,
    name: file.name,
    content: { downloadUrl, uniqueId: shared.uniqueId, fileType: fileTypeOf(file.name) },
  };
  context.state.addActivity(
    chat.conversation,
    {
      role: 'user',
      fromId: chat.user.id,
      text: file.text,
      textFormat: 'plain',
      summary: undefined,
      attachments: [attachment],
      entities: [],
      replyToId: undefined,
    },
    activityId,
  );

  const fields = {
    ...(file.text !== undefined ? { text: file.text } : {}),
    textFormat: 'plain',
    attachments: [attachment],
    entities: [clientInfoEntity()],
  };
  send(context, chat, 'message', fields, activityId);
  return { activityId, uniqueId: shared.uniqueId, downloadUrl, contentUrl };
}

/**
 * Installs the bot for the user in personal scope. The 1:1 conversation is created or
 * reopened, and the bot gets a conversationUpdate that lists itself in membersAdded.
 */
export function installApp(context: SimContext, userRef: string): string {
  const user = context.directory.requireUser(userRef);
  const existing = context.state.conversationOfUser(user.id);
  if (existing?.botInstalled === true) {
    throw new Error(`User ${user.id} already has the bot installed.`);
  }
  const conversation = existing ?? context.state.openConversation(user);
  conversation.botInstalled = true;

  const bot = context.directory.bot;
  return send(context, { user, conversation }, 'conversationUpdate', { membersAdded: [{ id: bot.id }] }).activityId;
}

/** Removes the bot; the bot gets a conversationUpdate with membersRemoved, then its posts get 403. */
export function uninstallApp(context: SimContext, userRef: string): string {
  const chat = requireChat(context, userRef);
  chat.conversation.botInstalled = false;
  return send(context, chat, 'conversationUpdate', { membersRemoved: [{ id: context.directory.bot.id }] }).activityId;
}

/**
 * Accepts or declines a file consent card the bot sent. The bot gets a `fileConsent/invoke`
 * whose value carries the card's context and, on accept, the upload session. Resolves with the
 * bot's invoke response once delivery has finished.
 */
export async function respondToFileConsent(context: SimContext, userRef: string, activityId: string, action: 'accept' | 'decline'): Promise<InvokeResult> {
  const chat = requireChat(context, userRef);
  const card = requireLiveActivity(chat, activityId);
  const attachment = card.attachments.find((a) => a.contentType === FILE_CONSENT_CARD);
  if (card.role !== 'bot' || attachment === undefined) {
    throw new Error(`Activity ${activityId} is not a file consent card from the bot.`);
  }
  if (card.fileConsentAction !== undefined) {
    throw new Error(`User ${chat.user.id} already chose ${card.fileConsentAction} on the file consent card ${activityId}.`);
  }
  card.fileConsentAction = action;

  const content = fileConsentCardSchema.parse(attachment.content ?? {});
  const name = attachment.name ?? 'file';
  const value: Record<string, unknown> = {
    type: 'fileUpload',
    action,
    context: (action === 'accept' ? content.acceptContext : content.declineContext) ?? {},
  };
  let uploadInfo: FileUploadInfo | undefined;
  if (action === 'accept') {
    const session = openUploadSession(context, chat.user, chat.conversation, card, name, content.sizeInBytes);
    uploadInfo = { name, uploadUrl: uploadUrlOf(context, session), contentUrl: session.contentUrl, uniqueId: session.uniqueId, fileType: session.fileType };
    value.uploadInfo = uploadInfo;
  }

  const { activityId: invokeId, done } = send(context, chat, 'invoke', { name: 'fileConsent/invoke', value, replyToId: activityId });
  const delivery = await done;
  return {
    activityId: invokeId,
    outcome: delivery.outcome,
    ...(delivery.response !== undefined ? { status: delivery.response.status, body: delivery.response.body } : {}),
    ...(uploadInfo !== undefined ? { uploadInfo } : {}),
  };
}
