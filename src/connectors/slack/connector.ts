// The Slack connector: the Parley app's bot for commands (in its DM), and one private
// channel per external contact and local user, where the contact's messages appear as
// bot posts under their name and avatar (chat:write.customize).

import { randomUUID } from 'node:crypto';

import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

import { channelText, hubText, proxyDisplayName } from '../../bot/render.js';
import type {
  ChannelHost,
  ChannelPlace,
  Connector,
  ConnectorContext,
  ConnectorState,
  Delivery,
  InboundRoute,
  PlatformPerson,
  RawRequest,
  RawResponse,
  PresenceSource,
  Reconciling,
  SendResult,
  FileContent,
  FileSource,
  FileTarget,
} from '../../core/connector.js';
import { FileNotDeliverableError, NotPassedOnError, ParleyError, PlatformRejectedError } from '../../core/errors.js';
import type { FileEvent, FileRef, InboundEvent, PresenceStatus } from '../../core/events.js';
import type { ConnectionId, EventId, PlatformConversationId, PlatformMessageId, PlatformUserId } from '../../core/ids.js';
import { emojiForSlackName, slackName } from '../../formats/emoji.js';
import { mentionedEmails, type RichText } from '../../core/richtext.js';
import { escapeSlack, parseSlack, renderSlack } from '../../formats/slack.js';
import { splitRich } from '../../formats/split.js';
import { download, uploadFile } from '../shared/files.js';
import { characters, splitText } from '../shared/http.js';
import { slackCall, slackClient } from './api.js';
import { parseSlackRequest, verifySlackSignature, type SlackMessageEvent } from './inbound.js';

/** Slack truncates message text beyond 40,000 characters (chat.postMessage reference). */
const maxTextCharacters = 40_000;
const requestBodyLimit = 1024 * 1024;
const deliveryEventType = 'parley_delivery';

export interface SlackSettings {
  apiUrl: string;
  botToken: string;
  signingSecret: string;
  channelPrefix: string;
  presencePolling?: boolean;
  presenceCallsPerPoll?: number;
  maxFileBytes?: number;
}

/** Slack's file host; the API's own origin (the simulator's) is accepted as well. */
const slackFileOrigin = 'https://files.slack.com';

/** Builds a Slack message id from channel and ts, since a ts is unique only within its channel. */
export function slackMessageId(channel: string, ts: string): PlatformMessageId {
  return `${channel}:${ts}` as PlatformMessageId;
}

/** Mentions looked up per message; more read as names. */
const maxMentions = 20;

export class SlackConnector implements Connector, Reconciling, PresenceSource, FileSource, FileTarget, ChannelHost {
  readonly platform = 'slack' as const;
  readonly hostsChannels = true;
  readonly maxFileBytes: number;
  private readonly client: WebClient;
  private readonly names = new Map<string, string>();
  private readonly emails = new Map<string, string>();
  /** Slack user ids by email, for mentions; null for an email no one in the workspace has. */
  private readonly idsByEmail = new Map<string, string | null>();
  /** Names and emails of the users a message mentions, once `learnMentioned` has read them. */
  private readonly known = (userId: string) => ({ name: this.names.get(userId), email: this.emails.get(userId) });
  /** Slack user ids of mentioned people, once `learnMentionIds` has looked them up. */
  private readonly mentionIds = (email: string) => this.idsByEmail.get(email) ?? undefined;
  private readonly ims = new Map<string, string>();
  private context: ConnectorContext | undefined;
  private logger: Logger | undefined;
  private botUserId = '';
  private botId = '';
  private presenceCursor = 0;
  private current: ConnectorState = { status: 'starting', since: new Date().toISOString() };

  constructor(
    readonly connectionId: ConnectionId,
    private readonly settings: SlackSettings,
  ) {
    this.client = slackClient(settings.apiUrl, settings.botToken);
    this.maxFileBytes = settings.maxFileBytes ?? 1024 * 1024 * 1024;
  }

  routes(): InboundRoute[] {
    return [
      { method: 'POST', path: `/hooks/slack/${this.connectionId}`, bodyLimit: requestBodyLimit, handle: (r) => this.handle(r) },
    ];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    try {
      const auth = await slackCall('auth.test', () => this.client.auth.test());
      this.botUserId = auth.user_id ?? '';
      this.botId = auth.bot_id ?? '';
      this.setState('connected');
    } catch (error) {
      this.setState('failed', error instanceof PlatformRejectedError ? error.platformCode : 'unreachable');
      context.logger.error({ err: error }, 'Slack bot token check failed; check slack.botToken.');
    }
  }

  /** Checks the bot token with `auth.test`. */
  async check(): Promise<void> {
    await slackCall('auth.test', () => this.client.auth.test());
  }

  async stop(): Promise<void> {
    this.setState('stopped');
  }

  state(): ConnectorState {
    return this.current;
  }

  private setState(status: ConnectorState['status'], code?: string): void {
    this.current = { status, ...(code ? { code } : {}), since: new Date().toISOString() };
    this.logger?.info({ status, code }, 'Slack connection state changed.');
  }

  private async handle(request: RawRequest): Promise<RawResponse> {
    try {
      verifySlackSignature(request.rawBody, request.headers, this.settings.signingSecret, request.receivedAt);
      const body = parseSlackRequest(request.rawBody);
      if (body.type === 'url_verification') return { status: 200, body: { challenge: body.challenge } };
      if (body.type === 'app_rate_limited') {
        this.logger?.warn({ connection: this.connectionId }, 'Slack reports that this app exceeded its event rate limit.');
        return { status: 200 };
      }

      const inbound = await this.toInbound(body.event_id, body.event);
      if (inbound) await this.context!.receive([inbound]);
      return { status: 200 };
    } catch (error) {
      const status = error instanceof ParleyError ? error.status : 500;
      this.logger?.warn({ err: error, connection: this.connectionId, status }, 'Slack event rejected.');
      // Slack retries failed deliveries; a request that can never verify should not be retried.
      const headers: Record<string, string> = status < 500 ? { 'x-slack-no-retry': '1' } : {};
      return { status, headers, body: { error: error instanceof ParleyError ? error.code : 'internal_error' } };
    }
  }

  private async toInbound(eventId: string, event: SlackMessageEvent): Promise<InboundEvent | undefined> {
    if (event.type === 'reaction_added' || event.type === 'reaction_removed') return this.reactionInbound(eventId, event);
    if (event.type === 'message' && (event.subtype === 'message_changed' || event.subtype === 'message_deleted')) {
      return this.changeInbound(eventId, event);
    }
    if (event.type === 'member_left_channel') return this.memberLeftInbound(eventId, event);
    if (event.type !== 'message' || (event.subtype !== undefined && event.subtype !== 'file_share')) return undefined;
    // The app's own posts come back as message events with its bot_id.
    if (event.bot_id !== undefined || !event.user || event.user === this.botUserId) return undefined;
    if (!event.channel || !event.ts) return undefined;

    // In a channel, a message that starts by mentioning the bot is a command to it.
    const mention = `<@${this.botUserId}>`;
    const addressed = event.channel_type !== 'im' && this.botUserId !== '' && (event.text ?? '').trimStart().startsWith(mention);
    const typed = addressed ? (event.text ?? '').trimStart().slice(mention.length).trimStart() : (event.text ?? '');
    const conversationId = event.channel as PlatformConversationId;
    let target: InboundEvent['target'];
    if (event.channel_type === 'im') target = { kind: 'bot' };
    else if (addressed) target = { kind: 'channel', conversationId, addressed: true, ...(await this.channelTitle(event.channel)) };
    // Contacts' channels are private; a public channel can only be a shared channel.
    else if (event.channel_type === 'channel') target = { kind: 'channel', conversationId };
    else target = { kind: 'proxy', conversationId };
    const profile = await this.profile(event.user);
    await this.learnMentioned(typed);

    if (event.subtype === 'file_share' || (event.files?.length ?? 0) > 0) {
      const text = typed;
      const file: FileEvent = {
        kind: 'file',
        id: randomUUID() as EventId,
        occurredAt: new Date(Number(event.ts) * 1000).toISOString(),
        from: await this.userRef(event.user),
        messageId: slackMessageId(event.channel, event.ts),
        files: (event.files ?? []).map((f) => ({
          connectionId: this.connectionId,
          handle: f.id,
          ...(f.name ? { name: f.name } : {}),
          ...(f.mimetype ? { mediaType: f.mimetype } : {}),
          ...(f.size !== undefined ? { size: f.size } : {}),
        })),
        ...(text.trim() !== '' ? { body: parseSlack(text, this.known) } : {}),
        ...(event.thread_ts && event.thread_ts !== event.ts ? { replyTo: slackMessageId(event.channel, event.thread_ts) } : {}),
      };
      if (file.files.length === 0) return undefined;
      return { platformEventId: eventId, target, event: file };
    }

    return {
      platformEventId: eventId,
      target,
      event: {
        kind: 'message',
        id: randomUUID() as EventId,
        occurredAt: new Date(Number(event.ts) * 1000).toISOString(),
        from: {
          platform: 'slack',
          connectionId: this.connectionId,
          platformUserId: event.user as PlatformUserId,
          ...(profile.email ? { email: profile.email } : {}),
          ...(profile.name ? { displayName: profile.name } : {}),
        },
        messageId: slackMessageId(event.channel, event.ts),
        body: parseSlack(typed, this.known),
        ...(event.thread_ts && event.thread_ts !== event.ts ? { replyTo: slackMessageId(event.channel, event.thread_ts) } : {}),
      },
    };
  }

  /** Reads the names and emails of the users a message mentions, so that they cross as people. */
  private async learnMentioned(text: string): Promise<void> {
    const ids = new Set([...text.matchAll(/<@([A-Z0-9]{2,32})(?:\|[^>]*)?>/g)].map((m) => m[1]!));
    for (const id of [...ids].slice(0, maxMentions)) {
      if (!this.emails.has(id)) await this.profile(id);
    }
  }

  /** Looks up the Slack users a message to this workspace mentions, so that they are notified. */
  private async learnMentionIds(body: RichText): Promise<void> {
    for (const email of mentionedEmails(body).slice(0, maxMentions)) {
      if (this.idsByEmail.has(email)) continue;
      const person = await this.findPersonByEmail(email);
      this.idsByEmail.set(email, person ? person.ref.platformUserId : null);
    }
  }

  /** Returns the channel's name as its members see it, for the mirror of a shared channel. */
  private async channelTitle(channel: string): Promise<{ title?: string }> {
    try {
      const info = await slackCall('conversations.info', () => this.client.conversations.info({ channel }));
      return info.channel?.name ? { title: `#${info.channel.name}` } : {};
    } catch (error) {
      this.logger?.warn({ err: error, platform_conversation: channel }, 'Slack conversations.info failed; the shared channel gets a generic name.');
      return {};
    }
  }

  /** Converts a member leaving a channel, or being removed (Slack does not tell which), into an event. */
  private async memberLeftInbound(eventId: string, event: SlackMessageEvent): Promise<InboundEvent | undefined> {
    if (!event.user || !event.channel || event.user === this.botUserId) return undefined;
    const member = await this.userRef(event.user);
    return {
      platformEventId: eventId,
      target: { kind: 'channel', conversationId: event.channel as PlatformConversationId },
      event: { kind: 'channel_member', id: randomUUID() as EventId, occurredAt: new Date().toISOString(), from: member, action: 'left', member },
    };
  }

  private async userRef(userId: string): Promise<InboundEvent['event']['from']> {
    const profile = await this.profile(userId);
    return {
      platform: 'slack',
      connectionId: this.connectionId,
      platformUserId: userId as PlatformUserId,
      ...(profile.email ? { email: profile.email } : {}),
      ...(profile.name ? { displayName: profile.name } : {}),
    };
  }

  /** Converts a user's edit or deletion in a proxy channel; the hub's own changes are left out. */
  private async changeInbound(eventId: string, event: SlackMessageEvent): Promise<InboundEvent | undefined> {
    const channel = event.channel;
    const before = event.previous_message;
    if (!channel || event.channel_type === 'im' || !before?.ts || !before.user || before.bot_id !== undefined) return undefined;
    const base = {
      id: randomUUID() as EventId,
      occurredAt: new Date(Number(event.ts ?? before.ts) * 1000).toISOString(),
      from: await this.userRef(before.user),
      messageId: slackMessageId(channel, before.ts),
    };
    const target = { kind: 'proxy' as const, conversationId: channel as PlatformConversationId };
    if (event.subtype === 'message_deleted') {
      return { platformEventId: eventId, target, event: { ...base, kind: 'message_delete' } };
    }
    const after = event.message;
    if (!after || after.bot_id !== undefined || after.text === before.text) return undefined;
    await this.learnMentioned(after.text ?? '');
    return {
      platformEventId: eventId,
      target,
      event: { ...base, kind: 'message_edit', body: parseSlack(after.text ?? '', this.known) },
    };
  }

  /** Converts a user's reaction in a proxy channel to a Unicode emoji; custom emoji have none. */
  private async reactionInbound(eventId: string, event: SlackMessageEvent): Promise<InboundEvent | undefined> {
    const item = event.item;
    if (!event.user || event.user === this.botUserId || item?.type !== 'message' || !item.channel || !item.ts || !event.reaction) return undefined;
    const emoji = emojiForSlackName(event.reaction);
    if (!emoji) {
      this.logger?.info({ connection: this.connectionId }, 'Slack reaction with a custom emoji has no Unicode form; not relayed.');
      return undefined;
    }
    return {
      platformEventId: eventId,
      target: { kind: 'proxy', conversationId: item.channel as PlatformConversationId },
      event: {
        kind: 'reaction',
        id: randomUUID() as EventId,
        occurredAt: new Date().toISOString(),
        from: await this.userRef(event.user),
        messageId: slackMessageId(item.channel, item.ts),
        emoji,
        action: event.type === 'reaction_added' ? 'added' : 'removed',
      },
    };
  }

  private async profile(userId: string): Promise<{ name?: string; email?: string }> {
    try {
      const info = await slackCall('users.info', () => this.client.users.info({ user: userId }));
      const name = info.user?.profile?.display_name || info.user?.real_name || info.user?.name;
      if (name) this.names.set(userId, name);
      if (info.user?.profile?.email) this.emails.set(userId, info.user.profile.email.toLowerCase());
      return { ...(name ? { name } : {}), ...(info.user?.profile?.email ? { email: info.user.profile.email.toLowerCase() } : {}) };
    } catch (error) {
      this.logger?.warn({ err: error, platform_user: userId }, 'Slack users.info failed; continuing without the name.');
      return {};
    }
  }

  /**
   * Slack sends bots no presence events, so with `presencePolling` on, the hub reads
   * users.getPresence (Tier 3), at most `presenceCallsPerPoll` users per poll, in turns.
   * Slack reports only active or away for other users.
   */
  async readPresence(users: PlatformUserId[]): Promise<Map<PlatformUserId, PresenceStatus>> {
    const result = new Map<PlatformUserId, PresenceStatus>();
    if (!this.settings.presencePolling || users.length === 0) return result;
    const budget = Math.min(users.length, this.settings.presenceCallsPerPoll ?? 40);
    const sorted = [...users].sort();
    for (let i = 0; i < budget; i++) {
      const user = sorted[(this.presenceCursor + i) % sorted.length]!;
      const answer = await slackCall('users.getPresence', () => this.client.users.getPresence({ user }));
      result.set(user, answer.presence === 'active' ? 'available' : 'away');
    }
    this.presenceCursor = (this.presenceCursor + budget) % sorted.length;
    return result;
  }

  async findPersonByEmail(email: string): Promise<PlatformPerson | undefined> {
    try {
      const result = await slackCall('users.lookupByEmail', () => this.client.users.lookupByEmail({ email }));
      const user = result.user;
      if (!user?.id || user.is_bot || user.deleted) return undefined;
      const displayName = user.profile?.display_name || user.real_name || user.name || email;
      return {
        ref: { platform: 'slack', connectionId: this.connectionId, platformUserId: user.id as PlatformUserId, email, displayName },
        displayName,
        email,
        ...(user.profile?.image_72 ? { avatarUrl: user.profile.image_72 } : {}),
        ...(user.profile?.title ? { title: user.profile.title } : {}),
      };
    } catch (error) {
      if (error instanceof PlatformRejectedError && error.platformCode === 'users_not_found') return undefined;
      throw error;
    }
  }

  private parts(delivery: Delivery): string[] {
    const hub = hubText(delivery.event, delivery.sender);
    if (hub === undefined && delivery.event.kind === 'message') {
      // Split on the tree, so that no part cuts a code block, a link or a character.
      const render = (part: RichText) => renderSlack(part, this.mentionIds);
      return splitRich(delivery.event.body, { size: (part) => render(part).length, limit: maxTextCharacters }).map(render);
    }
    return splitText(escapeSlack(hub ?? ''), maxTextCharacters, characters);
  }

  private async imWith(userId: string): Promise<string> {
    const known = this.ims.get(userId);
    if (known) return known;
    const opened = await slackCall('conversations.open', () => this.client.conversations.open({ users: userId }));
    const channel = opened.channel?.id;
    if (!channel) throw new PlatformRejectedError('no_channel', 'Slack conversations.open returned no channel.');
    this.ims.set(userId, channel);
    return channel;
  }

  /** Opens the private channel in which a contact's proxy talks to one local user. */
  private openProxyChannel(delivery: Delivery & { sender: { kind: 'proxy' } }): Promise<string> {
    const base = `${this.settings.channelPrefix}${slug(delivery.sender.person.displayName)}-${slug(delivery.sender.person.domain)}`.slice(0, 72);
    return this.createPrivateChannel(base, delivery.recipient.platformUserId);
  }

  /** Creates a private channel named `base`, or `base-2` and so on when taken, and invites the user. */
  private async createPrivateChannel(base: string, userId: string, onCreated?: (channel: string) => Promise<void>): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const name = attempt === 0 ? base : `${base}-${attempt + 1}`;
      try {
        const created = await slackCall('conversations.create', () => this.client.conversations.create({ name, is_private: true }));
        const channel = created.channel?.id;
        if (!channel) throw new PlatformRejectedError('no_channel', 'Slack conversations.create returned no channel.');
        await onCreated?.(channel);
        await slackCall('conversations.invite', () => this.client.conversations.invite({ channel, users: userId }));
        return channel;
      } catch (error) {
        if (error instanceof PlatformRejectedError && error.platformCode === 'name_taken') continue;
        throw error;
      }
    }
    // The base name may repeat a channel title, which stays out of errors and logs.
    throw new PlatformRejectedError('name_taken', `Slack has no free channel name with the prefix ${this.settings.channelPrefix} and this name; archive or rename older channels.`);
  }

  /** Edits, deletes or reacts to the hub's copy of a message, given as `channel:ts`. */
  private async sendFollowUp(event: Extract<Delivery['event'], { kind: 'message_edit' | 'message_delete' | 'reaction' }>): Promise<SendResult> {
    const [channel = '', ts = ''] = event.messageId.split(':');
    switch (event.kind) {
      case 'message_edit': {
        await this.learnMentionIds(event.body);
        const text = renderSlack(event.body, this.mentionIds);
        await slackCall('chat.update', () => this.client.chat.update({ channel, ts, text: splitText(text, maxTextCharacters, characters)[0] ?? '' }));
        return { messageIds: [] };
      }
      case 'message_delete':
        try {
          await slackCall('chat.delete', () => this.client.chat.delete({ channel, ts }));
        } catch (error) {
          if (!(error instanceof PlatformRejectedError && error.platformCode === 'message_not_found')) throw error;
        }
        return { messageIds: [] };
      case 'reaction': {
        const name = slackName(event.emoji);
        if (!name) throw new NotPassedOnError('unknown_emoji', 'Slack has no name for that emoji, so it cannot show it as a reaction');
        try {
          if (event.action === 'added') await slackCall('reactions.add', () => this.client.reactions.add({ channel, timestamp: ts, name }));
          else await slackCall('reactions.remove', () => this.client.reactions.remove({ channel, timestamp: ts, name }));
        } catch (error) {
          // Adding twice or removing what is not there leaves Slack as the sender wants it.
          if (!(error instanceof PlatformRejectedError && ['already_reacted', 'no_reaction'].includes(error.platformCode))) throw error;
        }
        return { messageIds: [] };
      }
    }
  }

  /**
   * Opens a file a Slack user shared: files.info (files:read) names it and gives its private
   * URL, which is read with the bot token, and only on Slack's own hosts.
   */
  async openFile(ref: FileRef, signal: AbortSignal): Promise<Omit<FileContent, 'size' | 'name'> & { size?: number; name?: string }> {
    let info;
    try {
      info = await slackCall('files.info', () => this.client.files.info({ file: ref.handle }));
    } catch (error) {
      if (error instanceof PlatformRejectedError && ['file_not_found', 'file_deleted'].includes(error.platformCode)) {
        throw new FileNotDeliverableError('file_gone', 'it was deleted on Slack before it could be passed on');
      }
      throw error;
    }
    const url = info.file?.url_private_download ?? info.file?.url_private;
    const allowed = [slackFileOrigin, new URL(this.settings.apiUrl).origin];
    if (!url || !URL.canParse(url) || !allowed.includes(new URL(url).origin)) {
      throw new FileNotDeliverableError('file_handle_invalid', 'Slack named a file location outside its own hosts');
    }
    const downloaded = await download(url, {
      headers: { authorization: `Bearer ${this.settings.botToken}` },
      signal,
      where: 'Slack file download',
      redirect: 'follow',
      explain: (response) =>
        // Without files:read, Slack responds with its sign-in page rather than the file.
        response.ok && (response.headers.get('content-type') ?? '').startsWith('text/html') && info.file?.mimetype !== 'text/html'
          ? new PlatformRejectedError('missing_scope', 'Slack served a sign-in page instead of the file; add the files:read scope to the Parley app.')
          : undefined,
    });
    return {
      ...downloaded,
      mediaType: info.file?.mimetype ?? downloaded.mediaType,
      ...(info.file?.name ? { name: info.file.name } : {}),
      ...(info.file?.size !== undefined && downloaded.size === undefined ? { size: info.file.size } : {}),
    };
  }

  /**
   * Shares each file into the proxy channel through Slack's external upload flow: ask for an
   * upload URL, stream the bytes to it, then complete the upload into the channel. Files are
   * posted by the bot, so a comment names the contact who sent them.
   */
  private async sendFiles(delivery: Delivery, event: FileEvent, channel: string): Promise<PlatformMessageId[]> {
    const sender = delivery.sender;
    if (sender.kind === 'bot' || !delivery.openFile) throw new PlatformRejectedError('no_conversation', 'A file needs a proxy conversation and a source.');
    const threadTs = event.replyTo?.startsWith(`${channel}:`) ? event.replyTo.slice(channel.length + 1) : undefined;
    const ids: PlatformMessageId[] = [];
    for (const ref of event.files) {
      const file = await delivery.openFile(ref);
      let fileId: string;
      try {
        const slot = await slackCall('files.getUploadURLExternal', () =>
          this.client.files.getUploadURLExternal({ filename: file.name, length: file.size }),
        );
        if (!slot.upload_url || !slot.file_id) throw new PlatformRejectedError('no_upload_url', 'Slack files.getUploadURLExternal returned no upload URL.');
        fileId = slot.file_id;
        // Noted before the share, so that a share whose outcome is lost can be found again.
        await this.context!.setState(`upload:${delivery.id}`, fileId);
        await uploadFile(slot.upload_url, file, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, signal: delivery.signal, where: 'The Slack file upload' });
      } finally {
        file.body.destroy();
      }
      await slackCall('files.completeUploadExternal', () =>
        this.client.files.completeUploadExternal({
          files: [{ id: fileId, title: file.name }],
          channel_id: channel,
          initial_comment: `*${escapeSlack(proxyDisplayName(sender))}* sent a file.`,
          ...(threadTs ? { thread_ts: threadTs } : {}),
        }),
      );
      const ts = await this.sharedTs(fileId, channel);
      if (ts) ids.push(slackMessageId(channel, ts));
    }
    return ids;
  }

  /** Returns the ts of the message that shared a file into a channel, for the message-id map. */
  private async sharedTs(fileId: string, channel: string): Promise<string | undefined> {
    try {
      const info = await slackCall('files.info', () => this.client.files.info({ file: fileId }));
      const shares = (info.file?.shares ?? {}) as Record<string, Record<string, Array<{ ts?: string }>> | undefined>;
      return shares.private?.[channel]?.[0]?.ts ?? shares.public?.[channel]?.[0]?.ts;
    } catch (error) {
      // The file is shared; without its ts only later edits and deletions of it are lost.
      this.logger?.warn({ err: error, connection: this.connectionId }, 'Slack files.info failed after an upload; the shared file is not in the message-id map.');
      return undefined;
    }
  }

  /**
   * Delivers into a shared channel or its mirror. Posts are the bot's, named after their
   * sender; the mirror is a private channel the bot creates for the first invitee.
   */
  private async sendToChannel(delivery: Delivery, place: ChannelPlace): Promise<SendResult> {
    const event = delivery.event;
    if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') return this.sendFollowUp(event);
    let channel: string | undefined = place.conversationId;
    if (event.kind === 'channel_invite' && place.role === 'mirror') {
      // A channel made by an attempt whose outcome was lost is used again, not made twice.
      const pending = `mirror:${delivery.id}`;
      channel ??= await this.context!.getState(pending);
      channel ??= await this.createPrivateChannel(`${this.settings.channelPrefix}${slug(place.title, 'shared')}`.slice(0, 72), event.invitee.platformUserId, (made) =>
        this.context!.setState(pending, made),
      );
      await this.invite(channel, event.invitee.platformUserId);
      const ids = await this.post(channel, [escapeSlack(channelText(event, place, 'channel'))], { kind: 'bot' }, delivery.id);
      return { messageIds: ids, channel: { conversationId: channel as PlatformConversationId, data: {} } };
    }
    if (!channel) throw new PlatformRejectedError('no_conversation', 'The shared channel has no Slack channel yet.');
    if (event.kind === 'channel_member' && place.role === 'mirror') {
      try {
        await slackCall('conversations.kick', () => this.client.conversations.kick({ channel, user: event.member.platformUserId }));
      } catch (error) {
        // Already gone: the removal has nothing left to do.
        if (!(error instanceof PlatformRejectedError && ['not_in_channel', 'channel_not_found'].includes(error.platformCode))) throw error;
      }
      return { messageIds: [] };
    }
    if (event.kind === 'channel_invite' || event.kind === 'channel_member') {
      return { messageIds: await this.post(channel, [escapeSlack(channelText(event, place, 'channel'))], { kind: 'bot' }, delivery.id) };
    }
    if (event.kind === 'file') return { messageIds: await this.sendFiles(delivery, event, channel) };
    if (event.kind !== 'message') return { messageIds: [] };
    const threadTs = event.replyTo?.startsWith(`${channel}:`) ? event.replyTo.slice(channel.length + 1) : undefined;
    return { messageIds: await this.post(channel, this.parts(delivery), delivery.sender, delivery.id, threadTs) };
  }

  /** Invites a user into a channel; one already there is left as they are. */
  private async invite(channel: string, userId: string): Promise<void> {
    try {
      await slackCall('conversations.invite', () => this.client.conversations.invite({ channel, users: userId }));
    } catch (error) {
      if (!(error instanceof PlatformRejectedError && error.platformCode === 'already_in_channel')) throw error;
    }
  }

  /** Posts text parts as the bot, under the sender's name when it is a person's. */
  private async post(channel: string, parts: string[], sender: Delivery['sender'], deliveryId: string, threadTs?: string): Promise<PlatformMessageId[]> {
    const ids: PlatformMessageId[] = [];
    for (const text of parts) {
      const posted = await slackCall('chat.postMessage', () =>
        this.client.chat.postMessage({
          channel,
          text,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(sender.kind !== 'bot'
            ? { username: proxyDisplayName(sender), ...(sender.person.avatarUrl ? { icon_url: sender.person.avatarUrl } : {}) }
            : {}),
          metadata: { event_type: deliveryEventType, event_payload: { delivery_id: deliveryId } },
        }),
      );
      ids.push(slackMessageId(channel, posted.ts ?? ''));
    }
    return ids;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    if (delivery.event.kind === 'message') await this.learnMentionIds(delivery.event.body);
    if (delivery.channel) return this.sendToChannel(delivery, delivery.channel);
    const event = delivery.event;
    if (event.kind === 'message_edit' || event.kind === 'message_delete' || event.kind === 'reaction') return this.sendFollowUp(event);
    // Presence, typing and roster changes have no form in a Slack channel.
    if (event.kind !== 'message' && event.kind !== 'file' && hubText(event, delivery.sender) === undefined) return { messageIds: [] };
    const sender = delivery.sender;
    if (sender.kind === 'member') throw new PlatformRejectedError('no_conversation', 'A channel member can only post into a shared channel.');
    let channel: string;
    let binding: SendResult['binding'];
    if (sender.kind === 'bot') {
      channel = await this.imWith(delivery.recipient.platformUserId);
    } else if (sender.binding) {
      channel = sender.binding.conversationId;
    } else {
      channel = await this.openProxyChannel({ ...delivery, sender });
      binding = { contactId: sender.contactId, conversationId: channel as PlatformConversationId, data: {} };
    }

    if (event.kind === 'file') return { messageIds: await this.sendFiles(delivery, event, channel), ...(binding ? { binding } : {}) };

    // Slack threads are one level deep. NOTE: when the ts names a reply, Slack is taken to
    // file the post under that thread's first message, as the simulator does; unverified.
    const threadTs = event.kind === 'message' && event.replyTo?.startsWith(`${channel}:`) ? event.replyTo.slice(channel.length + 1) : undefined;
    const ids = await this.post(channel, this.parts(delivery), sender, delivery.id, threadTs);
    return { messageIds: ids, ...(binding ? { binding } : {}) };
  }

  /**
   * Finds the delivery's posts by the delivery id the hub put in their message metadata, or
   * a file by the id Slack gave its upload, when it was shared into the channel.
   */
  async findDelivered(delivery: Delivery, since: Date): Promise<SendResult | undefined> {
    const sender = delivery.sender;
    let channel = delivery.channel?.conversationId as string | undefined;
    if (!channel && sender.kind === 'bot') channel = await this.imWith(delivery.recipient.platformUserId);
    if (!channel && sender.kind === 'proxy') channel = sender.binding?.conversationId;
    if (!channel) return undefined;

    if (delivery.event.kind === 'file') {
      const fileId = await this.context!.getState(`upload:${delivery.id}`);
      const ts = fileId ? await this.sharedTs(fileId, channel) : undefined;
      return ts ? { messageIds: [slackMessageId(channel, ts)] } : undefined;
    }

    const history = await slackCall('conversations.history', () =>
      this.client.conversations.history({
        channel,
        oldest: String(Math.floor(since.getTime() / 1000) - 60),
        limit: 100,
        include_all_metadata: true,
      }),
    );
    const ids = (history.messages ?? [])
      .filter((m) => {
        const payload = (m as { metadata?: { event_type?: string; event_payload?: { delivery_id?: string } } }).metadata;
        return payload?.event_type === deliveryEventType && payload.event_payload?.delivery_id === delivery.id;
      })
      .map((m) => slackMessageId(channel, m.ts ?? ''));
    return ids.length > 0 ? { messageIds: ids.reverse() } : undefined;
  }
}

function slug(value: string, fallback = 'contact'): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30) || fallback;
}
