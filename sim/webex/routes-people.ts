import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from './errors.js';
import type { ApiContext } from './http.js';
import { type Fields, optionalString, pageSize } from './input.js';
import type { Caller, PersonRecord } from './state.js';
import { personView } from './views.js';

const PEOPLE_PAGE_MAX = 1000;

function callerOrgId(caller: Caller): string {
  return caller.kind === 'person' ? caller.person.orgId : caller.app.orgId;
}

/**
 * Finds people by `email` (exact, any organisation, as Webex shows external users),
 * `id` (comma list, up to 85) or `displayName` (prefix, the caller's organisation only).
 */
function findPeople(context: ApiContext, caller: Caller, query: Fields): { items: PersonRecord[]; notFoundIds: string[] } {
  const email = optionalString(query, 'email');
  const ids = optionalString(query, 'id');
  const displayName = optionalString(query, 'displayName');
  const { state } = context;

  if (email) {
    const person = state.personByEmail(email);
    return { items: person ? [person] : [], notFoundIds: [] };
  }
  if (ids) {
    const wanted = ids.split(',').map((id) => id.trim()).filter((id) => id !== '');
    if (wanted.length > 85) {
      throw badRequest(`Too many ids: ${wanted.length} given, at most 85 allowed.`);
    }
    const items = wanted.map((id) => state.people.get(id)).filter((p): p is PersonRecord => p !== undefined);
    return { items, notFoundIds: wanted.filter((id) => !state.people.has(id)) };
  }
  if (displayName) {
    const prefix = displayName.toLowerCase();
    const orgId = callerOrgId(caller);
    const items = [...state.people.values()].filter(
      (p) => p.orgId === orgId && p.displayName.toLowerCase().startsWith(prefix),
    );
    return { items, notFoundIds: [] };
  }
  throw badRequest('Listing people needs email, id or displayName as a query parameter.');
}

export function registerPeopleRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get('/v1/people/me', async (request) => {
    const person = context.person(request);
    return personView(person, person.orgId);
  });

  app.get('/v1/people', async (request) => {
    const caller = context.caller(request);
    const query = request.query as Fields;
    const max = pageSize(query, 100, PEOPLE_PAGE_MAX);
    const { items, notFoundIds } = findPeople(context, caller, query);

    // Webex leaves presence out of lookups by id, as its people reference states.
    const viewerOrgId = optionalString(query, 'id') ? undefined : callerOrgId(caller);
    const body: Record<string, unknown> = { items: items.slice(0, max).map((p) => personView(p, viewerOrgId)) };
    if (notFoundIds.length > 0) {
      body.notFoundIds = notFoundIds;
    }
    return body;
  });

  app.get<{ Params: { personId: string } }>('/v1/people/:personId', async (request) => {
    const caller = context.caller(request);
    const person = context.state.people.get(request.params.personId);
    if (!person) {
      throw notFound(`No person found with id ${request.params.personId}.`);
    }
    return personView(person, callerOrgId(caller));
  });
}
