// Matching of events to webhooks: resource and event, room membership of the owner, the bot
// mention rule and the `filter` expression (Webex webhooks guide, "Filtering webhooks").
import { badRequest } from './errors.js';
import type { PersonRecord, ResourceEvent, WebexState, WebhookRecord } from './state.js';

/** Resources and events the simulator delivers. Other values of the spec's enums are rejected. */
export const WEBHOOK_RESOURCES = ['messages', 'memberships', 'rooms'] as const;
export const WEBHOOK_EVENTS = ['created', 'updated', 'deleted', 'all'] as const;

/** Filter keys per resource, from the Webex webhooks guide. */
const filterKeys: Record<string, readonly string[]> = {
  messages: ['roomId', 'roomType', 'personId', 'personEmail', 'mentionedPeople', 'hasFiles'],
  memberships: ['roomId', 'personId', 'personEmail', 'isModerator'],
  rooms: ['type', 'isLocked'],
};

/** Parses `key=value&key=value` and rejects keys the resource has no filter for. */
export function parseFilter(resource: string, filter: string | undefined): Map<string, string> {
  const parsed = new Map<string, string>();
  if (filter === undefined || filter.trim() === '') {
    return parsed;
  }
  const allowed = filterKeys[resource] ?? [];
  for (const part of filter.split('&')) {
    const separator = part.indexOf('=');
    const key = separator < 0 ? part : part.slice(0, separator);
    const value = separator < 0 ? '' : decodeURIComponent(part.slice(separator + 1));
    if (!allowed.includes(key) || value === '') {
      throw badRequest(`Invalid filter ${JSON.stringify(filter)}: ${resource} webhooks accept ${allowed.join(', ')} as key=value pairs joined by &.`);
    }
    parsed.set(key, value);
  }
  return parsed;
}

function filterMatches(webhook: WebhookRecord, owner: PersonRecord, event: ResourceEvent, state: WebexState): boolean {
  const data = event.data;
  for (const [key, value] of parseFilter(webhook.resource, webhook.filter)) {
    switch (key) {
      case 'roomType':
      case 'type': {
        const room = state.rooms.get(event.roomId);
        if (room?.type !== value) {
          return false;
        }
        break;
      }
      case 'personEmail':
        if (String(data.personEmail).toLowerCase() !== value.toLowerCase()) {
          return false;
        }
        break;
      case 'mentionedPeople': {
        const mentionIds = value.split(',').map((id) => (id === 'me' ? owner.id : id));
        const mentioned = event.message?.mentionedPeople ?? [];
        if (!mentioned.some((id) => mentionIds.includes(id))) {
          return false;
        }
        break;
      }
      case 'hasFiles':
        if ((event.message?.files.length ?? 0) > 0 !== (value === 'true')) {
          return false;
        }
        break;
      case 'isLocked':
        if (value !== 'false') {
          return false;
        }
        break;
      default:
        if (String(data[key]) !== value) {
          return false;
        }
    }
  }
  return true;
}

/** Decides whether `webhook` receives `event`. */
export function webhookReceives(state: WebexState, webhook: WebhookRecord, event: ResourceEvent): boolean {
  if (webhook.status !== 'active' || webhook.resource !== event.resource) {
    return false;
  }
  if (webhook.event !== 'all' && webhook.event !== event.event) {
    return false;
  }

  const owner = state.people.get(webhook.ownerId);
  if (!owner) {
    return false;
  }

  // A person who just left a room still hears about their own membership ending.
  const aboutOwner = event.resource === 'memberships' && event.data.personId === owner.id;
  if (!state.isMember(event.roomId, owner.id) && !aboutOwner) {
    return false;
  }

  // Bots hear group-room messages only when mentioned, but always hear their own.
  const room = state.rooms.get(event.roomId);
  const message = event.message;
  if (owner.type === 'bot' && room?.type === 'group' && message && message.personId !== owner.id) {
    if (!message.mentionedPeople.includes(owner.id)) {
      return false;
    }
  }

  return filterMatches(webhook, owner, event, state);
}
