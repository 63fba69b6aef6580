// Connector handling of the activities a bot sends, updates and deletes: the checks Teams
// applies and the changes to the conversation.
import type { SimContext } from './context.js';
import { ConnectorError, activityNotFound, badArgument, botNotInRoster, conversationNotFound } from './errors.js';
import {
  type ActivityBody,
  type Attachment,
  type Entity,
  activitySchema,
  describeIssues,
  fileConsentCardSchema,
  fileInfoCardSchema,
} from './schemas.js';
import type { Conversation, StoredActivity } from './state.js';

export const FILE_CONSENT_CARD = 'application/vnd.microsoft.teams.card.file.consent';
export const FILE_INFO_CARD = 'application/vnd.microsoft.teams.card.file.info';
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Rejects a body over the size limit with 413 MessageSizeTooBig. */
export function checkActivitySize(context: SimContext, bodyBytes: number): void {
  if (bodyBytes > context.maxActivityBytes) {
    throw new ConnectorError(
      413,
      'MessageSizeTooBig',
      `Message size too big: the activity has ${bodyBytes} bytes of JSON and the limit is ${context.maxActivityBytes}.`,
    );
  }
}

export function parseActivity(body: unknown): ActivityBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badArgument('The request body must be an Activity JSON object.');
  }
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) {
    throw badArgument(`Invalid activity: ${describeIssues(parsed.error)}.`);
  }
  return parsed.data;
}

/** Returns the conversation the bot may post to, or throws 404 or 403 as Teams does. */
export function requireConversation(context: SimContext, conversationId: string): Conversation {
  const conversation = context.state.conversations.get(conversationId);
  if (conversation === undefined) {
    throw conversationNotFound(conversationId);
  }
  if (!conversation.botInstalled) {
    throw botNotInRoster();
  }
  return conversation;
}

function requireBotActivity(conversation: Conversation, activityId: string): StoredActivity {
  const activity = conversation.activities.find((a) => a.id === activityId);
  if (activity === undefined || activity.deletedAt !== undefined) {
    throw activityNotFound(activityId);
  }
  if (activity.role !== 'bot') {
    throw new ConnectorError(403, 'Forbidden', `Activity ${activityId} was sent by a user; the bot can change only its own activities.`);
  }
  return activity;
}

function checkMentions(text: string | undefined, entities: Entity[]): void {
  for (const entity of entities) {
    if (entity.type !== 'mention') {
      continue;
    }
    const mentionText = String(entity.text);
    if (text === undefined || !text.includes(mentionText)) {
      throw badArgument(`Mention entity text ${mentionText} does not occur in the activity text; put the same <at>Name</at> in text.`);
    }
  }
}

function checkCard(attachment: Attachment, index: number): void {
  const where = `attachments.${index}`;
  if (attachment.contentType === FILE_CONSENT_CARD) {
    if (attachment.name === undefined || attachment.name === '') {
      throw badArgument(`${where}: a file consent card needs the file name in name.`);
    }
    const content = fileConsentCardSchema.safeParse(attachment.content ?? {});
    if (!content.success) {
      throw badArgument(`${where}: invalid file consent card: ${describeIssues(content.error)}.`);
    }
  } else if (attachment.contentType === FILE_INFO_CARD) {
    if (attachment.name === undefined || attachment.name === '' || attachment.contentUrl === undefined || attachment.contentUrl === '') {
      throw badArgument(`${where}: a file info card needs name and contentUrl.`);
    }
    // NOTE: the simulator does not check that uniqueId names a file the bot uploaded.
    const content = fileInfoCardSchema.safeParse(attachment.content ?? {});
    if (!content.success) {
      throw badArgument(`${where}: invalid file info card: ${describeIssues(content.error)}.`);
    }
  } else if (attachment.contentType === ADAPTIVE_CARD && attachment.content?.type !== 'AdaptiveCard') {
    throw badArgument(`${where}: an adaptive card attachment needs content with type AdaptiveCard.`);
  }
}

/** Checks a message's content as Teams does and returns the parts the conversation stores. */
function messageContent(activity: ActivityBody): Pick<StoredActivity, 'text' | 'textFormat' | 'summary' | 'attachments' | 'entities'> {
  const attachments = activity.attachments ?? [];
  const entities = activity.entities ?? [];
  if ((activity.text === undefined || activity.text === '') && attachments.length === 0) {
    throw badArgument('The message has neither text nor attachments.');
  }
  checkMentions(activity.text, entities);
  attachments.forEach(checkCard);
  return { text: activity.text, textFormat: activity.textFormat, summary: activity.summary, attachments, entities };
}

/**
 * Posts a bot's activity to a conversation, as a reply when `replyToId` is given. A typing
 * activity is recorded but not stored as a message. `from` and `conversation` in the body are
 * ignored, because Teams always posts as the bot into the conversation of the URL.
 */
export function postActivity(context: SimContext, conversation: Conversation, activity: ActivityBody, replyToId?: string): { id: string } {
  if (replyToId !== undefined && context.state.findActivity(conversation, replyToId) === undefined) {
    throw activityNotFound(replyToId);
  }

  if (activity.type === 'typing') {
    conversation.botTyping.push(new Date().toISOString());
    return { id: context.state.activityIds.next() };
  }
  if (activity.type !== 'message') {
    throw badArgument(`Activity type ${activity.type} cannot be sent to a Teams conversation; send message or typing.`);
  }

  const stored = context.state.addActivity(conversation, {
    ...messageContent(activity),
    role: 'bot',
    fromId: context.directory.bot.id,
    replyToId: replyToId ?? activity.replyToId,
  });
  return { id: stored.id };
}

export function updateActivity(context: SimContext, conversation: Conversation, activityId: string, activity: ActivityBody): { id: string } {
  const target = requireBotActivity(conversation, activityId);
  if (activity.type !== 'message') {
    throw badArgument(`Only message activities can be updated, not ${activity.type}.`);
  }
  const { summary: _summary, ...content } = messageContent(activity);
  context.state.updateActivity(target, content);
  return { id: target.id };
}

/** Deletes a bot's activity; deleting it again succeeds and changes nothing. */
export function deleteActivity(conversation: Conversation, activityId: string): void {
  const target = conversation.activities.find((a) => a.id === activityId);
  if (target?.role === 'bot' && target.deletedAt !== undefined) {
    return;
  }
  requireBotActivity(conversation, activityId).deletedAt = new Date().toISOString();
}
