// Routes of the simulator's own web console. They need no bearer token because they are the
// simulator's UI, not part of the Webex API; the server listens on loopback by default.
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from './errors.js';
import { consolePage } from './console-page.js';
import { type Fields, asFields, requiredString } from './input.js';
import { createMessage, deleteMessage, editMessage, visibleRoom } from './messages.js';
import type { PersonRecord, PersonStatus, WebexState } from './state.js';
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

export function registerConsoleRoutes(app: FastifyInstance, state: WebexState): void {
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
    return state
      .messagesOfRoom(room.id)
      .slice(-CONSOLE_MESSAGE_LIMIT)
      .map((m) => ({
        id: m.id,
        personId: m.personId,
        author: state.people.get(m.personId)?.displayName ?? m.personId,
        // The markdown source when the message has one, so formatting that crossed is visible.
        text: m.markdown ?? m.text ?? m.files.join(' '),
        created: m.created,
        updated: m.updated,
        parentId: m.parentId,
      }));
  });

  app.post('/console/api/send', async (request) => {
    const fields = asFields(request.body);
    const person = personFrom(state, fields);
    if (!fields.roomId && !fields.toPersonEmail) {
      throw badRequest('Pick a room or give an email address to send to.');
    }
    // Text with markdown marks goes as markdown, as a Webex client sends formatted text.
    const text = typeof fields.text === 'string' ? fields.text : '';
    const formatted = /\*\*|__|~~|`|^> /m.test(text);
    const { message } = createMessage(state, person, {
      roomId: fields.roomId,
      toPersonEmail: fields.toPersonEmail,
      parentId: fields.parentId || undefined,
      ...(formatted ? { markdown: text } : { text }),
    });
    return { id: message.id, roomId: message.roomId };
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
