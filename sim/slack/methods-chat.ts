// chat.* and reactions.* methods.

import { SlackApiError } from './errors.js';
import { renderMessageFile } from './file-views.js';
import { RateLimitedError, visibleConversation } from './handler.js';
import type { MethodContext, MethodHandler } from './handler.js';
import { TS_PATTERN } from './ids.js';
import type { Conversation, MessageMetadata, SimMessage } from './model.js';
import { renderMessage } from './render.js';
import { requireAnyScope } from './scopes.js';
import { MAX_TEXT_LENGTH } from './state.js';

/**
 * Resolves chat.postMessage's `channel`: a conversation id, a `#name`, or a user id, which
 * Slack maps to the app's im with that user.
 */
function resolvePostTarget(ctx: MethodContext, target: string): Conversation {
  if (/^[UW][A-Z0-9]+$/.test(target)) {
    const user = ctx.state.users.get(target);
    if (user === undefined || user.teamId !== ctx.app.teamId) {
      throw new SlackApiError('channel_not_found');
    }
    requireAnyScope(ctx.app, ['im:write']);
    return ctx.state.openIm(ctx.app.botUserId, target);
  }

  if (target.startsWith('#')) {
    const byName = ctx.state.channelByName(ctx.app.teamId, target.slice(1));
    return visibleConversation(ctx, byName?.id ?? '');
  }

  return visibleConversation(ctx, target);
}

/** A bot may post in a public channel it has not joined only with chat:write.public. */
function requirePostable(ctx: MethodContext, conversation: Conversation): void {
  const isMember = conversation.members.includes(ctx.app.botUserId);
  if (!isMember && !(conversation.type === 'public' && ctx.app.scopes.has('chat:write.public'))) {
    throw new SlackApiError('not_in_channel');
  }
}

function parseBlocks(ctx: MethodContext): unknown[] | undefined {
  const blocks = ctx.args.json('blocks', 'invalid_blocks_format');
  if (blocks === undefined) {
    return undefined;
  }
  if (!Array.isArray(blocks)) {
    throw new SlackApiError('invalid_blocks_format');
  }
  return blocks;
}

/** Parses `metadata` (`{event_type, event_payload}`, sent as a JSON string in form bodies). */
function parseMetadata(ctx: MethodContext): MessageMetadata | undefined {
  const metadata = ctx.args.json('metadata', 'invalid_metadata_format');
  if (metadata === undefined) {
    return undefined;
  }

  const record = metadata as Partial<MessageMetadata> | null;
  const isValid =
    typeof record === 'object' &&
    record !== null &&
    typeof record.event_type === 'string' &&
    typeof record.event_payload === 'object' &&
    record.event_payload !== null &&
    !Array.isArray(record.event_payload);
  if (!isValid) {
    throw new SlackApiError('invalid_metadata_schema');
  }
  return { event_type: record.event_type as string, event_payload: record.event_payload as Record<string, unknown> };
}

function renderForApi(ctx: MethodContext, message: SimMessage): Record<string, unknown> {
  const author = message.appId === undefined ? undefined : ctx.state.apps.get(message.appId);
  return renderMessage(message, {
    context: 'api',
    includeMetadata: true,
    renderFile: (fileId) => renderMessageFile(ctx.state, fileId),
    ...(author ? { author } : {}),
  });
}

function chatPostMessage(ctx: MethodContext): Record<string, unknown> {
  const target = ctx.args.string('channel');
  if (target === undefined) {
    throw new SlackApiError('channel_not_found');
  }
  const conversation = resolvePostTarget(ctx, target);
  requirePostable(ctx, conversation);

  const username = ctx.args.string('username');
  const iconUrl = ctx.args.string('icon_url');
  const iconEmoji = ctx.args.string('icon_emoji');
  if (username !== undefined || iconUrl !== undefined || iconEmoji !== undefined) {
    requireAnyScope(ctx.app, ['chat:write.customize']);
  }

  const blocks = parseBlocks(ctx);
  const text = ctx.args.string('text') ?? '';
  if (text === '' && blocks === undefined && !ctx.args.has('attachments')) {
    throw new SlackApiError('no_text');
  }
  const metadata = parseMetadata(ctx);

  // Slack replies to the thread's root when thread_ts names a reply.
  // NOTE: a thread_ts that matches no message is posted as a top-level message here; what
  // Slack does in that case is not documented.
  const threadArg = ctx.args.string('thread_ts');
  const parent = threadArg === undefined ? undefined : ctx.state.findMessage(conversation.id, threadArg);
  const root = parent?.threadTs === undefined ? parent : ctx.state.findMessage(conversation.id, parent.threadTs);

  const retryAfter = ctx.limiter.takeChannelPost(conversation.id);
  if (retryAfter !== undefined) {
    throw new RateLimitedError(retryAfter);
  }

  const message = ctx.state.appendMessage({
    channel: conversation.id,
    user: ctx.app.botUserId,
    team: ctx.app.teamId,
    botId: ctx.app.botId,
    appId: ctx.app.appId,
    text: text.slice(0, MAX_TEXT_LENGTH),
    ...(blocks !== undefined ? { blocks } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(iconUrl !== undefined ? { iconUrl } : {}),
    ...(iconEmoji !== undefined ? { iconEmoji } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(root !== undefined ? { threadTs: root.ts, parentUserId: root.user } : {}),
  });

  return { channel: conversation.id, ts: message.ts, message: renderForApi(ctx, message) };
}

function findOwnMessage(ctx: MethodContext, notOwnError: string): { conversation: Conversation; message: SimMessage } {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  const ts = ctx.args.string('ts') ?? '';
  const message = ctx.state.findMessage(conversation.id, ts);
  if (message === undefined) {
    throw new SlackApiError('message_not_found');
  }
  if (message.botId !== ctx.app.botId) {
    throw new SlackApiError(notOwnError);
  }
  return { conversation, message };
}

function chatUpdate(ctx: MethodContext): Record<string, unknown> {
  const { conversation, message } = findOwnMessage(ctx, 'cant_update_message');

  const blocks = parseBlocks(ctx);
  const text = ctx.args.string('text');
  if (text === undefined && blocks === undefined) {
    throw new SlackApiError('no_text');
  }
  if (text !== undefined && text.length > MAX_TEXT_LENGTH) {
    throw new SlackApiError('msg_too_long');
  }
  const metadata = parseMetadata(ctx);

  ctx.state.updateMessage(
    message,
    {
      ...(text !== undefined ? { text } : {}),
      ...(blocks !== undefined ? { blocks } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    },
    ctx.app.botUserId,
  );
  // Slack's chat.update response repeats ts at the top level only, not inside `message`.
  const { ts: _ts, ...rendered } = renderForApi(ctx, message);
  return { channel: conversation.id, ts: message.ts, text: message.text, message: rendered };
}

function chatDelete(ctx: MethodContext): Record<string, unknown> {
  const { conversation, message } = findOwnMessage(ctx, 'cant_delete_message');
  ctx.state.deleteMessage(message);
  return { channel: conversation.id, ts: message.ts };
}

function chatPostEphemeral(ctx: MethodContext): Record<string, unknown> {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  requirePostable(ctx, conversation);

  const user = ctx.args.string('user') ?? '';
  if (!conversation.members.includes(user)) {
    throw new SlackApiError('user_not_in_channel');
  }

  const blocks = parseBlocks(ctx);
  const text = ctx.args.string('text') ?? '';
  if (text === '' && blocks === undefined) {
    throw new SlackApiError('no_text');
  }
  if (text.length > MAX_TEXT_LENGTH) {
    throw new SlackApiError('msg_too_long');
  }

  const ts = ctx.state.clock.next();
  const threadTs = ctx.args.string('thread_ts');
  ctx.state.ephemerals.push({
    channel: conversation.id,
    user,
    ts,
    botId: ctx.app.botId,
    text,
    ...(threadTs !== undefined ? { threadTs } : {}),
  });
  return { message_ts: ts };
}

/**
 * Checks a reaction name: Slack takes the emoji name without surrounding colons, optionally
 * with a skin tone suffix such as `thumbsup::skin-tone-2`.
 */
function reactionName(ctx: MethodContext): string {
  const name = ctx.args.string('name') ?? '';
  if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) {
    throw new SlackApiError('invalid_name');
  }
  return name;
}

function reactionTarget(ctx: MethodContext): SimMessage {
  const channel = ctx.args.string('channel');
  const timestamp = ctx.args.string('timestamp');
  if (channel === undefined || timestamp === undefined) {
    throw new SlackApiError('no_item_specified');
  }
  if (!TS_PATTERN.test(timestamp)) {
    throw new SlackApiError('bad_timestamp');
  }

  const conversation = visibleConversation(ctx, channel);
  const message = ctx.state.findMessage(conversation.id, timestamp);
  if (message === undefined) {
    throw new SlackApiError('message_not_found');
  }
  return message;
}

function reactionsAdd(ctx: MethodContext): Record<string, unknown> {
  const message = reactionTarget(ctx);
  ctx.state.addReaction(message, ctx.app.botUserId, reactionName(ctx));
  return {};
}

function reactionsRemove(ctx: MethodContext): Record<string, unknown> {
  const message = reactionTarget(ctx);
  ctx.state.removeReaction(message, ctx.app.botUserId, reactionName(ctx));
  return {};
}

export const CHAT_METHODS: Record<string, MethodHandler> = {
  'chat.postMessage': chatPostMessage,
  'chat.update': chatUpdate,
  'chat.delete': chatDelete,
  'chat.postEphemeral': chatPostEphemeral,
  'reactions.add': reactionsAdd,
  'reactions.remove': reactionsRemove,
};
