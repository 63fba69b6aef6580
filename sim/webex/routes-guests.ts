// Guest Management for Service Apps (developer.webex.com, "Guest Management"): a service app
// with the guest-issuer scopes mints guest identities and their access tokens.
import type { FastifyInstance } from 'fastify';
import { forbidden } from './errors.js';
import type { ApiContext } from './http.js';
import { issuePersonToken, upsertGuest } from './directory.js';
import { asFields, requiredString } from './input.js';
import type { Caller, ServiceAppRecord } from './state.js';

/** Lifetime of a guest access token, in seconds. NOTE: chosen for the simulator, not a Webex figure. */
export const GUEST_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

function serviceAppWithScope(caller: Caller, scopes: string[]): ServiceAppRecord {
  if (caller.kind !== 'serviceApp') {
    throw forbidden('Guest management needs a service app token; person, bot and guest tokens cannot use it.');
  }
  if (!scopes.some((scope) => caller.app.scopes.includes(scope))) {
    throw forbidden(`The service app lacks the scope ${scopes.join(' or ')}. Grant it to the service app and authorise it again.`);
  }
  return caller.app;
}

export function registerGuestRoutes(app: FastifyInstance, context: ApiContext): void {
  const { state } = context;

  app.post('/v1/guests/token', async (request) => {
    const issuer = serviceAppWithScope(context.caller(request), ['guest-issuer:write']);
    const fields = asFields(request.body);
    const subject = requiredString(fields, 'subject');
    const displayName = requiredString(fields, 'displayName');

    const guest = upsertGuest(state, issuer, subject, displayName);
    const accessToken = issuePersonToken(state, guest, GUEST_TOKEN_LIFETIME_SECONDS * 1000);
    return {
      id: guest.id,
      subject,
      displayName: guest.displayName,
      email: guest.email,
      accessToken,
      expiresIn: GUEST_TOKEN_LIFETIME_SECONDS,
    };
  });

  app.get('/v1/guests/count', async (request) => {
    const issuer = serviceAppWithScope(context.caller(request), ['guest-issuer:read', 'guest-issuer:write']);
    let count = 0;
    for (const person of state.people.values()) {
      if (person.type === 'appuser' && person.guestIssuerId === issuer.id) {
        count += 1;
      }
    }
    return { count };
  });
}
