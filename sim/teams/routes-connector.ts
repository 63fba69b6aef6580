// The Connector routes a Teams bot calls, under each service path (`/amer/v3/...`). Every
// request passes, in order: the access token check (401), injected faults, and the rate limit
// of its operation group (429 with Retry-After).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkActivitySize, deleteActivity, parseActivity, postActivity, requireConversation, updateActivity } from './bot-activities.js';
import { createConversation } from './conversations.js';
import type { SimContext } from './context.js';
import { ConnectorError, UNAUTHORIZED_BODY, badArgument } from './errors.js';
import type { ConnectorOperation } from './faults.js';
import type { TeamsApp } from './http.js';
import type { RateGroup } from './ratelimit.js';
import { memberView } from './views.js';

/** Largest page the pagedmembers route returns. NOTE: an estimate of the Teams maximum. */
const MAX_PAGE_SIZE = 500;

type ConversationParams = { conversationId: string };
type ActivityParams = ConversationParams & { activityId: string };
type MemberParams = ConversationParams & { memberId: string };

const RATE_GROUPS: Record<ConnectorOperation, RateGroup | undefined> = {
  createConversation: 'create',
  sendToConversation: 'write',
  replyToActivity: 'write',
  updateActivity: 'write',
  deleteActivity: 'write',
  getConversationMembers: 'read',
  getConversationPagedMembers: 'read',
  getConversationMember: 'read',
  getToken: undefined,
};

/** Builds the limiter key: per bot and conversation, except that all conversation creations of a bot share one budget. */
function rateKey(context: SimContext, group: RateGroup, request: FastifyRequest): string {
  const params = request.params as Partial<ConversationParams>;
  const thread = group === 'create' ? 'new-conversation' : (params.conversationId ?? '');
  return `${context.directory.bot.appId}|${group}|${thread}`;
}

function encodeContinuation(offset: number): string {
  return Buffer.from(`members:${offset}`, 'utf8').toString('base64url');
}

function decodeContinuation(token: string): number {
  const match = /^members:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) {
    throw badArgument(`Invalid continuationToken ${token}; pass the token of the previous page unchanged.`);
  }
  return Number(match[1]);
}

function parsePageSize(value: string | undefined): number {
  if (value === undefined || value === '') {
    return MAX_PAGE_SIZE;
  }
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1) {
    throw badArgument(`Invalid pageSize ${value}: expected a whole number of at least 1.`);
  }
  return Math.min(size, MAX_PAGE_SIZE);
}

export function registerConnectorRoutes(parent: FastifyInstance, context: SimContext, http: TeamsApp, prefix: string): void {
  void parent.register(
    async (app) => {
      app.addHook('onRequest', async (request, reply) => {
        if (!(await context.tokens.verifyAuthorization(request.headers.authorization))) {
          return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
        }
        const operation = request.routeOptions.config.connectorOperation;
        if (operation === undefined) {
          return undefined;
        }
        if (context.faults.take(operation) === 'lose-response') {
          http.loseResponse(request);
        }
        const group = RATE_GROUPS[operation];
        const retryAfter = group === undefined ? undefined : context.limiter.take(rateKey(context, group, request));
        if (retryAfter !== undefined) {
          throw new ConnectorError(429, 'TooManyRequests', `Too many requests for this bot in this conversation. Retry after ${retryAfter} s.`, {
            retryAfter,
          });
        }
        return undefined;
      });

      app.post('/v3/conversations', { config: { connectorOperation: 'createConversation' } }, async (request, reply) => {
        checkActivitySize(context, http.bodyBytes(request));
        return reply.code(201).send(createConversation(context, request.body));
      });

      app.post<{ Params: ConversationParams }>(
        '/v3/conversations/:conversationId/activities',
        { config: { connectorOperation: 'sendToConversation' } },
        async (request, reply) => {
          checkActivitySize(context, http.bodyBytes(request));
          const conversation = requireConversation(context, request.params.conversationId);
          return reply.code(201).send(postActivity(context, conversation, parseActivity(request.body)));
        },
      );

      app.post<{ Params: ActivityParams }>(
        '/v3/conversations/:conversationId/activities/:activityId',
        { config: { connectorOperation: 'replyToActivity' } },
        async (request, reply) => {
          checkActivitySize(context, http.bodyBytes(request));
          const conversation = requireConversation(context, request.params.conversationId);
          return reply.code(201).send(postActivity(context, conversation, parseActivity(request.body), request.params.activityId));
        },
      );

      app.put<{ Params: ActivityParams }>(
        '/v3/conversations/:conversationId/activities/:activityId',
        { config: { connectorOperation: 'updateActivity' } },
        async (request) => {
          checkActivitySize(context, http.bodyBytes(request));
          const conversation = requireConversation(context, request.params.conversationId);
          return updateActivity(context, conversation, request.params.activityId, parseActivity(request.body));
        },
      );

      app.delete<{ Params: ActivityParams }>(
        '/v3/conversations/:conversationId/activities/:activityId',
        { config: { connectorOperation: 'deleteActivity' } },
        async (request, reply) => {
          const conversation = requireConversation(context, request.params.conversationId);
          deleteActivity(conversation, request.params.activityId);
          return reply.code(200).send();
        },
      );

      app.get<{ Params: ConversationParams }>(
        '/v3/conversations/:conversationId/members',
        { config: { connectorOperation: 'getConversationMembers' } },
        async (request) => {
          const conversation = requireConversation(context, request.params.conversationId);
          return [memberView(context.directory.requireUser(conversation.userId))];
        },
      );

      app.get<{ Params: ConversationParams; Querystring: { pageSize?: string; continuationToken?: string } }>(
        '/v3/conversations/:conversationId/pagedmembers',
        { config: { connectorOperation: 'getConversationPagedMembers' } },
        async (request) => {
          const conversation = requireConversation(context, request.params.conversationId);
          const pageSize = parsePageSize(request.query.pageSize);
          const token = request.query.continuationToken;
          const offset = token === undefined || token === '' ? 0 : decodeContinuation(token);

          // A personal conversation lists one member, the user; the bot is not listed.
          const members = [memberView(context.directory.requireUser(conversation.userId))];
          const page = members.slice(offset, offset + pageSize);
          const next = offset + pageSize < members.length ? { continuationToken: encodeContinuation(offset + pageSize) } : {};
          return { ...next, members: page };
        },
      );

      app.get<{ Params: MemberParams }>(
        '/v3/conversations/:conversationId/members/:memberId',
        { config: { connectorOperation: 'getConversationMember' } },
        async (request) => {
          const conversation = requireConversation(context, request.params.conversationId);
          const user = context.directory.requireUser(conversation.userId);
          const { memberId } = request.params;
          if (memberId !== user.id && memberId !== user.aadObjectId) {
            throw new ConnectorError(404, 'MemberNotFoundInConversation', `Member ${memberId} was not found in the conversation.`);
          }
          return memberView(user);
        },
      );
    },
    { prefix: `/${prefix}` },
  );
}
