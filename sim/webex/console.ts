// Routes of the simulator's own web console. They need no bearer token because they are the
// simulator's UI, not part of the Webex API; the server listens on loopback by default.
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from './errors.js';
import { consolePage } from './console-page.js';
import { type Fields, asFields, requiredString } from './input.js';
import { createMessage, visibleRoom } from './messages.js';
import type { PersonRecord, WebexState } from './state.js';
import { roomView } from './views.js';

const CONSOLE_MESSAGE_LIMIT = 200;

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
        text: m.text ?? m.markdown ?? m.files.join(' '),
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
    const { message } = createMessage(state, person, {
      roomId: fields.roomId,
      toPersonEmail: fields.toPersonEmail,
      text: fields.text,
    });
    return { id: message.id, roomId: message.roomId };
  });
}
