import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkDownloadable, contentHeaders, visibleContent } from './contents.js';
import type { ApiContext } from './http.js';
import { type Fields, optionalString } from './input.js';
import type { ContentRecord } from './state.js';

/**
 * Sends a stored file, or only its headers for HEAD, after the scan check. A file still
 * being scanned, infected or unscannable gets 423, 410 or 428 instead.
 */
export function replyWithContent(request: FastifyRequest, reply: FastifyReply, content: ContentRecord): FastifyReply {
  const allowUnscannable = optionalString(request.query as Fields, 'allow') === 'unscannable';
  checkDownloadable(content, allowUnscannable);
  void reply.headers(contentHeaders(content));
  return reply.send(request.method === 'HEAD' ? undefined : content.bytes);
}

export function registerContentRoutes(app: FastifyInstance, context: ApiContext): void {
  const { state } = context;

  app.route<{ Params: { contentId: string } }>({
    method: ['GET', 'HEAD'],
    url: '/v1/contents/:contentId',
    handler: async (request, reply) => {
      const caller = context.person(request);
      const content = visibleContent(state, caller, request.params.contentId);
      return replyWithContent(request, reply, content);
    },
  });
}
