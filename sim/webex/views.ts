// JSON shapes that the API returns, built from stored records. Field names and optional
// fields follow the Person, Room, Membership, Message and Webhook schemas of the Webex
// messaging OpenAPI file and its response examples.
import type {
  MembershipRecord,
  MessageRecord,
  PersonRecord,
  RoomRecord,
  WebexState,
  WebhookRecord,
} from './state.js';

/**
 * Builds the Person shape. Webex shows `status` and `lastActivity` only to callers of the
 * same organisation (or a managing partner), so `viewerOrgId` decides whether they appear.
 */
export function personView(person: PersonRecord, viewerOrgId: string | undefined): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: person.id,
    emails: [person.email],
    displayName: person.displayName,
    firstName: person.firstName,
    lastName: person.lastName,
    orgId: person.orgId,
    created: person.created,
    lastModified: person.created,
    type: person.type,
  };

  if (person.avatar !== undefined) {
    view.avatar = person.avatar;
  }
  if (person.title !== undefined) {
    view.title = person.title;
  }

  const sameOrg = viewerOrgId === person.orgId;
  if (sameOrg && person.type !== 'bot') {
    view.status = person.status;
    if (person.lastActivity !== undefined) {
      view.lastActivity = person.lastActivity;
    }
  }
  return view;
}

/** Builds the Room shape for `viewerId`, who gets a direct room titled with the other member's name. */
export function roomView(state: WebexState, room: RoomRecord, viewerId: string | undefined): Record<string, unknown> {
  let title = room.title;
  if (room.type === 'direct') {
    const other = state.membershipsOf(room.id).find((m) => m.personId !== viewerId);
    const otherPerson = other ? state.people.get(other.personId) : undefined;
    title = otherPerson?.displayName ?? title;
  }

  return {
    id: room.id,
    title,
    type: room.type,
    isLocked: false,
    lastActivity: room.lastActivity,
    creatorId: room.creatorId,
    created: room.created,
    ownerId: room.ownerOrgId,
    isPublic: false,
    isReadOnly: false,
  };
}

export function membershipView(state: WebexState, membership: MembershipRecord): Record<string, unknown> {
  const person = state.people.get(membership.personId);
  const room = state.rooms.get(membership.roomId);
  return {
    id: membership.id,
    roomId: membership.roomId,
    personId: membership.personId,
    personEmail: person?.email,
    personDisplayName: person?.displayName,
    personOrgId: person?.orgId,
    isModerator: membership.isModerator,
    isMonitor: false,
    isRoomHidden: false,
    roomType: room?.type,
    created: membership.created,
  };
}

export function messageView(state: WebexState, message: MessageRecord): Record<string, unknown> {
  const room = state.rooms.get(message.roomId);
  const author = state.people.get(message.personId);
  const view: Record<string, unknown> = { id: message.id };

  if (message.parentId !== undefined) {
    view.parentId = message.parentId;
  }
  view.roomId = message.roomId;
  view.roomType = room?.type;
  if (message.text !== undefined) {
    view.text = message.text;
  }
  if (message.markdown !== undefined) {
    view.markdown = message.markdown;
  }
  if (message.html !== undefined) {
    view.html = message.html;
  }
  if (message.files.length > 0) {
    view.files = [...message.files];
  }
  view.personId = message.personId;
  view.personEmail = author?.email;
  if (message.mentionedPeople.length > 0) {
    view.mentionedPeople = [...message.mentionedPeople];
  }
  if (message.mentionedGroups.length > 0) {
    view.mentionedGroups = [...message.mentionedGroups];
  }
  if (message.attachments.length > 0) {
    view.attachments = message.attachments.map((a) => ({ ...a }));
  }
  view.created = message.created;
  if (message.updated !== undefined) {
    view.updated = message.updated;
  }
  return view;
}

/**
 * Builds the ids-only `data` of a message webhook delivery. Webex never puts the text in a
 * delivery: the receiver must fetch it with `GET /messages/{id}`.
 */
export function messageEventData(state: WebexState, message: MessageRecord): Record<string, unknown> {
  const room = state.rooms.get(message.roomId);
  const data: Record<string, unknown> = {
    id: message.id,
    roomId: message.roomId,
    roomType: room?.type,
    personId: message.personId,
    personEmail: state.people.get(message.personId)?.email,
  };
  if (message.mentionedPeople.length > 0) {
    data.mentionedPeople = [...message.mentionedPeople];
  }
  if (message.files.length > 0) {
    data.files = [...message.files];
  }
  data.created = message.created;
  return data;
}

export function webhookView(webhook: WebhookRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: webhook.id,
    name: webhook.name,
    targetUrl: webhook.targetUrl,
    resource: webhook.resource,
    event: webhook.event,
  };
  if (webhook.filter !== undefined) {
    view.filter = webhook.filter;
  }
  if (webhook.secret !== undefined) {
    view.secret = webhook.secret;
  }
  view.status = webhook.status;
  view.created = webhook.created;
  view.orgId = webhook.orgId;
  view.createdBy = webhook.ownerId;
  view.appId = webhook.appId;
  view.ownedBy = 'creator';
  return view;
}
