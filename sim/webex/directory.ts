// Creation of organisations, people, bots, guests, service apps and their access tokens.
import { randomUUID } from 'node:crypto';
import { newAccessToken, newWebexId } from './ids.js';
import {
  type OrgRecord,
  type PersonRecord,
  type PersonStatus,
  type PersonType,
  type ServiceAppRecord,
  type WebexState,
  nowIso,
} from './state.js';

export interface NewPerson {
  email: string;
  displayName: string;
  firstName?: string;
  lastName?: string;
  title?: string;
  avatar?: string;
  status?: PersonStatus;
}

export function createOrg(state: WebexState, input: { domain: string; name: string }): OrgRecord {
  const domain = input.domain.trim().toLowerCase();
  for (const org of state.orgs.values()) {
    if (org.domain === domain) {
      throw new Error(`An organisation with domain ${domain} already exists; reuse it or pick another domain.`);
    }
  }
  const org: OrgRecord = { id: newWebexId('ORGANIZATION'), domain, name: input.name, created: nowIso() };
  state.orgs.set(org.id, org);
  return org;
}

function splitName(displayName: string): { firstName: string; lastName: string } {
  const parts = displayName.trim().split(/\s+/);
  const firstName = parts[0] ?? '';
  return { firstName, lastName: parts.slice(1).join(' ') };
}

export function createPerson(state: WebexState, org: OrgRecord, type: PersonType, input: NewPerson): PersonRecord {
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    throw new Error(`Invalid email ${JSON.stringify(input.email)}: expected local@domain.`);
  }
  if (state.personByEmail(email)) {
    throw new Error(`A person with email ${email} already exists; emails are unique across the simulator.`);
  }

  const names = splitName(input.displayName);
  const person: PersonRecord = {
    id: newWebexId('PEOPLE'),
    orgId: org.id,
    type,
    email,
    displayName: input.displayName,
    firstName: input.firstName ?? names.firstName,
    lastName: input.lastName ?? names.lastName,
    title: input.title,
    avatar: input.avatar,
    status: input.status ?? (type === 'bot' ? 'unknown' : 'active'),
    lastActivity: undefined,
    created: nowIso(),
    appId: newWebexId('APPLICATION'),
    guestSubject: undefined,
    guestIssuerId: undefined,
  };
  state.people.set(person.id, person);
  return person;
}

/** Issues a new access token for a person, bot or guest. `lifetimeMs` undefined means no expiry. */
export function issuePersonToken(state: WebexState, person: PersonRecord, lifetimeMs?: number): string {
  const token = newAccessToken();
  state.tokens.set(token, {
    token,
    kind: 'person',
    subjectId: person.id,
    expiresAt: lifetimeMs === undefined ? undefined : Date.now() + lifetimeMs,
  });
  return token;
}

export function createServiceApp(state: WebexState, org: OrgRecord, input: { name?: string; scopes: string[] }): { app: ServiceAppRecord; token: string } {
  const app: ServiceAppRecord = {
    id: newWebexId('APPLICATION'),
    orgId: org.id,
    name: input.name ?? 'Service App',
    scopes: [...input.scopes],
  };
  state.serviceApps.set(app.id, app);

  const token = newAccessToken();
  state.tokens.set(token, { token, kind: 'serviceApp', subjectId: app.id, expiresAt: undefined });
  return { app, token };
}

/**
 * Finds or creates the guest of `issuer` with `subject`. The same subject always maps to the
 * same person; a new display name replaces the old one.
 */
export function upsertGuest(state: WebexState, issuer: ServiceAppRecord, subject: string, displayName: string): PersonRecord {
  for (const person of state.people.values()) {
    if (person.type === 'appuser' && person.guestIssuerId === issuer.id && person.guestSubject === subject) {
      Object.assign(person, { displayName }, splitName(displayName));
      return person;
    }
  }

  const org = state.orgs.get(issuer.orgId);
  if (!org) {
    throw new Error(`Service app ${issuer.id} has no organisation.`);
  }
  const guest = createPerson(state, org, 'appuser', {
    email: `${randomUUID()}@appid.ciscospark.com`,
    displayName,
  });
  guest.guestSubject = subject;
  guest.guestIssuerId = issuer.id;
  return guest;
}
