// Routes of the simulator's web console: pick a user, read their 1:1 chat with the bot, send
// a message, install the bot, accept or decline file consent cards. They need no token because
// they are the simulator's own UI, and the server listens on 127.0.0.1 by default.
import type { FastifyInstance } from 'fastify';
import { FILE_CONSENT_CARD } from './bot-activities.js';
import { consolePage } from './console-page.js';
import type { SimContext } from './context.js';
import { ConnectorError, badArgument } from './errors.js';
import type { StoredActivity } from './state.js';
import { respondToFileConsent, installApp, sendMessage } from './user-actions.js';

/** Messages the console shows per conversation, newest last. */
const CONSOLE_MESSAGE_LIMIT = 200;

function field(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string' || value === '') {
    throw badArgument(`The field ${name} is missing.`);
  }
  return value;
}

/** Runs a user action and turns its Error (a mistake of the console user) into a 400. */
async function asUser<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ConnectorError || !(error instanceof Error)) {
      throw error;
    }
    throw new ConnectorError(400, 'BadArgument', error.message, { cause: error });
  }
}

function consoleMessage(context: SimContext, activity: StoredActivity): Record<string, unknown> {
  const author = activity.role === 'bot' ? context.directory.bot.name : (context.directory.users.get(activity.fromId)?.name ?? activity.fromId);
  const consent = activity.attachments.find((a) => a.contentType === FILE_CONSENT_CARD);
  return {
    id: activity.id,
    role: activity.role,
    author,
    text: activity.deletedAt === undefined ? (activity.text ?? '') : '',
    textFormat: activity.textFormat ?? null,
    attachments: activity.attachments.map((a) => ({ contentType: a.contentType, name: a.name ?? null })),
    fileConsent: consent === undefined ? null : { name: consent.name ?? null, answer: activity.fileConsentAction ?? null },
    edited: activity.updatedAt !== undefined,
    deleted: activity.deletedAt !== undefined,
    replyToId: activity.replyToId ?? null,
    reactions: activity.reactions.map((r) => r.type),
    timestamp: activity.timestamp,
  };
}

export function registerConsoleRoutes(app: FastifyInstance, context: SimContext): void {
  app.get('/console', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(consolePage));

  app.get('/console/api/users', async () => {
    return [...context.directory.users.values()].map((user) => {
      const conversation = context.state.conversationOfUser(user.id);
      return {
        id: user.id,
        name: user.name,
        email: user.email,
        jobTitle: user.jobTitle ?? null,
        tenant: context.directory.tenants.get(user.tenantId)?.domain ?? user.tenantId,
        installed: conversation?.botInstalled === true,
      };
    });
  });

  app.get<{ Querystring: { userId?: string } }>('/console/api/messages', async (request) => {
    const user = context.directory.findUser(request.query.userId ?? '');
    if (user === undefined) {
      throw new ConnectorError(404, 'NotFound', `User ${request.query.userId ?? ''} not found.`);
    }
    const conversation = context.state.conversationOfUser(user.id);
    const activities = conversation?.activities.slice(-CONSOLE_MESSAGE_LIMIT) ?? [];
    return {
      botName: context.directory.bot.name,
      installed: conversation?.botInstalled === true,
      messages: activities.map((activity) => consoleMessage(context, activity)),
    };
  });

  app.post('/console/api/send', async (request) => {
    const userId = field(request.body, 'userId');
    const text = field(request.body, 'text');
    return { id: await asUser(() => sendMessage(context, userId, text)) };
  });

  app.post('/console/api/install', async (request) => {
    const userId = field(request.body, 'userId');
    return { id: await asUser(() => installApp(context, userId)) };
  });

  app.post('/console/api/file-consent', async (request) => {
    const userId = field(request.body, 'userId');
    const activityId = field(request.body, 'activityId');
    const action = field(request.body, 'action');
    if (action !== 'accept' && action !== 'decline') {
      throw badArgument(`Unknown action ${action}; use accept or decline.`);
    }
    const result = await asUser(() => respondToFileConsent(context, userId, activityId, action));
    return { outcome: result.outcome, status: result.status ?? null };
  });
}
