// auth.test, bots.info and the users.* methods.

import { decodeCursor, encodeCursor } from './args.js';
import { SlackApiError } from './errors.js';
import type { MethodContext, MethodHandler } from './handler.js';
import { renderProfile, renderUser, workspaceUrl } from './render.js';

function canReadEmail(ctx: MethodContext): boolean {
  return ctx.app.scopes.has('users:read.email');
}

function authTest(ctx: MethodContext): Record<string, unknown> {
  const workspace = ctx.state.requireWorkspace(ctx.app.teamId);
  const botUser = ctx.state.requireUser(ctx.app.botUserId);
  return {
    url: workspaceUrl(workspace),
    team: workspace.name,
    user: botUser.name,
    team_id: workspace.id,
    user_id: botUser.id,
    bot_id: ctx.app.botId,
    is_enterprise_install: false,
  };
}

function botsInfo(ctx: MethodContext): Record<string, unknown> {
  const botId = ctx.args.string('bot');
  if (botId === undefined) {
    throw new SlackApiError('missing_argument');
  }

  const app = ctx.state.appByBotId(botId);
  if (app === undefined || app.teamId !== ctx.app.teamId) {
    throw new SlackApiError('bot_not_found');
  }

  return {
    bot: {
      id: app.botId,
      deleted: false,
      name: app.name,
      updated: 1_700_000_000,
      app_id: app.appId,
      user_id: app.botUserId,
      icons: {
        image_36: 'https://a.slack-edge.example/bot-36.png',
        image_48: 'https://a.slack-edge.example/bot-48.png',
        image_72: 'https://a.slack-edge.example/bot-72.png',
      },
    },
  };
}

/** For another user Slack reports only `presence`, active or away (users.getPresence). */
function usersGetPresence(ctx: MethodContext): Record<string, unknown> {
  const user = findTeamUser(ctx, ctx.args.string('user') ?? ctx.app.botUserId);
  return { presence: user.isBot ? 'active' : (user.presence ?? 'active') };
}

function findTeamUser(ctx: MethodContext, userId: string | undefined) {
  const user = userId === undefined ? undefined : ctx.state.users.get(userId);
  if (user === undefined || user.teamId !== ctx.app.teamId) {
    throw new SlackApiError('user_not_found');
  }
  return user;
}

function usersInfo(ctx: MethodContext): Record<string, unknown> {
  const user = findTeamUser(ctx, ctx.args.string('user'));
  const botApp = user.appId === undefined ? undefined : ctx.state.apps.get(user.appId);
  return { user: renderUser(user, canReadEmail(ctx), botApp) };
}

function usersLookupByEmail(ctx: MethodContext): Record<string, unknown> {
  const email = ctx.args.string('email');
  const user = email === undefined ? undefined : ctx.state.userByEmail(ctx.app.teamId, email);
  if (user === undefined) {
    throw new SlackApiError('users_not_found');
  }
  return { user: renderUser(user, true) };
}

/** Pages with `limit` and `cursor`; without `limit` Slack returns every member in one page. */
function usersList(ctx: MethodContext): Record<string, unknown> {
  const users = ctx.state.usersOf(ctx.app.teamId);
  const cursor = ctx.args.string('cursor');
  const start = cursor === undefined ? 0 : Number(decodeCursor('user', cursor));
  if (!Number.isInteger(start) || start < 0 || start > users.length) {
    throw new SlackApiError('invalid_cursor');
  }

  const limit = ctx.args.int('limit') ?? 0;
  const end = limit > 0 ? Math.min(users.length, start + limit) : users.length;
  const page = users.slice(start, end);
  const members = page.map((user) => {
    const botApp = user.appId === undefined ? undefined : ctx.state.apps.get(user.appId);
    return renderUser(user, canReadEmail(ctx), botApp);
  });

  return {
    members,
    cache_ts: Math.floor(Date.now() / 1000),
    response_metadata: { next_cursor: end < users.length ? encodeCursor('user', end) : '' },
  };
}

/** Without `user`, Slack returns the calling token's own profile (here the bot user's). */
function usersProfileGet(ctx: MethodContext): Record<string, unknown> {
  const user = findTeamUser(ctx, ctx.args.string('user') ?? ctx.app.botUserId);
  const botApp = user.appId === undefined ? undefined : ctx.state.apps.get(user.appId);
  return { profile: renderProfile(user, canReadEmail(ctx), botApp, false) };
}

export const USER_METHODS: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'bots.info': botsInfo,
  'users.info': usersInfo,
  'users.getPresence': usersGetPresence,
  'users.lookupByEmail': usersLookupByEmail,
  'users.list': usersList,
  'users.profile.get': usersProfileGet,
};
