// Routes of the simulator's own web console. They need no bearer token because they are the
// simulator's UI, not part of the Webex API; the server listens on loopback by default.
import type { FastifyInstance } from 'fastify';
import { visibleContent } from './contents.js';
import { badRequest, notFound } from './errors.js';
import { consolePage } from './console-page.js';
import type { ApiContext } from './http.js';
import { type Fields, asFields, requiredString } from './input.js';
import { createMessage, deleteMessage, editMessage, visibleRoom } from './messages.js';
import { replyWithContent } from './routes-contents.js';
import type { ContentRecord, MessageRecord, PersonRecord, PersonStatus, WebexState } from './state.js';
import { readMultipartMessage } from './uploads.js';
import { roomView } from './views.js';

const CONSOLE_MESSAGE_LIMIT = 200;

const statuses: PersonStatus[] = ['active', 'inactive', 'DoNotDisturb', 'meeting', 'call', 'presenting', 'OutOfOffice'];

function personFrom(state: WebexState, fields: Fields): PersonRecord {
  const personId = requiredString(fields, 'personId');
  const person = state.people.get(personId);
  if (!person) {
    throw notFound(`No person found with id ${personId}.`);
  }
  return person;
}

/**
 * Builds the fields of a message that a user typed into the console. Text with markdown
 * marks goes as markdown, as a Webex client sends formatted text.
 */
function typedMessage(fields: Fields): Fields {
  const text = typeof fields.text === 'string' ? fields.text : '';
  const formatted = /\*\*|__|~~|`|^> /m.test(text);
  return {
    roomId: fields.roomId || undefined,
    toPersonEmail: fields.toPersonEmail || undefined,
    parentId: fields.parentId || undefined,
    ...(formatted ? { markdown: text } : { text }),
  };
}

function checkRecipient(fields: Fields): void {
  if (!fields.roomId && !fields.toPersonEmail) {
    throw badRequest('Pick a room or give an email address to send to.');
  }
}

/** Lists a message's files with a link the console can open: its own download route for uploads. */
function consoleFiles(contentsByUrl: Map<string, ContentRecord>, message: MessageRecord, personId: string): { name: string; url: string }[] {
  return message.files.map((url) => {
    const content = contentsByUrl.get(url);
    if (!content) {
      return { name: url, url };
    }
    const query = new URLSearchParams({ personId, contentId: content.id });
    return { name: content.name, url: `/console/api/content?${query.toString()}` };
  });
}

export function registerConsoleRoutes(app: FastifyInstance, context: ApiContext): void {
  const { state } = context;

  app.get('/console', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').send(consolePage);
  });

  app.get('/console/api/users', async () => {
    return [...state.people.values()].map((p) => ({
      id: p.id,
      displayName: p.displayName,
      email: p.email,
      type: p.type,
      status: p.status,
      org: state.orgs.get(p.orgId)?.domain,
    }));
  });

  app.get('/console/api/rooms', async (request) => {
    const person = personFrom(state, request.query as Fields);
    return state
      .roomsOf(person.id)
      .sort((a, b) => b.lastActivity.localeCompare(a.lastActivity))
      .map((room) => {
        const view = roomView(state, room, person.id);
        return { id: room.id, title: view.title, type: room.type, lastActivity: room.lastActivity };
      });
  });

  app.get('/console/api/messages', async (request) => {
    const query = request.query as Fields;
    const person = personFrom(state, query);
    const room = visibleRoom(state, person, requiredString(query, 'roomId'));
    const contentsByUrl = new Map([...state.contents.values()].map((c) => [c.url, c]));
    return state
      .messagesOfRoom(room.id)
      .slice(-CONSOLE_MESSAGE_LIMIT)
      .map((m) => ({
        id: m.id,
        personId: m.personId,
        author: state.people.get(m.personId)?.displayName ?? m.personId,
        // The markdown source when the message has one, so formatting that crossed is visible.
        text: m.markdown ?? m.text ?? '',
        files: consoleFiles(contentsByUrl, m, person.id),
        created: m.created,
        updated: m.updated,
        parentId: m.parentId,
      }));
  });

  app.post('/console/api/send', async (request) => {
    const fields = asFields(request.body);
    const person = personFrom(state, fields);
    checkRecipient(fields);
    const { message } = createMessage(state, person, typedMessage(fields));
    return { id: message.id, roomId: message.roomId };
  });

  // A multipart form with personId, roomId or toPersonEmail, optional text, and the file in `files`.
  app.post('/console/api/send-file', { config: { acceptsMultipart: true } }, async (request) => {
    if (!request.isMultipart()) {
      throw badRequest('Send the file as multipart/form-data with the file in the field files.');
    }
    const { fields, file } = await readMultipartMessage(request, context.maxFileBytes);
    const person = personFrom(state, fields);
    checkRecipient(fields);
    if (!file) {
      throw badRequest('Pick a file to send.');
    }
    const message = typedMessage(fields);
    if (message.text === '') {
      // A file sent without a caption has no text, as in a Webex client.
      delete message.text;
    }
    const upload = { file, contentsUrl: context.absoluteUrl(request, '/v1/contents') };
    const { message: sent } = createMessage(state, person, message, upload);
    return { id: sent.id, roomId: sent.roomId };
  });

  // Downloads a file as a user, with the same membership and malware scan checks as the API.
  app.get('/console/api/content', async (request, reply) => {
    const query = request.query as Fields;
    const person = personFrom(state, query);
    const content = visibleContent(state, person, requiredString(query, 'contentId'));
    return replyWithContent(request, reply, content);
  });

  app.post('/console/api/edit', async (request) => {
    const fields = asFields(request.body);
    const person = personFrom(state, fields);
    const message = editMessage(state, person, requiredString(fields, 'messageId'), { roomId: fields.roomId, text: fields.text });
    return { id: message.id };
  });

  app.post('/console/api/delete', async (request) => {
    const fields = asFields(request.body);
    deleteMessage(state, personFrom(state, fields), requiredString(fields, 'messageId'));
    return {};
  });

  app.post('/console/api/status', async (request) => {
    const fields = asFields(request.body);
    const person = personFrom(state, fields);
    const status = requiredString(fields, 'status') as PersonStatus;
    if (!statuses.includes(status)) throw badRequest(`Unknown status ${status}; use one of ${statuses.join(', ')}.`);
    person.status = status;
    return { status };
  });
}
