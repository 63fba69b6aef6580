// conversations.* methods.

import { decodeCursor, encodeCursor, splitIds } from './args.js';
import { SlackApiError } from './errors.js';
import { renderMessageFile } from './file-views.js';
import { requireBotMember, visibleConversation } from './handler.js';
import type { MethodContext, MethodHandler } from './handler.js';
import { tsToMicros } from './ids.js';
import type { Conversation } from './model.js';
import { renderConversation, renderMessage } from './render.js';
import { requireScopeForType } from './scopes.js';

/** Slack caps a group im at 8 people besides the caller (conversations.open reference). */
const MAX_MPIM_USERS = 8;

function requireTeamUser(ctx: MethodContext, userId: string): void {
  const user = ctx.state.users.get(userId);
  if (user === undefined || user.teamId !== ctx.app.teamId) {
    throw new SlackApiError('user_not_found');
  }
}

function conversationsOpen(ctx: MethodContext): Record<string, unknown> {
  const returnIm = ctx.args.bool('return_im');
  const channelId = ctx.args.string('channel');
  if (channelId !== undefined) {
    const conversation = visibleConversation(ctx, channelId);
    return { no_op: true, already_open: true, channel: openedChannel(ctx, conversation, returnIm) };
  }

  const usersArg = ctx.args.string('users');
  if (usersArg === undefined) {
    throw new SlackApiError('users_list_not_supplied');
  }
  const others = splitIds(usersArg).filter((id) => id !== ctx.app.botUserId);
  if (others.length === 0) {
    throw new SlackApiError('not_enough_users');
  }
  if (others.length > MAX_MPIM_USERS) {
    throw new SlackApiError('too_many_users');
  }
  for (const userId of others) {
    requireTeamUser(ctx, userId);
  }

  const type = others.length === 1 ? 'im' : 'mpim';
  requireScopeForType(ctx.app, ctx.method, type);

  const before = ctx.state.conversations.size;
  const conversation =
    type === 'im'
      ? ctx.state.openIm(ctx.app.botUserId, others[0] ?? '')
      : ctx.state.openMpim([ctx.app.botUserId, ...others]);
  const existed = ctx.state.conversations.size === before;

  return {
    ...(existed ? { no_op: true, already_open: true } : {}),
    channel: openedChannel(ctx, conversation, returnIm),
  };
}

/** conversations.open returns only the id unless `return_im` is set. */
function openedChannel(ctx: MethodContext, conversation: Conversation, full: boolean): Record<string, unknown> {
  return full ? renderConversation(conversation, ctx.app.botUserId) : { id: conversation.id };
}

function conversationsCreate(ctx: MethodContext): Record<string, unknown> {
  const name = ctx.args.string('name') ?? '';
  const isPrivate = ctx.args.bool('is_private');
  requireScopeForType(ctx.app, ctx.method, isPrivate ? 'private' : 'public');

  const conversation = ctx.state.createChannel(ctx.app.teamId, name, isPrivate, ctx.app.botUserId);
  return { channel: renderConversation(conversation, ctx.app.botUserId, { numMembers: true }) };
}

function requireChannelType(conversation: Conversation): void {
  if (conversation.type === 'im' || conversation.type === 'mpim') {
    throw new SlackApiError('method_not_supported_for_channel_type');
  }
}

function conversationsInvite(ctx: MethodContext): Record<string, unknown> {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  requireChannelType(conversation);
  requireBotMember(ctx, conversation);

  const userIds = splitIds(ctx.args.string('users') ?? '');
  if (userIds.length === 0) {
    throw new SlackApiError('no_user');
  }
  for (const userId of userIds) {
    if (userId === ctx.app.botUserId) {
      throw new SlackApiError('cant_invite_self');
    }
    requireTeamUser(ctx, userId);
    if (conversation.members.includes(userId)) {
      throw new SlackApiError('already_in_channel');
    }
  }

  for (const userId of userIds) {
    ctx.state.join(conversation, userId);
  }
  return { channel: renderConversation(conversation, ctx.app.botUserId) };
}

function conversationsKick(ctx: MethodContext): Record<string, unknown> {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  requireChannelType(conversation);
  requireBotMember(ctx, conversation);

  const userId = ctx.args.string('user') ?? '';
  if (userId === ctx.app.botUserId) {
    throw new SlackApiError('cant_kick_self');
  }
  requireTeamUser(ctx, userId);
  if (!conversation.members.includes(userId)) {
    throw new SlackApiError('not_in_channel');
  }

  ctx.state.leave(conversation, userId);
  return {};
}

function conversationsInfo(ctx: MethodContext): Record<string, unknown> {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  const numMembers = ctx.args.bool('include_num_members');
  return { channel: renderConversation(conversation, ctx.app.botUserId, { numMembers }) };
}

/** Pages members by `limit` (default 100, at most 1000 as documented) and `cursor`. */
function conversationsMembers(ctx: MethodContext): Record<string, unknown> {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  const limit = ctx.args.int('limit') ?? 100;
  if (limit < 1 || limit > 1000) {
    throw new SlackApiError('invalid_limit');
  }

  const cursor = ctx.args.string('cursor');
  const start = cursor === undefined ? 0 : Number(decodeCursor('member', cursor));
  if (!Number.isInteger(start) || start < 0 || start > conversation.members.length) {
    throw new SlackApiError('invalid_cursor');
  }

  const end = Math.min(conversation.members.length, start + limit);
  return {
    members: conversation.members.slice(start, end),
    response_metadata: { next_cursor: end < conversation.members.length ? encodeCursor('member', end) : '' },
  };
}

function parseBound(ctx: MethodContext, name: 'oldest' | 'latest'): number | undefined {
  const raw = ctx.args.string(name);
  if (raw === undefined) {
    return undefined;
  }
  const micros = tsToMicros(raw);
  if (micros === undefined) {
    throw new SlackApiError(name === 'oldest' ? 'invalid_ts_oldest' : 'invalid_ts_latest');
  }
  return micros;
}

/**
 * Returns top-level messages newest first, as Slack does (thread replies are only in
 * conversations.replies). The cursor stores the ts where the next page starts, so messages
 * posted between two calls do not shift the pages.
 */
function conversationsHistory(ctx: MethodContext): Record<string, unknown> {
  const conversation = visibleConversation(ctx, ctx.args.string('channel') ?? '');
  requireBotMember(ctx, conversation);

  const limit = Math.min(Math.max(ctx.args.int('limit') ?? 100, 1), 999);
  const inclusive = ctx.args.bool('inclusive');
  const oldest = parseBound(ctx, 'oldest');
  const latest = parseBound(ctx, 'latest');
  const cursor = ctx.args.string('cursor');
  const startAt = cursor === undefined ? undefined : tsToMicros(decodeCursor('ts', cursor));
  if (cursor !== undefined && startAt === undefined) {
    throw new SlackApiError('invalid_cursor');
  }

  const matching = ctx.state
    .messagesOf(conversation.id)
    .filter((message) => message.threadTs === undefined || message.threadTs === message.ts)
    .filter((message) => {
      const ts = tsToMicros(message.ts) ?? 0;
      const afterOldest = oldest === undefined || (inclusive ? ts >= oldest : ts > oldest);
      const beforeLatest = latest === undefined || (inclusive ? ts <= latest : ts < latest);
      const inPage = startAt === undefined || ts <= startAt;
      return afterOldest && beforeLatest && inPage;
    })
    .reverse();

  const page = matching.slice(0, limit);
  const next = matching[limit];
  const includeMetadata = ctx.args.bool('include_all_metadata');
  const messages = page.map((message) => {
    const author = message.appId === undefined ? undefined : ctx.state.apps.get(message.appId);
    return renderMessage(message, {
      context: 'api',
      includeMetadata,
      renderFile: (fileId) => renderMessageFile(ctx.state, fileId),
      ...(author ? { author } : {}),
    });
  });

  return {
    messages,
    has_more: next !== undefined,
    pin_count: 0,
    response_metadata: { next_cursor: next === undefined ? '' : encodeCursor('ts', next.ts) },
  };
}

export const CONVERSATION_METHODS: Record<string, MethodHandler> = {
  'conversations.open': conversationsOpen,
  'conversations.create': conversationsCreate,
  'conversations.invite': conversationsInvite,
  'conversations.kick': conversationsKick,
  'conversations.info': conversationsInfo,
  'conversations.members': conversationsMembers,
  'conversations.history': conversationsHistory,
};
