import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from './errors.js';
import type { ApiContext } from './http.js';
import { type Fields, asFields, optionalString } from './input.js';
import {
  type CreatedMessage,
  type MessagePage,
  createMessage,
  deleteMessage,
  editMessage,
  listMessages,
  visibleMessage,
  visibleRoom,
} from './messages.js';
import { readMultipartMessage } from './uploads.js';
import { messageView } from './views.js';

/** Builds the RFC 5988 `Link: <url>; rel="next"` value for the page after `page`, if any. */
function nextLink(context: ApiContext, request: FastifyRequest, path: string, query: Fields, page: MessagePage): string | undefined {
  if (page.nextBeforeMessage === undefined) {
    return undefined;
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key !== 'before' && key !== 'beforeMessage' && typeof value === 'string') {
      params.set(key, value);
    }
  }
  params.set('beforeMessage', page.nextBeforeMessage);
  return `<${context.absoluteUrl(request, `${path}?${params.toString()}`)}>; rel="next"`;
}

export function registerMessageRoutes(app: FastifyInstance, context: ApiContext): void {
  const { state } = context;

  // A JSON or form body may give `files` as URLs; a multipart body carries the file itself.
  app.post('/v1/messages', { config: { acceptsMultipart: true } }, async (request) => {
    const caller = context.person(request);
    let created: CreatedMessage;
    if (request.isMultipart()) {
      const { fields, file } = await readMultipartMessage(request, context.maxFileBytes);
      const upload = file && { file, contentsUrl: context.absoluteUrl(request, '/v1/contents') };
      created = createMessage(state, caller, fields, upload);
    } else {
      created = createMessage(state, caller, asFields(request.body));
    }
    const { message, toPerson } = created;
    const view = messageView(state, message);
    if (toPerson) {
      view.toPersonId = toPerson.id;
      view.toPersonEmail = toPerson.email;
    }
    return view;
  });

  app.get('/v1/messages', async (request, reply) => {
    const caller = context.person(request);
    const query = request.query as Fields;
    const roomId = optionalString(query, 'roomId');
    if (!roomId) {
      throw badRequest('Listing messages needs roomId as a query parameter; use /messages/direct for 1:1 rooms by person.');
    }
    const room = visibleRoom(state, caller, roomId);
    const page = listMessages(state, caller, room, query);
    const link = nextLink(context, request, '/v1/messages', query, page);
    if (link) {
      void reply.header('link', link);
    }
    return { items: page.items.map((m) => messageView(state, m)) };
  });

  app.get('/v1/messages/direct', async (request, reply) => {
    const caller = context.person(request);
    const query = request.query as Fields;
    const personId = optionalString(query, 'personId');
    const personEmail = optionalString(query, 'personEmail');
    const other = personId ? state.people.get(personId) : personEmail ? state.personByEmail(personEmail) : undefined;
    if (!personId && !personEmail) {
      throw badRequest('Listing direct messages needs personId or personEmail as a query parameter.');
    }

    const room = other ? state.directRoomBetween(caller.id, other.id) : undefined;
    if (!room) {
      return { items: [] };
    }
    const page = listMessages(state, caller, room, query);
    const link = nextLink(context, request, '/v1/messages/direct', query, page);
    if (link) {
      void reply.header('link', link);
    }
    return { items: page.items.map((m) => messageView(state, m)) };
  });

  app.get<{ Params: { messageId: string } }>('/v1/messages/:messageId', async (request) => {
    const caller = context.person(request);
    return messageView(state, visibleMessage(state, caller, request.params.messageId));
  });

  app.put<{ Params: { messageId: string } }>('/v1/messages/:messageId', async (request) => {
    const caller = context.person(request);
    const message = editMessage(state, caller, request.params.messageId, asFields(request.body));
    return messageView(state, message);
  });

  app.delete<{ Params: { messageId: string } }>('/v1/messages/:messageId', async (request, reply) => {
    const caller = context.person(request);
    deleteMessage(state, caller, request.params.messageId);
    return reply.code(204).send();
  });
}
