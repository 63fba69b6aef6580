// Actions of a person in the Slack client: post, edit, delete, react. The test helpers and
// the console both call these, so their messages raise the same events.

import { randomUUID } from 'node:crypto';

import type { SimMessage } from './model.js';
import { MAX_TEXT_LENGTH } from './state.js';
import type { SlackState } from './state.js';

export interface PostOptions {
  /** Reply in the thread of this message ts. */
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

  let thread: { threadTs: string; parentUserId: string } | undefined;
  if (options.threadTs !== undefined) {
    const parent = state.findMessage(conversation.id, options.threadTs);
    if (parent === undefined) {
      throw new Error(`Thread parent ${options.threadTs} not found in ${channel}.`);
    }
    const rootTs = parent.threadTs ?? parent.ts;
    const root = state.findMessage(conversation.id, rootTs) ?? parent;
    thread = { threadTs: root.ts, parentUserId: root.user };
  }

  const clipped = text.slice(0, MAX_TEXT_LENGTH);
  return state.appendMessage({
    channel: conversation.id,
    user: userId,
    team: state.requireUser(userId).teamId,
    text: clipped,
    clientMsgId: randomUUID(),
    blocks: richTextBlocks(clipped),
    ...(thread ?? {}),
  });
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
