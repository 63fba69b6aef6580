// The request body checks the simulator enforces, written in zod so they run without the spec
// files. They follow the `Activity` definition of the Bot Framework JSON schema
// (microsoft/botframework-sdk, schemas/protocol/botframework.json, draft-07) field by field,
// with three exceptions that match what the Connector accepts:
// - `channelId` and `conversation` are optional, because the route names the conversation;
// - a ChannelAccount needs only `id` (the schema also requires `name`);
// - unknown fields are kept, as the schema does not forbid them.
import { z } from 'zod';

export const ACTIVITY_TYPES = [
  'contactRelationUpdate',
  'conversationUpdate',
  'deleteUserData',
  'endOfConversation',
  'event',
  'handoff',
  'installationUpdate',
  'invoke',
  'message',
  'messageDelete',
  'messageReaction',
  'messageUpdate',
  'suggestion',
  'trace',
  'typing',
] as const;

export const TEXT_FORMATS = ['markdown', 'plain', 'xml'] as const;

const dateTime = z.iso.datetime({ offset: true });
const jsonObject = z.record(z.string(), z.unknown());

export const channelAccountSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  role: z.enum(['bot', 'user']).optional(),
});

const conversationAccountSchema = z.looseObject({
  id: z.string().min(1),
  isGroup: z.boolean().optional(),
  conversationType: z.string().optional(),
  tenantId: z.string().optional(),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  role: z.enum(['bot', 'user']).optional(),
});

export const attachmentSchema = z.looseObject({
  contentType: z.string().min(1),
  contentUrl: z.string().optional(),
  content: jsonObject.optional(),
  name: z.string().optional(),
  thumbnailUrl: z.string().optional(),
});

export const entitySchema = z
  .looseObject({ type: z.string().min(1) })
  .superRefine((entity, context) => {
    if (entity.type !== 'mention') {
      return;
    }
    // The schema's Mention definition requires mentioned, text and type.
    const mention = z.looseObject({ mentioned: channelAccountSchema, text: z.string() }).safeParse(entity);
    for (const issue of mention.error?.issues ?? []) {
      context.addIssue({ code: 'custom', path: issue.path, message: `mention entity: ${issue.message}` });
    }
  });

const reactionSchema = z.looseObject({ type: z.string().min(1) });

export const activitySchema = z.looseObject({
  type: z.enum(ACTIVITY_TYPES),
  id: z.string().optional(),
  timestamp: dateTime.optional(),
  localTimestamp: dateTime.optional(),
  localTimezone: z.string().optional(),
  serviceUrl: z.string().optional(),
  channelId: z.string().optional(),
  from: channelAccountSchema.optional(),
  conversation: conversationAccountSchema.optional(),
  recipient: channelAccountSchema.optional(),
  textFormat: z.enum(TEXT_FORMATS).optional(),
  attachmentLayout: z.enum(['list', 'carousel']).optional(),
  membersAdded: z.array(channelAccountSchema).optional(),
  membersRemoved: z.array(channelAccountSchema).optional(),
  reactionsAdded: z.array(reactionSchema).optional(),
  reactionsRemoved: z.array(reactionSchema).optional(),
  topicName: z.string().optional(),
  locale: z.string().optional(),
  text: z.string().optional(),
  speak: z.string().optional(),
  inputHint: z.string().optional(),
  summary: z.string().optional(),
  suggestedActions: jsonObject.optional(),
  attachments: z.array(attachmentSchema).optional(),
  entities: z.array(entitySchema).optional(),
  channelData: z.unknown().optional(),
  action: z.string().optional(),
  replyToId: z.string().optional(),
  label: z.string().optional(),
  valueType: z.string().optional(),
  value: z.unknown().optional(),
  name: z.string().optional(),
  expiration: dateTime.optional(),
  importance: z.string().optional(),
  deliveryMode: z.string().optional(),
});

export type ActivityBody = z.infer<typeof activitySchema>;
export type Attachment = z.infer<typeof attachmentSchema>;
export type Entity = z.infer<typeof entitySchema>;

/**
 * ConversationParameters as the Connector takes them for a 1:1 chat. The schema requires
 * `activity` and `channelData` as well; Teams takes the tenant from `channelData.tenant.id`
 * or `tenantId` and creates the chat without a first activity.
 */
export const conversationParametersSchema = z.looseObject({
  isGroup: z.boolean().optional(),
  bot: channelAccountSchema,
  members: z.array(channelAccountSchema).optional(),
  topicName: z.string().optional(),
  tenantId: z.string().optional(),
  activity: activitySchema.optional(),
  channelData: z.unknown().optional(),
});

export type ConversationParameters = z.infer<typeof conversationParametersSchema>;

/** Content of a `application/vnd.microsoft.teams.card.file.consent` attachment (TeamsAPI FileConsentCard). */
export const fileConsentCardSchema = z.looseObject({
  description: z.string().optional(),
  sizeInBytes: z.number().int().nonnegative(),
  acceptContext: z.unknown().optional(),
  declineContext: z.unknown().optional(),
});

/** Content of a `application/vnd.microsoft.teams.card.file.info` attachment (TeamsAPI FileInfoCard). */
export const fileInfoCardSchema = z.looseObject({
  uniqueId: z.string().min(1),
  fileType: z.string(),
});

/** Formats the first issues of a failed parse as `path: message` pairs for an error message. */
export function describeIssues(error: z.ZodError, limit = 5): string {
  const parts = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length === 0 ? '(body)' : issue.path.join('.');
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > limit ? ` and ${error.issues.length - limit} more` : '';
  return `${parts.join('; ')}${more}`;
}
