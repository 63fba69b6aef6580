// The simulator's own web console: a person picks a simulated user, reads that user's
// conversations, posts and shares files as that user. Routes: GET /console (page),
// GET /console/app.js, JSON under /console/api/, plus GET /console/api/file (a file's
// content) and POST /console/api/share-file (raw file bytes). No token: the console is part
// of the simulator, which listens on 127.0.0.1 by default.

import { readFile } from 'node:fs/promises';
import type http from 'node:http';

import { create as createContentDisposition } from 'content-disposition';

import { collectUpTo } from './file-http.js';
import type { Conversation, SimMessage } from './model.js';
import type { SlackState } from './state.js';
import { deleteAsUser, editAsUser, postAsUser, reactAsUser, shareFileAsUser } from './user-actions.js';

const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
};

export interface ConsoleReply {
  status: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

function json(status: number, value: unknown): ConsoleReply {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

function conversationLabel(state: SlackState, conversation: Conversation, viewer: string): string {
  if (conversation.type === 'im') {
    const other = conversation.members.find((member) => member !== viewer);
    return other === undefined ? conversation.id : (state.users.get(other)?.realName ?? other);
  }
  if (conversation.type === 'mpim') {
    return conversation.members
      .filter((member) => member !== viewer)
      .map((member) => state.users.get(member)?.realName ?? member)
      .join(', ');
  }
  return `${conversation.type === 'private' ? '🔒' : '#'}${conversation.name ?? conversation.id}`;
}

/** Shows a bot post under its `username` and `icon_url` when it set them, as the Slack client does. */
function renderForConsole(state: SlackState, message: SimMessage): Record<string, unknown> {
  const author = state.users.get(message.user);
  const app = message.appId === undefined ? undefined : state.apps.get(message.appId);
  return {
    ts: message.ts,
    threadTs: message.threadTs ?? null,
    sender: message.username ?? app?.name ?? author?.realName ?? message.user,
    senderId: message.user,
    isBot: message.botId !== undefined,
    icon: message.iconUrl ?? author?.image72 ?? null,
    iconEmoji: message.iconEmoji ?? null,
    // Shown as the Slack client shows it, with &, < and > unescaped.
    text: message.text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
    edited: message.edited !== undefined,
    reactions: message.reactions.map((r) => ({ name: r.name, count: r.users.length })),
    files: (message.files ?? []).map((fileId) => {
      const file = state.files.get(fileId);
      return { id: fileId, name: file?.name ?? fileId, size: file?.size ?? 0, deleted: file?.bytes === undefined };
    }),
  };
}

function listUsers(state: SlackState): ConsoleReply {
  const users = [...state.users.values()]
    .filter((user) => !user.isBot)
    .map((user) => ({
      id: user.id,
      realName: user.realName,
      email: user.email ?? '',
      workspace: state.workspaces.get(user.teamId)?.name ?? user.teamId,
    }));
  return json(200, { users });
}

function listConversations(state: SlackState, userId: string): ConsoleReply {
  const user = state.users.get(userId);
  if (user === undefined) {
    return json(404, { error: `User ${userId} not found.` });
  }

  const conversations = [...state.conversations.values()]
    .filter((c) => c.members.includes(userId))
    .map((c) => ({ id: c.id, type: c.type, label: conversationLabel(state, c, userId) }));
  const bots = [...state.apps.values()]
    .filter((app) => app.teamId === user.teamId)
    .map((app) => ({ userId: app.botUserId, name: app.name }));
  return json(200, { conversations, bots });
}

function listMessages(state: SlackState, userId: string, channel: string): ConsoleReply {
  const conversation = state.conversations.get(channel);
  if (conversation === undefined || !conversation.members.includes(userId)) {
    return json(404, { error: `Conversation ${channel} not found for user ${userId}.` });
  }

  const messages = state.messagesOf(channel).map((message) => renderForConsole(state, message));
  const ephemeral = state.ephemerals
    .filter((e) => e.channel === channel && e.user === userId)
    .map((e) => ({ ts: e.ts, text: e.text, sender: state.appByBotId(e.botId)?.name ?? e.botId }));
  return json(200, { messages, ephemeral });
}

/** Serves a file as an attachment to a user who is a member of a conversation it was shared in. */
function fileContent(state: SlackState, userId: string, fileId: string): ConsoleReply {
  const file = state.files.get(fileId);
  const isShared = state
    .messagesWithFile(fileId)
    .some((message) => state.conversations.get(message.channel)?.members.includes(userId) === true);
  if (file?.bytes === undefined || !isShared) {
    return json(404, { error: `File ${fileId} not found for user ${userId}.` });
  }
  return {
    status: 200,
    type: file.mimetype,
    body: file.bytes,
    headers: { 'content-disposition': createContentDisposition(file.name) },
  };
}

export function isConsoleFileSharePath(pathname: string): boolean {
  return pathname === '/console/api/share-file';
}

/**
 * Shares the request body as a file: POST /console/api/share-file?user=&channel=&name=
 * with optional `text` and `threadTs`. Content-Type gives the media type.
 */
export async function handleConsoleFileShare(state: SlackState, request: http.IncomingMessage, url: URL): Promise<ConsoleReply> {
  if (request.method !== 'POST') {
    return json(405, { error: `Method ${request.method ?? ''} is not allowed on ${url.pathname}; use POST.` });
  }

  const maxBytes = state.files.maxFileBytes;
  const bytes = await collectUpTo(request, maxBytes);
  if (bytes === undefined) {
    return { ...json(413, { error: `File is larger than maxFileBytes (${maxBytes} bytes).` }), headers: { connection: 'close' } };
  }

  const param = (name: string) => url.searchParams.get(name) ?? '';
  const threadTs = param('threadTs');
  try {
    const { message, file } = shareFileAsUser(state, param('user'), param('channel'), {
      name: param('name'),
      mediaType: (request.headers['content-type'] ?? '').split(';')[0]?.trim() || 'application/octet-stream',
      bytes,
      text: asTyped(param('text')),
      ...(threadTs !== '' ? { threadTs } : {}),
    });
    return json(200, { ts: message.ts, fileId: file.id });
  } catch (error) {
    return json(400, { error: error instanceof Error ? error.message : String(error) });
  }
}

interface PostBody {
  user?: unknown;
  channel?: unknown;
  text?: unknown;
  threadTs?: unknown;
  other?: unknown;
  ts?: unknown;
  name?: unknown;
}

/** The Slack client sends typed text with &, < and > escaped; the console does the same. */
function asTyped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function handlePost(state: SlackState, path: string, body: PostBody): ConsoleReply {
  const user = typeof body.user === 'string' ? body.user : '';

  if (path === '/console/api/open-im') {
    const other = typeof body.other === 'string' ? body.other : '';
    const conversation = state.openIm(user, other);
    return json(200, { channel: conversation.id });
  }

  if (path === '/console/api/post') {
    const threadTs = str(body.threadTs) === '' ? undefined : str(body.threadTs);
    const message = postAsUser(state, user, str(body.channel), asTyped(str(body.text)), threadTs === undefined ? {} : { threadTs });
    return json(200, { ts: message.ts });
  }

  if (path === '/console/api/edit') {
    editAsUser(state, user, str(body.channel), str(body.ts), asTyped(str(body.text)));
    return json(200, {});
  }

  if (path === '/console/api/delete') {
    deleteAsUser(state, user, str(body.channel), str(body.ts));
    return json(200, {});
  }

  if (path === '/console/api/react') {
    reactAsUser(state, user, str(body.channel), str(body.ts), str(body.name).replace(/^:|:$/g, ''));
    return json(200, {});
  }

  return json(404, { error: `No console route ${path}.` });
}

/** Handles a /console request; `rawBody` is the request body for POSTs. */
export async function handleConsole(state: SlackState, request: http.IncomingMessage, url: URL, rawBody: string): Promise<ConsoleReply> {
  const page = PAGE_FILES[url.pathname];
  if (page !== undefined && request.method === 'GET') {
    const body = await readFile(new URL(`./console/${page.file}`, import.meta.url), 'utf8');
    return { status: 200, type: page.type, body };
  }

  const userId = url.searchParams.get('user') ?? '';
  if (request.method === 'GET') {
    switch (url.pathname) {
      case '/console/api/users':
        return listUsers(state);
      case '/console/api/conversations':
        return listConversations(state, userId);
      case '/console/api/messages':
        return listMessages(state, userId, url.searchParams.get('channel') ?? '');
      case '/console/api/file':
        return fileContent(state, userId, url.searchParams.get('file') ?? '');
      default:
        return json(404, { error: `No console route ${url.pathname}.` });
    }
  }

  if (request.method === 'POST') {
    let body: PostBody;
    try {
      body = JSON.parse(rawBody) as PostBody;
    } catch {
      return json(400, { error: 'Request body is not JSON; send {"user": ..., ...}.' });
    }
    try {
      return handlePost(state, url.pathname, body);
    } catch (error) {
      return json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  return json(405, { error: `Method ${request.method ?? ''} is not allowed on ${url.pathname}.` });
}
