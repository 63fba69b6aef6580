// In-memory workspaces, users, apps, conversations and messages. Every message change is
// reported to the change listeners, which is how the Events API learns about it.

import { botToken, randomHex, randomId, TsClock } from './ids.js';
import { SlackApiError } from './errors.js';
import { DEFAULT_MAX_FILE_BYTES, FileStore } from './files.js';
import type {
  Conversation,
  EphemeralMessage,
  InstalledApp,
  SimMessage,
  SimUser,
  StateChange,
  Workspace,
} from './model.js';

/** Slack truncates message text beyond this many characters (chat.postMessage reference). */
export const MAX_TEXT_LENGTH = 40_000;

/** Slack's channel name limit (conversations.create reference). */
const MAX_CHANNEL_NAME_LENGTH = 80;

const DEFAULT_AVATAR = 'https://a.slack-edge.example/avatar-72.png';

export interface NewUser {
  email: string;
  realName: string;
  displayName?: string;
  title?: string;
  image?: string;
  tz?: string;
}

export interface NewApp {
  scopes: readonly string[];
  name?: string;
  /** Stored without the url_verification handshake; use `setRequestUrl` to verify one. */
  requestUrl?: string;
}

export type StateListener = (change: StateChange) => void;

export interface SlackStateOptions {
  /** Largest file in bytes, default 1 GiB. */
  maxFileBytes?: number;
}

export class SlackState {
  readonly workspaces = new Map<string, Workspace>();
  readonly users = new Map<string, SimUser>();
  readonly apps = new Map<string, InstalledApp>();
  readonly conversations = new Map<string, Conversation>();
  readonly ephemerals: EphemeralMessage[] = [];
  readonly clock = new TsClock();
  readonly files: FileStore;

  private readonly appsByToken = new Map<string, InstalledApp>();
  private readonly history = new Map<string, SimMessage[]>();
  private readonly listeners: StateListener[] = [];

  constructor(options: SlackStateOptions = {}) {
    this.files = new FileStore(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  }

  onChange(listener: StateListener): void {
    this.listeners.push(listener);
  }

  private emit(change: StateChange): void {
    for (const listener of this.listeners) {
      listener(change);
    }
  }

  addWorkspace(input: { domain: string; name: string }): Workspace {
    const workspace: Workspace = { id: randomId('T'), domain: input.domain, name: input.name };
    this.workspaces.set(workspace.id, workspace);
    return workspace;
  }

  addUser(teamId: string, input: NewUser): SimUser {
    this.requireWorkspace(teamId);
    if (this.userByEmail(teamId, input.email) !== undefined) {
      throw new Error(`User email ${input.email} already exists in workspace ${teamId}; use another email.`);
    }

    const handle = (input.email.split('@')[0] ?? input.email).toLowerCase();
    const user: SimUser = {
      id: randomId('U'),
      teamId,
      name: handle,
      realName: input.realName,
      displayName: input.displayName ?? input.realName,
      email: input.email,
      title: input.title ?? '',
      image72: input.image ?? DEFAULT_AVATAR,
      tz: input.tz ?? 'Europe/Berlin',
      isBot: false,
      updated: Math.floor(Date.now() / 1000),
    };
    this.users.set(user.id, user);
    return user;
  }

  installApp(teamId: string, input: NewApp): InstalledApp {
    this.requireWorkspace(teamId);

    const name = input.name ?? 'Parley';
    const appId = randomId('A');
    const botId = randomId('B');
    const botUser: SimUser = {
      id: randomId('U'),
      teamId,
      name: name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'),
      realName: name,
      displayName: name,
      title: '',
      image72: DEFAULT_AVATAR,
      tz: 'America/Los_Angeles',
      isBot: true,
      botId,
      appId,
      updated: Math.floor(Date.now() / 1000),
    };
    this.users.set(botUser.id, botUser);

    const app: InstalledApp = {
      appId,
      teamId,
      name,
      botUserId: botUser.id,
      botId,
      botToken: botToken(),
      scopes: new Set(input.scopes),
      signingSecret: randomHex(16),
      verificationToken: randomId('', 24),
      ...(input.requestUrl !== undefined ? { requestUrl: input.requestUrl } : {}),
    };
    this.apps.set(appId, app);
    this.appsByToken.set(app.botToken, app);
    return app;
  }

  appByToken(token: string): InstalledApp | undefined {
    return this.appsByToken.get(token);
  }

  appByBotId(botId: string): InstalledApp | undefined {
    return [...this.apps.values()].find((app) => app.botId === botId);
  }

  requireWorkspace(teamId: string): Workspace {
    const workspace = this.workspaces.get(teamId);
    if (workspace === undefined) {
      throw new Error(`Workspace ${teamId} not found; create it with addWorkspace first.`);
    }
    return workspace;
  }

  requireUser(userId: string): SimUser {
    const user = this.users.get(userId);
    if (user === undefined) {
      throw new Error(`User ${userId} not found; create it with addUser first.`);
    }
    return user;
  }

  userByEmail(teamId: string, email: string): SimUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.teamId === teamId && user.email?.toLowerCase() === wanted);
  }

  usersOf(teamId: string): SimUser[] {
    return [...this.users.values()].filter((user) => user.teamId === teamId);
  }

  /** Returns the im between two users of one workspace, creating it on first use. */
  openIm(userA: string, userB: string): Conversation {
    const a = this.requireUser(userA);
    const b = this.requireUser(userB);
    if (a.teamId !== b.teamId) {
      throw new SlackApiError('user_not_found');
    }

    const existing = [...this.conversations.values()].find(
      (c) => c.type === 'im' && c.members.includes(userA) && c.members.includes(userB),
    );
    if (existing !== undefined) {
      return existing;
    }

    return this.addConversation({ teamId: a.teamId, type: 'im', creator: userA, members: [userA, userB] });
  }

  /** Returns the group im of exactly these users, creating it on first use. */
  openMpim(userIds: readonly string[]): Conversation {
    const users = userIds.map((id) => this.requireUser(id));
    const teamId = users[0]?.teamId ?? '';
    const wanted = [...new Set(userIds)].sort().join(',');

    const existing = [...this.conversations.values()].find(
      (c) => c.type === 'mpim' && [...c.members].sort().join(',') === wanted,
    );
    if (existing !== undefined) {
      return existing;
    }

    return this.addConversation({ teamId, type: 'mpim', creator: userIds[0] ?? '', members: [...new Set(userIds)] });
  }

  /** Creates a channel after Slack's name checks; the creator becomes its first member. */
  createChannel(teamId: string, name: string, isPrivate: boolean, creator: string): Conversation {
    validateChannelName(name);
    const taken = [...this.conversations.values()].some((c) => c.teamId === teamId && c.name === name);
    if (taken) {
      throw new SlackApiError('name_taken');
    }

    return this.addConversation({ teamId, type: isPrivate ? 'private' : 'public', name, creator, members: [creator] });
  }

  private addConversation(input: Omit<Conversation, 'id' | 'created'>): Conversation {
    const prefix = input.type === 'im' ? 'D' : input.type === 'mpim' ? 'G' : 'C';
    const conversation: Conversation = { ...input, id: randomId(prefix), created: Math.floor(Date.now() / 1000) };
    this.conversations.set(conversation.id, conversation);
    this.history.set(conversation.id, []);
    return conversation;
  }

  channelByName(teamId: string, name: string): Conversation | undefined {
    return [...this.conversations.values()].find((c) => c.teamId === teamId && c.name === name);
  }

  join(conversation: Conversation, userId: string): void {
    if (!conversation.members.includes(userId)) {
      conversation.members.push(userId);
    }
  }

  leave(conversation: Conversation, userId: string): void {
    const was = conversation.members.includes(userId);
    conversation.members = conversation.members.filter((member) => member !== userId);
    if (was && (conversation.type === 'public' || conversation.type === 'private')) {
      this.emit({ kind: 'member_left', channel: conversation.id, user: userId, eventTs: this.clock.next() });
    }
  }

  /** All messages of a conversation, thread replies included, oldest first. */
  messagesOf(channel: string): SimMessage[] {
    return this.history.get(channel) ?? [];
  }

  findMessage(channel: string, ts: string): SimMessage | undefined {
    return this.messagesOf(channel).find((message) => message.ts === ts);
  }

  /** Returns the root of the thread that message `ts` is in: the message itself unless it is a reply. */
  threadRootOf(channel: string, ts: string): SimMessage | undefined {
    const message = this.findMessage(channel, ts);
    if (message?.threadTs === undefined) {
      return message;
    }
    return this.findMessage(channel, message.threadTs) ?? message;
  }

  /** Returns the messages that share the file, across all conversations. */
  messagesWithFile(fileId: string): SimMessage[] {
    return [...this.history.values()].flat().filter((message) => message.files?.includes(fileId) === true);
  }

  /** Stores a new message (text already truncated by the caller) and reports it. */
  appendMessage(input: Omit<SimMessage, 'ts' | 'reactions'>): SimMessage {
    const list = this.history.get(input.channel);
    if (list === undefined) {
      throw new SlackApiError('channel_not_found');
    }

    const message: SimMessage = { ...input, ts: this.clock.next(), reactions: [] };
    list.push(message);
    this.emit({ kind: 'message_posted', message });
    return message;
  }

  updateMessage(message: SimMessage, changes: Partial<Pick<SimMessage, 'text' | 'blocks' | 'metadata'>>, editor: string): SimMessage {
    const previous = structuredClone(message);
    Object.assign(message, changes, { edited: { user: editor, ts: this.clock.next() } });
    this.emit({ kind: 'message_changed', message, previous });
    return message;
  }

  deleteMessage(message: SimMessage): void {
    const list = this.history.get(message.channel) ?? [];
    this.history.set(message.channel, list.filter((m) => m !== message));
    this.emit({ kind: 'message_deleted', previous: message, eventTs: this.clock.next() });
  }

  addReaction(message: SimMessage, user: string, name: string): void {
    let reaction = message.reactions.find((r) => r.name === name);
    if (reaction === undefined) {
      reaction = { name, users: [] };
      message.reactions.push(reaction);
    }
    if (reaction.users.includes(user)) {
      throw new SlackApiError('already_reacted');
    }

    reaction.users.push(user);
    this.emit({ kind: 'reaction_added', message, user, reaction: name, eventTs: this.clock.next() });
  }

  removeReaction(message: SimMessage, user: string, name: string): void {
    const reaction = message.reactions.find((r) => r.name === name);
    if (reaction === undefined || !reaction.users.includes(user)) {
      throw new SlackApiError('no_reaction');
    }

    reaction.users = reaction.users.filter((u) => u !== user);
    message.reactions = message.reactions.filter((r) => r.users.length > 0);
    this.emit({ kind: 'reaction_removed', message, user, reaction: name, eventTs: this.clock.next() });
  }
}

/**
 * Applies conversations.create's name rules: lower-case letters, digits, hyphens and
 * underscores, at most 80 characters, not only punctuation.
 * NOTE: real Slack also allows some non-Latin letters; this check rejects them.
 */
export function validateChannelName(name: string): void {
  if (name.length === 0) {
    throw new SlackApiError('invalid_name_required');
  }
  if (name.length > MAX_CHANNEL_NAME_LENGTH) {
    throw new SlackApiError('invalid_name_maxlength');
  }
  if (/^[-_]+$/.test(name)) {
    throw new SlackApiError('invalid_name_punctuation');
  }
  if (!/^[a-z0-9_-]+$/.test(name)) {
    throw new SlackApiError('invalid_name_specials');
  }
}
