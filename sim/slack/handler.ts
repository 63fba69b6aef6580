// The contract between the Web API server and the method implementations.

import type { MethodArgs } from './args.js';
import { SlackApiError } from './errors.js';
import type { Conversation, InstalledApp } from './model.js';
import type { RateLimiter } from './ratelimit.js';
import { requireScopeForType } from './scopes.js';
import type { SlackState } from './state.js';

export interface MethodContext {
  /** The app whose bot token authenticated the call. */
  app: InstalledApp;
  args: MethodArgs;
  state: SlackState;
  limiter: RateLimiter;
  method: string;
}

/** Returns the success body without `ok`; throws SlackApiError or RateLimitedError on failure. */
export type MethodHandler = (ctx: MethodContext) => Record<string, unknown>;

/** A call over a rate limit; the server answers HTTP 429 with this Retry-After. */
export class RateLimitedError extends Error {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(`Rate limited; retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Finds a conversation the app's bot can see and applies the method's per-type scope rule.
 * Public channels are visible to every app in the workspace; private channels, ims and group
 * ims only to members, so Slack answers `channel_not_found` for the others.
 */
export function visibleConversation(ctx: MethodContext, channelId: string): Conversation {
  const conversation = ctx.state.conversations.get(channelId);
  const isVisible =
    conversation !== undefined &&
    conversation.teamId === ctx.app.teamId &&
    (conversation.type === 'public' || conversation.members.includes(ctx.app.botUserId));
  if (!isVisible) {
    throw new SlackApiError('channel_not_found');
  }

  requireScopeForType(ctx.app, ctx.method, conversation.type);
  return conversation;
}

/** Throws `not_in_channel` unless the app's bot is a member. */
export function requireBotMember(ctx: MethodContext, conversation: Conversation): void {
  if (!conversation.members.includes(ctx.app.botUserId)) {
    throw new SlackApiError('not_in_channel');
  }
}
