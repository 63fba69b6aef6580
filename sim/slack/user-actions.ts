// Actions of a person in the Slack client: post, share a file, edit, delete, react. The test
// helpers and the console both call these, so their messages raise the same events.

import { randomUUID } from 'node:crypto';

import type { Conversation, SimFile, SimMessage } from './model.js';
import { MAX_TEXT_LENGTH } from './state.js';
import type { SlackState } from './state.js';

export interface PostOptions {
  /** Reply in the thread of this message ts. */
  threadTs?: string;
}

export interface SharedFile {
  /** File name, kept exactly as given. */
  name: string;
  /** Media type, such as `application/pdf`. */
  mediaType: string;
  bytes: Buffer;
  /** Title; defaults to the name. */
  title?: string;
  /** Message text typed with the file. */
  text?: string;
  /** Share in the thread of this message ts. */
  threadTs?: string;
}

/** The block the Slack client attaches to a typed message. */
function richTextBlocks(text: string): unknown[] {
  return [
    {
      type: 'rich_text',
      block_id: randomUUID().slice(0, 5),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}

function memberConversation(state: SlackState, userId: string, channel: string) {
  state.requireUser(userId);
  const conversation = state.conversations.get(channel);
  if (conversation === undefined) {
    throw new Error(`Conversation ${channel} not found; open or create it first.`);
  }
  if (!conversation.members.includes(userId)) {
    throw new Error(`User ${userId} is not a member of ${channel}; invite the user first.`);
  }
  return conversation;
}

/** Posts `text` as a person, with the rich_text block the Slack client adds; returns the message. */
export function postAsUser(state: SlackState, userId: string, channel: string, text: string, options: PostOptions = {}): SimMessage {
  const conversation = memberConversation(state, userId, channel);
  if (text.length === 0) {
    throw new Error('Message text is empty; Slack clients do not send empty messages.');
  }

  const clipped = text.slice(0, MAX_TEXT_LENGTH);
  return state.appendMessage({
    channel: conversation.id,
    user: userId,
    team: state.requireUser(userId).teamId,
    text: clipped,
    clientMsgId: randomUUID(),
    blocks: richTextBlocks(clipped),
    ...threadFields(state, conversation, options.threadTs),
  });
}

/** Returns the thread fields of a reply to `threadTs`, which may name the root or another reply. */
function threadFields(state: SlackState, conversation: Conversation, threadTs: string | undefined): Pick<SimMessage, 'threadTs' | 'parentUserId'> {
  if (threadTs === undefined) {
    return {};
  }
  const root = state.threadRootOf(conversation.id, threadTs);
  if (root === undefined) {
    throw new Error(`Thread parent ${threadTs} not found in ${conversation.id}.`);
  }
  return { threadTs: root.ts, parentUserId: root.user };
}

/**
 * Shares a file as a person: stores it and posts a `file_share` message with the optional
 * text, which raises a message event like any post.
 */
export function shareFileAsUser(
  state: SlackState,
  userId: string,
  channel: string,
  input: SharedFile,
): { message: SimMessage; file: SimFile } {
  const conversation = memberConversation(state, userId, channel);
  if (input.name.length === 0) {
    throw new Error('File name is empty; give the file a name such as report.pdf.');
  }
  if (input.bytes.length === 0) {
    throw new Error(`File ${input.name} is empty; Slack does not accept empty files.`);
  }
  if (input.bytes.length > state.files.maxFileBytes) {
    throw new Error(`File ${input.name} has ${input.bytes.length} bytes, more than maxFileBytes (${state.files.maxFileBytes}).`);
  }
  const thread = threadFields(state, conversation, input.threadTs);

  const user = state.requireUser(userId);
  const file = state.files.addComplete(
    {
      teamId: user.teamId,
      user: userId,
      name: input.name,
      mediaType: input.mediaType,
      ...(input.title !== undefined ? { title: input.title } : {}),
    },
    Buffer.from(input.bytes),
  );

  const text = (input.text ?? '').slice(0, MAX_TEXT_LENGTH);
  const message = state.appendMessage({
    channel: conversation.id,
    user: userId,
    team: user.teamId,
    text,
    files: [file.id],
    upload: true,
    ...(text.length > 0 ? { blocks: richTextBlocks(text) } : {}),
    ...thread,
  });
  return { message, file };
}

function ownMessage(state: SlackState, userId: string, channel: string, ts: string): SimMessage {
  memberConversation(state, userId, channel);
  const message = state.findMessage(channel, ts);
  if (message === undefined) {
    throw new Error(`Message ${ts} not found in ${channel}.`);
  }
  if (message.user !== userId || message.botId !== undefined) {
    throw new Error(`Message ${ts} in ${channel} was not posted by ${userId}; people edit only their own messages.`);
  }
  return message;
}

export function editAsUser(state: SlackState, userId: string, channel: string, ts: string, text: string): SimMessage {
  const message = ownMessage(state, userId, channel, ts);
  const clipped = text.slice(0, MAX_TEXT_LENGTH);
  return state.updateMessage(message, { text: clipped, blocks: richTextBlocks(clipped) }, userId);
}

export function deleteAsUser(state: SlackState, userId: string, channel: string, ts: string): void {
  state.deleteMessage(ownMessage(state, userId, channel, ts));
}

export function reactAsUser(state: SlackState, userId: string, channel: string, ts: string, name: string): void {
  memberConversation(state, userId, channel);
  const message = state.findMessage(channel, ts);
  if (message === undefined) {
    throw new Error(`Message ${ts} not found in ${channel}.`);
  }
  state.addReaction(message, userId, name);
}
