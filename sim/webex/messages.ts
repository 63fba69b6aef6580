// Message operations shared by the HTTP routes, the console and the programmatic API.
import { type UploadedFile, storeContent } from './contents.js';
import { badRequest, forbidden, notFound } from './errors.js';
import { newWebexId } from './ids.js';
import { type Fields, isHttpUrl, optionalString, optionalStringList, pageSize } from './input.js';
import { parseMarkdown } from './mentions.js';
import {
  type CardAttachment,
  type MessageRecord,
  type PersonRecord,
  type RoomRecord,
  type WebexState,
  nowIso,
} from './state.js';
import { messageEventData } from './views.js';

/** Maximum size of `text` and of `markdown`, in UTF-8 bytes (Webex messages API reference). */
export const MAX_MESSAGE_BYTES = 7439;

/** Webex allows at most 10 edits of one message. */
export const MAX_EDITS = 10;

export const MESSAGE_PAGE_DEFAULT = 50;
export const MESSAGE_PAGE_MAX = 1000;

const adaptiveCardType = 'application/vnd.microsoft.card.adaptive';

export interface CreatedMessage {
  message: MessageRecord;
  /** Set when the request addressed a person, echoed as toPersonId/toPersonEmail like Webex. */
  toPerson: PersonRecord | undefined;
}

function checkSize(field: string, value: string | undefined): void {
  if (value === undefined) {
    return;
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw badRequest(
      `The ${field} is ${bytes} bytes long, over the maximum of ${MAX_MESSAGE_BYTES} bytes (UTF-8). Shorten it or split it into several messages.`,
    );
  }
}

/** A file sent with a multipart message, and where this server serves it. */
export interface MessageUpload {
  file: UploadedFile;
  /** Absolute URL of `/v1/contents` on this server, as the client addressed it. */
  contentsUrl: string;
}

/** Reads the `files` URLs; `uploads` counts files sent in the same multipart request. */
function readFiles(fields: Fields, uploads: number): string[] {
  const files = optionalStringList(fields, 'files') ?? [];
  if (files.length + uploads > 1) {
    throw badRequest(`Only one file per message is allowed; got ${files.length + uploads}. Send each file in its own message.`);
  }
  for (const file of files) {
    if (!isHttpUrl(file)) {
      throw badRequest(`Invalid files entry ${JSON.stringify(file)}: expected a public http(s) URL.`);
    }
  }
  return files;
}

function readAttachments(fields: Fields): CardAttachment[] {
  const value = fields.attachments;
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw badRequest('Invalid attachments: expected an array of {contentType, content}.');
  }
  if (value.length > 1) {
    throw badRequest(`Only one card attachment per message is allowed; got ${value.length}.`);
  }
  return value.map((item: unknown) => {
    const attachment = item as Partial<CardAttachment> | null;
    if (attachment?.contentType !== adaptiveCardType || typeof attachment.content !== 'object') {
      throw badRequest(`Invalid attachment: contentType must be ${adaptiveCardType} and content an object.`);
    }
    return { contentType: attachment.contentType, content: attachment.content };
  });
}

/** Finds a room the caller may see, or throws the 404 Webex returns for rooms you are not in. */
export function visibleRoom(state: WebexState, caller: PersonRecord, roomId: string): RoomRecord {
  const room = state.rooms.get(roomId);
  if (!room || !state.isMember(room.id, caller.id)) {
    throw notFound(`Could not find a room with id ${roomId} that you are a member of. Check the roomId or add the caller to the room.`);
  }
  return room;
}

function directRoomWith(state: WebexState, caller: PersonRecord, other: PersonRecord): RoomRecord {
  if (other.id === caller.id) {
    throw badRequest('Cannot send a direct message to yourself. Choose another toPersonId or toPersonEmail.');
  }
  const existing = state.directRoomBetween(caller.id, other.id);
  if (existing) {
    return existing;
  }

  const created = nowIso();
  const room: RoomRecord = {
    id: newWebexId('ROOM'),
    type: 'direct',
    title: '',
    creatorId: caller.id,
    ownerOrgId: caller.orgId,
    created,
    lastActivity: created,
  };
  state.rooms.set(room.id, room);
  state.addMembership(room.id, caller.id, false);
  state.addMembership(room.id, other.id, false);
  return room;
}

function resolveTarget(state: WebexState, caller: PersonRecord, fields: Fields): { room: RoomRecord; toPerson: PersonRecord | undefined } {
  const roomId = optionalString(fields, 'roomId');
  const toPersonId = optionalString(fields, 'toPersonId');
  const toPersonEmail = optionalString(fields, 'toPersonEmail');
  const targets = [roomId, toPersonId, toPersonEmail].filter((target) => target !== undefined && target !== '');
  if (targets.length !== 1) {
    throw badRequest('Exactly one of roomId, toPersonId or toPersonEmail is required.');
  }

  if (roomId) {
    return { room: visibleRoom(state, caller, roomId), toPerson: undefined };
  }

  // NOTE: Webex invites an unknown email address to create an account; the simulator has no
  // invitation flow and rejects the address instead.
  const other = toPersonId ? state.people.get(toPersonId) : state.personByEmail(toPersonEmail ?? '');
  if (!other) {
    throw notFound(`No person found with ${toPersonId ? `id ${toPersonId}` : `email ${toPersonEmail}`}. Check the recipient.`);
  }
  return { room: directRoomWith(state, caller, other), toPerson: other };
}

interface Content {
  text: string | undefined;
  markdown: string | undefined;
  html: string | undefined;
  mentionedPeople: string[];
  mentionedGroups: string[];
}

function readContent(state: WebexState, roomId: string, fields: Fields): Content {
  const text = optionalString(fields, 'text');
  const markdown = optionalString(fields, 'markdown');
  checkSize('text', text);
  checkSize('markdown', markdown);

  if (markdown === undefined) {
    return { text, markdown: undefined, html: undefined, mentionedPeople: [], mentionedGroups: [] };
  }
  const parsed = parseMarkdown(state, roomId, markdown);
  return {
    text: text ?? parsed.text,
    markdown,
    html: parsed.html,
    mentionedPeople: parsed.mentionedPeople,
    mentionedGroups: parsed.mentionedGroups,
  };
}

function readParent(state: WebexState, room: RoomRecord, fields: Fields): string | undefined {
  const parentId = optionalString(fields, 'parentId');
  if (parentId === undefined || parentId === '') {
    return undefined;
  }
  const parent = state.messages.get(parentId);
  if (!parent || parent.roomId !== room.id) {
    throw badRequest(`Invalid parentId ${parentId}: no message with that id in this room.`);
  }
  if (parent.parentId !== undefined) {
    throw badRequest(`Invalid parentId ${parentId}: that message is itself a reply. Reply to the thread's first message.`);
  }
  return parent.id;
}

/**
 * Creates a message from the fields of `POST /messages`. `upload` is the file of a
 * multipart request; it is stored only once every field has passed validation.
 */
export function createMessage(state: WebexState, caller: PersonRecord, fields: Fields, upload?: MessageUpload): CreatedMessage {
  const files = readFiles(fields, upload ? 1 : 0);
  const attachments = readAttachments(fields);
  const { room, toPerson } = resolveTarget(state, caller, fields);
  const content = readContent(state, room.id, fields);
  const hasFile = files.length > 0 || upload !== undefined;
  if (content.text === undefined && content.markdown === undefined && !hasFile && attachments.length === 0) {
    throw badRequest('The message is empty: give text, markdown, files or attachments.');
  }
  const parentId = readParent(state, room, fields);

  const messageId = newWebexId('MESSAGE');
  if (upload) {
    files.push(storeContent(state, messageId, upload.file, upload.contentsUrl).url);
  }

  const message: MessageRecord = {
    id: messageId,
    roomId: room.id,
    personId: caller.id,
    ...content,
    files,
    attachments,
    parentId,
    created: nowIso(),
    updated: undefined,
    editCount: 0,
  };
  state.storeMessage(message);
  room.lastActivity = message.created;
  caller.lastActivity = message.created;

  state.emit({
    resource: 'messages',
    event: 'created',
    actorId: caller.id,
    roomId: room.id,
    data: messageEventData(state, message),
    message,
  });
  return { message, toPerson };
}

/** Finds a message in a room the caller belongs to; others get 404 as in Webex. */
export function visibleMessage(state: WebexState, caller: PersonRecord, messageId: string): MessageRecord {
  const message = state.messages.get(messageId);
  if (!message || !state.isMember(message.roomId, caller.id)) {
    throw notFound(`Could not find a message with id ${messageId} in a room you are a member of.`);
  }
  return message;
}

export function editMessage(state: WebexState, caller: PersonRecord, messageId: string, fields: Fields): MessageRecord {
  const message = visibleMessage(state, caller, messageId);
  const roomId = optionalString(fields, 'roomId');
  if (roomId !== message.roomId) {
    throw badRequest(`Invalid roomId ${String(roomId)}: an edit must name the room of message ${messageId}.`);
  }
  if (message.personId !== caller.id) {
    throw forbidden(`Only the author can edit message ${messageId}.`);
  }
  if (message.files.length > 0 || message.attachments.length > 0) {
    throw badRequest(`Message ${messageId} has files or a card attachment and cannot be edited. Delete it and send a new one.`);
  }
  if (message.editCount >= MAX_EDITS) {
    throw badRequest(`Message ${messageId} was already edited ${MAX_EDITS} times, the maximum. Send a new message instead.`);
  }

  const content = readContent(state, message.roomId, fields);
  if (content.text === undefined && content.markdown === undefined) {
    throw badRequest('An edit needs text or markdown.');
  }

  Object.assign(message, content);
  message.editCount += 1;
  message.updated = nowIso();

  state.emit({
    resource: 'messages',
    event: 'updated',
    actorId: caller.id,
    roomId: message.roomId,
    data: messageEventData(state, message),
    message,
  });
  return message;
}

/** Deletes a message. The author may delete it, and so may a moderator of a group room. */
export function deleteMessage(state: WebexState, caller: PersonRecord, messageId: string): void {
  const message = visibleMessage(state, caller, messageId);
  const room = state.rooms.get(message.roomId);
  const moderator = room?.type === 'group' && state.membership(message.roomId, caller.id)?.isModerator === true;
  if (message.personId !== caller.id && !moderator) {
    throw forbidden(`Only the author or a room moderator can delete message ${messageId}.`);
  }

  const data = messageEventData(state, message);
  state.removeMessage(message);
  state.emit({ resource: 'messages', event: 'deleted', actorId: caller.id, roomId: message.roomId, data, message });
}

export interface MessagePage {
  items: MessageRecord[];
  /** Id to pass as beforeMessage for the next page, or undefined on the last page. */
  nextBeforeMessage: string | undefined;
}

/**
 * Lists a room's messages newest first with the filters of `GET /messages`. Bots may list a
 * group room only with `mentionedPeople=me`, as the Webex messages reference states.
 */
export function listMessages(state: WebexState, caller: PersonRecord, room: RoomRecord, query: Fields): MessagePage {
  const max = pageSize(query, MESSAGE_PAGE_DEFAULT, MESSAGE_PAGE_MAX);
  const parentId = optionalString(query, 'parentId');
  const mentioned = optionalString(query, 'mentionedPeople');
  const before = optionalString(query, 'before');
  const beforeMessage = optionalString(query, 'beforeMessage');

  if (caller.type === 'bot' && room.type === 'group' && mentioned !== 'me' && mentioned !== caller.id) {
    throw forbidden('Bots can list messages in group rooms only with mentionedPeople=me.');
  }

  let messages = state.messagesOfRoom(room.id).reverse();

  if (beforeMessage) {
    const index = messages.findIndex((m) => m.id === beforeMessage);
    if (index < 0) {
      throw badRequest(`Invalid beforeMessage ${beforeMessage}: no such message in room ${room.id}.`);
    }
    messages = messages.slice(index + 1);
  }
  if (before) {
    const limit = Date.parse(before);
    if (Number.isNaN(limit)) {
      throw badRequest(`Invalid before ${before}: expected an ISO 8601 date and time.`);
    }
    messages = messages.filter((m) => Date.parse(m.created) < limit);
  }
  if (parentId) {
    messages = messages.filter((m) => m.parentId === parentId);
  }
  if (mentioned) {
    const mentionIds = mentioned.split(',').map((id) => (id === 'me' ? caller.id : id));
    messages = messages.filter((m) => m.mentionedPeople.some((id) => mentionIds.includes(id)));
  }

  const items = messages.slice(0, max);
  const last = items.at(-1);
  const nextBeforeMessage = messages.length > max && last ? last.id : undefined;
  return { items, nextBeforeMessage };
}
