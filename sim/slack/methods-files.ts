// files.getUploadURLExternal, files.completeUploadExternal and files.info: Slack's external
// upload flow. The bytes go to the upload URL between the first two calls (file-http.ts).

import { SlackApiError } from './errors.js';
import { isFileVisibleToApp, renderFileInfo } from './file-views.js';
import { requireBotMember, visibleConversation } from './handler.js';
import type { MethodContext, MethodHandler } from './handler.js';
import type { Conversation, SimFile, SimMessage } from './model.js';
import { requireAnyScope } from './scopes.js';
import { MAX_TEXT_LENGTH } from './state.js';

/** `alt_txt` limit from the files.getUploadURLExternal reference (error alt_txt_too_large). */
const MAX_ALT_TXT_LENGTH = 1000;

/** The reference limits snippets to 1 MB (error snippet_too_large), read here as 1 MiB. */
const MAX_SNIPPET_BYTES = 1024 * 1024;

function invalidArguments(message: string): SlackApiError {
  return new SlackApiError('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${message}`] } });
}

function filesGetUploadURLExternal(ctx: MethodContext): Record<string, unknown> {
  const filename = ctx.args.requireString('filename');
  const length = ctx.args.int('length');
  if (length === undefined) {
    throw invalidArguments('missing required field: length');
  }
  // The reference documents missing_argument for a length of 0. A negative length breaks the schema's minimum of 1.
  if (length === 0) {
    throw new SlackApiError('missing_argument');
  }
  if (length < 0) {
    throw invalidArguments(`length must be at least 1, got ${length}`);
  }

  // The reference names the argument alt_txt, while @slack/web-api 8.2 sends alt_text, so both are read.
  const altTxt = ctx.args.string('alt_txt') ?? ctx.args.string('alt_text');
  if (altTxt !== undefined && altTxt.length > MAX_ALT_TXT_LENGTH) {
    throw new SlackApiError('alt_txt_too_large');
  }
  // snippet_type is not checked against Slack's list of types, so unknown_snippet_type never occurs.
  const snippetType = ctx.args.string('snippet_type');
  if (snippetType !== undefined && length > MAX_SNIPPET_BYTES) {
    throw new SlackApiError('snippet_too_large');
  }
  if (length > ctx.state.files.maxFileBytes) {
    throw new SlackApiError('file_upload_size_restricted');
  }

  const { file, uploadUrl } = ctx.state.files.addAwaitingUpload({
    teamId: ctx.app.teamId,
    user: ctx.app.botUserId,
    appId: ctx.app.appId,
    name: filename,
    size: length,
    ...(altTxt !== undefined ? { altTxt } : {}),
    ...(snippetType !== undefined ? { snippetType } : {}),
  });
  return { upload_url: uploadUrl, file_id: file.id };
}

interface FileEntry {
  id: string;
  title?: string;
}

/** Parses `files`, a JSON array of `{id, title?}` (a JSON string in form bodies, as the SDK sends it). */
function parseFileEntries(ctx: MethodContext): FileEntry[] {
  if (!ctx.args.has('files')) {
    throw invalidArguments('missing required field: files');
  }
  const expected = 'files must be a JSON array of objects such as [{"id": "F123", "title": "Report"}]';
  let parsed: unknown;
  try {
    parsed = ctx.args.json('files', 'invalid_arguments');
  } catch {
    throw invalidArguments(expected);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw invalidArguments(expected);
  }

  return parsed.map((item: unknown) => {
    const entry = item as Partial<Record<'id' | 'title', unknown>> | null;
    const isValid =
      typeof entry === 'object' &&
      entry !== null &&
      typeof entry.id === 'string' &&
      (entry.title === undefined || entry.title === null || typeof entry.title === 'string');
    if (!isValid) {
      throw invalidArguments(expected);
    }
    return typeof entry.title === 'string' ? { id: entry.id as string, title: entry.title } : { id: entry.id as string };
  });
}

/**
 * Finds a file this app uploaded that is ready to complete: its upload URL received exactly
 * the declared number of bytes, and it was not completed before.
 */
function completableFile(ctx: MethodContext, fileId: string): SimFile {
  const file = ctx.state.files.get(fileId);
  if (file === undefined || file.teamId !== ctx.app.teamId) {
    throw new SlackApiError('file_not_found');
  }
  if (file.appId !== ctx.app.appId) {
    throw new SlackApiError('access_denied');
  }
  // NOTE: the reference names no error for an upload shorter than the declared length; the
  // simulator reports it, like a file never uploaded, as file_not_found.
  if (file.status !== 'uploaded' || file.bytes?.length !== file.size) {
    throw new SlackApiError('file_not_found');
  }
  return file;
}

/** Parses `blocks`, which Slack ignores when `initial_comment` is given. */
function parseBlocks(ctx: MethodContext): unknown[] | undefined {
  const blocks = ctx.args.json('blocks', 'invalid_blocks');
  if (blocks === undefined) {
    return undefined;
  }
  if (!Array.isArray(blocks)) {
    throw new SlackApiError('invalid_blocks');
  }
  return blocks;
}

/** Reads the share message's `username`, `icon_url` and `icon_emoji`, which need chat:write.customize. */
function displayOverrides(ctx: MethodContext): Pick<SimMessage, 'username' | 'iconUrl' | 'iconEmoji'> {
  const username = ctx.args.string('username');
  const iconUrl = ctx.args.string('icon_url');
  const iconEmoji = ctx.args.string('icon_emoji');
  if (username !== undefined || iconUrl !== undefined || iconEmoji !== undefined) {
    requireAnyScope(ctx.app, ['chat:write.customize']);
  }
  return {
    ...(username !== undefined ? { username } : {}),
    ...(iconUrl !== undefined ? { iconUrl } : {}),
    ...(iconEmoji !== undefined ? { iconEmoji } : {}),
  };
}

/**
 * Completes uploads and, with `channel_id`, shares the files in one bot message. Every check
 * runs before anything changes, so a failed call completes no file.
 * NOTE: the comma-separated `channels` argument is not implemented; pass `channel_id`.
 */
function filesCompleteUploadExternal(ctx: MethodContext): Record<string, unknown> {
  const entries = parseFileEntries(ctx);
  const files = entries.map((entry) => completableFile(ctx, entry.id));
  if (new Set(files).size !== files.length) {
    throw invalidArguments('files lists the same id more than once');
  }

  const channelId = ctx.args.string('channel_id');
  let conversation: Conversation | undefined;
  if (channelId !== undefined) {
    conversation = visibleConversation(ctx, channelId);
    requireBotMember(ctx, conversation);
  }

  const initialComment = ctx.args.string('initial_comment');
  const blocks = initialComment === undefined ? parseBlocks(ctx) : undefined;
  const overrides = displayOverrides(ctx);

  files.forEach((file, index) => {
    file.title = entries[index]?.title ?? file.name;
    file.status = 'complete';
  });

  if (conversation !== undefined) {
    // As with chat.postMessage, a thread_ts naming a reply puts the share in that reply's thread.
    const threadArg = ctx.args.string('thread_ts');
    const root = threadArg === undefined ? undefined : ctx.state.threadRootOf(conversation.id, threadArg);
    ctx.state.appendMessage({
      channel: conversation.id,
      user: ctx.app.botUserId,
      team: ctx.app.teamId,
      botId: ctx.app.botId,
      appId: ctx.app.appId,
      text: (initialComment ?? '').slice(0, MAX_TEXT_LENGTH),
      files: files.map((file) => file.id),
      upload: true,
      ...(blocks !== undefined ? { blocks } : {}),
      ...overrides,
      ...(root !== undefined ? { threadTs: root.ts, parentUserId: root.user } : {}),
    });
  }

  return { files: files.map((file) => ({ id: file.id, title: file.title })) };
}

function filesInfo(ctx: MethodContext): Record<string, unknown> {
  const fileId = ctx.args.requireString('file');
  const file = ctx.state.files.get(fileId);
  if (file !== undefined && file.teamId === ctx.app.teamId && file.status === 'deleted') {
    throw new SlackApiError('file_deleted');
  }
  if (file === undefined || !isFileVisibleToApp(ctx.state, file, ctx.app)) {
    throw new SlackApiError('file_not_found');
  }

  // The reference example also has response_metadata, which the java-slack-sdk sample lacks.
  // File comments are not simulated, so `comments` is always empty.
  return { file: renderFileInfo(ctx.state, file, ctx.app), comments: [] };
}

export const FILE_METHODS: Record<string, MethodHandler> = {
  'files.getUploadURLExternal': filesGetUploadURLExternal,
  'files.completeUploadExternal': filesCompleteUploadExternal,
  'files.info': filesInfo,
};
