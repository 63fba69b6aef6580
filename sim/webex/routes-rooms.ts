// Rooms and memberships: enough of both for direct rooms and simple group rooms.
import type { FastifyInstance } from 'fastify';
import { badRequest, conflict, forbidden, notFound } from './errors.js';
import type { ApiContext } from './http.js';
import { type Fields, asFields, optionalBoolean, optionalString, pageSize, requiredString } from './input.js';
import { visibleRoom } from './messages.js';
import { type MembershipRecord, type RoomRecord, nowIso } from './state.js';
import { newWebexId } from './ids.js';
import { membershipView, roomView } from './views.js';

const LIST_PAGE_DEFAULT = 100;
const LIST_PAGE_MAX = 1000;

export function registerRoomRoutes(app: FastifyInstance, context: ApiContext): void {
  const { state } = context;

  // NOTE: room and membership lists return one page of at most `max` items and never a Link header.
  app.get('/v1/rooms', async (request) => {
    const caller = context.person(request);
    const query = request.query as Fields;
    const max = pageSize(query, LIST_PAGE_DEFAULT, LIST_PAGE_MAX);
    const type = optionalString(query, 'type');
    const sortBy = optionalString(query, 'sortBy');

    let rooms = state.roomsOf(caller.id).filter((room) => type === undefined || room.type === type);
    if (sortBy === 'lastactivity') {
      rooms = rooms.sort((a, b) => b.lastActivity.localeCompare(a.lastActivity));
    } else if (sortBy === 'created') {
      rooms = rooms.sort((a, b) => b.created.localeCompare(a.created));
    }
    return { items: rooms.slice(0, max).map((room) => roomView(state, room, caller.id)) };
  });

  app.get<{ Params: { roomId: string } }>('/v1/rooms/:roomId', async (request) => {
    const caller = context.person(request);
    return roomView(state, visibleRoom(state, caller, request.params.roomId), caller.id);
  });

  app.post('/v1/rooms', async (request) => {
    const caller = context.person(request);
    const title = requiredString(asFields(request.body), 'title');
    const created = nowIso();
    const room: RoomRecord = {
      id: newWebexId('ROOM'),
      type: 'group',
      title,
      creatorId: caller.id,
      ownerOrgId: caller.orgId,
      created,
      lastActivity: created,
    };
    state.rooms.set(room.id, room);
    const membership = state.addMembership(room.id, caller.id, false);

    state.emit({ resource: 'rooms', event: 'created', actorId: caller.id, roomId: room.id, data: roomView(state, room, caller.id) });
    state.emit({ resource: 'memberships', event: 'created', actorId: caller.id, roomId: room.id, data: membershipView(state, membership) });
    return roomView(state, room, caller.id);
  });

  app.get('/v1/memberships', async (request) => {
    const caller = context.person(request);
    const query = request.query as Fields;
    const max = pageSize(query, LIST_PAGE_DEFAULT, LIST_PAGE_MAX);
    const roomId = optionalString(query, 'roomId');
    const personId = optionalString(query, 'personId');
    const personEmail = optionalString(query, 'personEmail')?.toLowerCase();

    let memberships: MembershipRecord[];
    if (roomId) {
      memberships = state.membershipsOf(visibleRoom(state, caller, roomId).id);
    } else {
      memberships = [...state.memberships.values()].filter((m) => m.personId === caller.id);
    }
    memberships = memberships.filter(
      (m) =>
        (personId === undefined || m.personId === personId) &&
        (personEmail === undefined || state.people.get(m.personId)?.email === personEmail),
    );
    return { items: memberships.slice(0, max).map((m) => membershipView(state, m)) };
  });

  app.get<{ Params: { membershipId: string } }>('/v1/memberships/:membershipId', async (request) => {
    const caller = context.person(request);
    const membership = state.memberships.get(request.params.membershipId);
    if (!membership || !state.isMember(membership.roomId, caller.id)) {
      throw notFound(`No membership found with id ${request.params.membershipId} in a room you are a member of.`);
    }
    return membershipView(state, membership);
  });

  app.post('/v1/memberships', async (request) => {
    const caller = context.person(request);
    const fields = asFields(request.body);
    const room = visibleRoom(state, caller, requiredString(fields, 'roomId'));
    if (room.type === 'direct') {
      throw badRequest('People cannot be added to a direct room. Create a group room with POST /rooms first.');
    }

    const personId = optionalString(fields, 'personId');
    const personEmail = optionalString(fields, 'personEmail');
    if (!personId && !personEmail) {
      throw badRequest('Adding a member needs personId or personEmail.');
    }
    const person = personId ? state.people.get(personId) : state.personByEmail(personEmail ?? '');
    if (!person) {
      throw notFound(`No person found with ${personId ? `id ${personId}` : `email ${personEmail}`}.`);
    }
    if (state.isMember(room.id, person.id)) {
      throw conflict(`${person.email} is already a member of room ${room.id}.`);
    }

    const membership = state.addMembership(room.id, person.id, optionalBoolean(fields, 'isModerator') ?? false);
    const view = membershipView(state, membership);
    state.emit({ resource: 'memberships', event: 'created', actorId: caller.id, roomId: room.id, data: view });
    return view;
  });

  app.delete<{ Params: { membershipId: string } }>('/v1/memberships/:membershipId', async (request, reply) => {
    const caller = context.person(request);
    const membership = state.memberships.get(request.params.membershipId);
    if (!membership || !state.isMember(membership.roomId, caller.id)) {
      throw notFound(`No membership found with id ${request.params.membershipId} in a room you are a member of.`);
    }
    if (state.rooms.get(membership.roomId)?.type === 'direct') {
      throw forbidden('Members cannot leave or be removed from a direct room.');
    }

    const view = membershipView(state, membership);
    state.memberships.delete(membership.id);
    state.emit({ resource: 'memberships', event: 'deleted', actorId: caller.id, roomId: membership.roomId, data: view });
    return reply.code(204).send();
  });
}
