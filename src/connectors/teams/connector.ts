// The Microsoft Teams connector: the Parley bot in a Teams app, reached through the Bot
// Framework. Every user has one 1:1 conversation with the bot; it carries the bot's
// commands and every external contact's messages, each named after its sender. A user's own
// message goes to the contact whose message they reply to, the contact they chose with
// `chat <email>`, or their only contact.

import { randomUUID } from 'node:crypto';

import type { Logger } from 'pino';

import { commandNames } from '../../bot/commands.js';
import { hubText, proxyDisplayName } from '../../bot/render.js';
import type {
  Connector,
  ConnectorContext,
  ConnectorState,
  Delivery,
  FileContent,
  FileSource,
  FileTarget,
  InboundRoute,
  PlatformPerson,
  RawRequest,
  RawResponse,
  SendResult,
  TypingSink,
} from '../../core/connector.js';
import { NotPassedOnError, ParleyError, PayloadInvalidError, PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';
import type { CanonicalEvent, FileEvent, FileRef, InboundEvent, UserRef } from '../../core/events.js';
import type { ConnectionId, EventId, PlatformConversationId, PlatformMessageId, PlatformUserId } from '../../core/ids.js';
import { mentionedEmails, type Block, type Inline, type RichText } from '../../core/richtext.js';
import { parseMarkdown } from '../../formats/markdown.js';
import { placeholder, placeholderIndex, placeholders } from '../../formats/placeholders.js';
import { parsePlain } from '../../formats/plain.js';
import { parseTeamsXml } from '../../formats/teams-xml.js';
import { splitRich } from '../../formats/split.js';
import { renderWebexMarkdown } from '../../formats/webex.js';
import { assertPublicUrl, downloadFromUserUrl, uploadFile } from '../shared/files.js';
import { splitText, utf8Bytes } from '../shared/http.js';
import { ConnectorApi } from './api.js';
import { ActivityAuthenticator } from './auth.js';
import type { TeamsConfig } from './config.js';
import { ConversationPacer } from './pace.js';
import { activitySchema, type Activity } from './activity.js';
import { contactRequestCard, fileConsentCard, fileInfoCard } from './cards.js';
import { TokenClient } from './token.js';

type Settings = Omit<TeamsConfig, 'appPassword'> & { appPassword: string };

/** Activities are a few kilobytes; Teams caps messages near 100 KB. */
const requestBodyLimit = 512 * 1024;
/** Maximum time one upload of an accepted file may take. */
const uploadTimeoutMs = 10 * 60 * 1000;
/** Maximum time a post waits for the conversation's rate limit before the worker reschedules it. */
const maxPaceWaitMs = 10_000;

/** Teams reaction types and the emoji each one shows. */
const teamsReactions: Record<string, string> = { like: '👍', heart: '❤️', laugh: '😆', surprised: '😮', sad: '😢', angry: '😠' };

/** The conversation in which the hub speaks with one Teams user. */
interface Conversation {
  id: string;
  serviceUrl: string;
  tenantId?: string;
}

export class TeamsConnector implements Connector, FileSource, FileTarget, TypingSink {
  readonly platform = 'teams' as const;
  readonly maxFileBytes: number;
  readonly showsTyping = true as const;
  private readonly auth: ActivityAuthenticator;
  private readonly tokens: TokenClient;
  private readonly api: ConnectorApi;
  private readonly pacer = new ConversationPacer();
  private readonly lastTyping = new Map<string, number>();
  /** Uploads of accepted files still running. */
  private readonly uploads = new Set<Promise<void>>();
  private readonly uploadAborts = new Set<AbortController>();
  private context: ConnectorContext | undefined;
  private logger: Logger | undefined;
  private current: ConnectorState = { status: 'starting', since: new Date().toISOString() };

  constructor(
    readonly connectionId: ConnectionId,
    private readonly settings: Settings,
  ) {
    this.auth = new ActivityAuthenticator({ appId: settings.appId, openIdMetadataUrl: settings.openIdMetadataUrl, channelId: 'msteams' });
    const tokenUrl = settings.tokenUrl ?? `https://login.microsoftonline.com/${settings.tenantId ?? 'botframework.com'}/oauth2/v2.0/token`;
    this.tokens = new TokenClient({ tokenUrl, appId: settings.appId, appPassword: settings.appPassword });
    this.api = new ConnectorApi(this.tokens);
    this.maxFileBytes = settings.maxFileBytes;
  }

  routes(): InboundRoute[] {
    return [{ method: 'POST', path: `/hooks/teams/${this.connectionId}`, bodyLimit: requestBodyLimit, handle: (request) => this.handle(request) }];
  }

  async start(context: ConnectorContext): Promise<void> {
    this.context = context;
    this.logger = context.logger;
    try {
      await this.tokens.get();
      this.setState('connected');
    } catch (error) {
      this.setState('failed', error instanceof PlatformRejectedError ? 'auth_failed' : 'unreachable');
      context.logger.error({ err: error }, 'Teams app credentials were not accepted; check teams.appId and teams.appPassword.');
    }
  }

  /** Gets a token for the app, which checks its credentials. */
  async check(): Promise<void> {
    this.tokens.reset();
    await this.tokens.get();
  }

  async stop(): Promise<void> {
    // Uploads still running are aborted, and each user gets a message that the file was not saved.
    for (const abort of this.uploadAborts) abort.abort(new Error('The hub is stopping.'));
    await Promise.allSettled([...this.uploads]);
    this.setState('stopped');
  }

  state(): ConnectorState {
    return this.current;
  }

  private setState(status: ConnectorState['status'], code?: string): void {
    this.current = { status, ...(code ? { code } : {}), since: new Date().toISOString() };
    this.logger?.info({ status, code }, 'Teams connection state changed.');
  }

  private async handle(request: RawRequest): Promise<RawResponse> {
    let activity: Activity;
    try {
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString('utf8'));
      } catch (error) {
        throw new PayloadInvalidError('Teams activity is not JSON.', { cause: error });
      }
      const parsed = activitySchema.safeParse(json);
      // The token is checked before anything in the body is used; a body that does not parse is refused either way.
      const claimed = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
      await this.auth.verify(request.headers.authorization, { channelId: claimed.channelId, serviceUrl: claimed.serviceUrl });
      if (!parsed.success) throw new PayloadInvalidError(`Teams activity is missing or has an invalid field ${parsed.error.issues[0]?.path.join('.') ?? ''}.`);
      activity = parsed.data;
    } catch (error) {
      const status = error instanceof ParleyError ? error.status : 500;
      this.logger?.warn({ err: error, connection: this.connectionId, status }, 'Teams activity rejected.');
      return { status, body: { error: error instanceof ParleyError ? error.code : 'internal_error' } };
    }

    try {
      const body = await this.process(activity);
      return { status: 200, ...(body ? { body } : {}) };
    } catch (error) {
      const status = error instanceof ParleyError && error.status < 500 ? error.status : 503;
      this.logger?.warn({ err: error, connection: this.connectionId, status }, 'Teams activity could not be processed; the channel will send it again.');
      return { status, body: { error: error instanceof ParleyError ? error.code : 'internal_error' } };
    }
  }

  /** Handles one authenticated activity; returns the body of an invoke response. */
  private async process(activity: Activity): Promise<Record<string, unknown> | undefined> {
    if (activity.conversation.conversationType !== 'personal') {
      this.logger?.info({ connection: this.connectionId }, 'Teams activity from a group chat or channel; the bot works in 1:1 chats only.');
      return undefined;
    }
    // In a multi-tenant app registration any tenant can install the bot; only the listed ones are served.
    const tenant = activity.channelData?.tenant?.id ?? activity.conversation.tenantId;
    const allowed = this.settings.allowedTenantIds ?? (this.settings.tenantId ? [this.settings.tenantId] : undefined);
    if (allowed && (!tenant || !allowed.includes(tenant))) {
      this.logger?.warn({ connection: this.connectionId }, 'Teams activity from a tenant this connection does not serve; ignored. Add it to teams.allowedTenantIds if it is yours.');
      return undefined;
    }
    const userId = activity.from.id;
    const conversation: Conversation = {
      id: activity.conversation.id,
      serviceUrl: activity.serviceUrl,
      ...(activity.channelData?.tenant?.id ? { tenantId: activity.channelData.tenant.id } : {}),
    };
    // Replies go only to service URLs seen on authenticated activities.
    await this.context!.setState(`conversation:${userId}`, JSON.stringify(conversation));
    // Where a user's tenant is served, should the hub need to open their chat again itself.
    if (conversation.tenantId) {
      await this.context!.setState(`tenant:${userId}`, conversation.tenantId);
      await this.context!.setState(`service:${conversation.tenantId}`, conversation.serviceUrl);
    }
    const from = await this.userRef(activity, conversation);
    // Message ids are unique only within a chat, and every edit of a message carries its id.
    const version = activity.type === 'messageUpdate' ? `:${activity.timestamp ?? randomUUID()}` : '';
    const eventId = `${activity.type}:${conversation.id}:${activity.id ?? randomUUID()}${version}`;
    const base = { id: randomUUID() as EventId, occurredAt: activity.timestamp ?? new Date().toISOString(), from };

    switch (activity.type) {
      case 'conversationUpdate':
        return undefined;
      case 'message':
        return this.onMessage(activity, conversation, from, eventId, base);
      case 'invoke':
        return this.onInvoke(activity, conversation, from, eventId, base);
      case 'messageUpdate': {
        const target = await this.contactOf(conversation, userId, activity.id);
        if (!target || !activity.id) return undefined;
        await this.receive(eventId, target, { ...base, kind: 'message_edit', messageId: messageKey(conversation.id, activity.id), body: this.parse(activity) });
        return undefined;
      }
      case 'messageDelete': {
        const target = await this.contactOf(conversation, userId, activity.id);
        if (!target || !activity.id) return undefined;
        await this.receive(eventId, target, { ...base, kind: 'message_delete', messageId: messageKey(conversation.id, activity.id) });
        return undefined;
      }
      case 'messageReaction': {
        const target = await this.contactOf(conversation, userId, activity.replyToId);
        if (!target || !activity.replyToId) return undefined;
        const events: InboundEvent[] = [];
        for (const [action, list] of [['added', activity.reactionsAdded], ['removed', activity.reactionsRemoved]] as const) {
          for (const [i, reaction] of (list ?? []).entries()) {
            const emoji = teamsReactions[reaction.type] ?? (/^\p{Extended_Pictographic}/u.test(reaction.type) ? reaction.type : undefined);
            if (!emoji) continue;
            events.push({
              platformEventId: `${eventId}:${action}:${i}`,
              target,
              event: { ...base, id: randomUUID() as EventId, kind: 'reaction', messageId: messageKey(conversation.id, activity.replyToId), emoji, action },
            });
          }
        }
        if (events.length > 0) await this.context!.receive(events);
        return undefined;
      }
      case 'typing': {
        const target = await this.selected(conversation, userId);
        if (target) await this.receive(eventId, target, { ...base, kind: 'typing', state: 'started' });
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private async onMessage(
    activity: Activity,
    conversation: Conversation,
    from: UserRef,
    eventId: string,
    base: { id: EventId; occurredAt: string; from: UserRef },
  ): Promise<undefined> {
    const userId = activity.from.id;
    // An Adaptive Card button (Action.Submit) arrives as a message whose value names the action.
    const submitted = cardAction(activity.value);
    if (submitted) {
      await this.receive(eventId, { kind: 'bot' }, { ...base, kind: 'message', messageId: messageKey(conversation.id, activity.id ?? randomUUID()), body: parsePlain(submitted) });
      return undefined;
    }
    const text = stripMentions(activity.text ?? '').trim();
    const chosen = /^chat\s+(\S+@\S+)$/i.exec(text);
    if (chosen) {
      await this.choose(conversation, userId, chosen[1]!.toLowerCase());
      return undefined;
    }

    const files = (activity.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.teams.file.download.info');
    const replied = activity.replyToId ? await this.context!.getState(`sent:${conversation.id}:${activity.replyToId}`) : undefined;
    let target: InboundEvent['target'] | undefined;
    if (replied) {
      await this.context!.setState(`selected:${userId}`, replied);
      target = proxyTarget(conversation.id, replied);
    } else if (files.length === 0 && isCommand(text)) {
      target = { kind: 'bot' };
    } else {
      target = await this.selected(conversation, userId);
    }
    if (!target) {
      const contacts = await this.contactsOf(conversation.id);
      if (contacts.length === 0) {
        target = { kind: 'bot' };
      } else {
        await this.post(conversation, {
          type: 'message',
          text: 'You have several contacts here. Reply to one of their messages to answer them, or send "chat <email>" to choose who your messages go to.',
        });
        return undefined;
      }
    }

    const messageId = messageKey(conversation.id, activity.id ?? randomUUID());
    // Later edits, deletions and reactions of this message go to the contact it went to.
    if (target.kind === 'proxy' && activity.id) {
      await this.context!.setState(`sent:${conversation.id}:${activity.id}`, target.conversationId.slice(conversation.id.length + 1));
    }
    if (files.length > 0 && target.kind === 'proxy') {
      const file: FileEvent = {
        ...base,
        kind: 'file',
        messageId,
        files: files.map((f) => ({
          connectionId: this.connectionId,
          handle: String((f.content as { downloadUrl?: unknown } | undefined)?.downloadUrl ?? ''),
          ...(f.name ? { name: f.name } : {}),
        })),
        ...(text !== '' ? { body: this.parse(activity) } : {}),
      };
      await this.receive(eventId, target, file);
      return undefined;
    }
    await this.receive(eventId, target, { ...base, kind: 'message', messageId, body: this.parse(activity) });
    return undefined;
  }

  private async onInvoke(
    activity: Activity,
    conversation: Conversation,
    _from: UserRef,
    eventId: string,
    base: { id: EventId; occurredAt: string; from: UserRef },
  ): Promise<Record<string, unknown>> {
    if (activity.name === 'fileConsent/invoke') return this.onFileConsent(activity, conversation);
    if (activity.name === 'adaptiveCard/action') {
      const submitted = cardAction((activity.value as { action?: { data?: unknown } } | undefined)?.action?.data);
      if (submitted) {
        await this.receive(eventId, { kind: 'bot' }, { ...base, kind: 'message', messageId: messageKey(conversation.id, activity.id ?? randomUUID()), body: parsePlain(submitted) });
      }
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: submitted ? 'Sent.' : 'This button is not one of Parley\'s.' };
    }
    return { status: 200 };
  }

  /**
   * Offers each file with a consent card, because Teams lets a bot put a file in a user's
   * OneDrive only once the user accepts. The file is opened here so that the policies and limits
   * are checked and the card shows the real name and size. It is read again on acceptance.
   */
  private async offerFiles(delivery: Delivery, event: FileEvent, conversation: Conversation, contactEmail: string | undefined): Promise<PlatformMessageId[]> {
    if (!delivery.openFile) throw new PlatformRejectedError('no_conversation', 'A file needs a source to read it from.');
    const from = delivery.sender.kind === 'proxy' ? proxyDisplayName(delivery.sender) : 'Parley';
    const ids: PlatformMessageId[] = [];
    for (const ref of event.files) {
      const file = await delivery.openFile(ref);
      file.body.destroy();
      if (file.size === 0) throw new NotPassedOnError('file_empty', 'Teams cannot save an empty file');
      const consentId = randomUUID();
      // The consent belongs to this chat and this contact. A response from another chat, or after the contact ended, uploads nothing.
      await this.context!.setState(
        `consent:${consentId}`,
        JSON.stringify({ ref: { ...ref, name: file.name, size: file.size, mediaType: file.mediaType }, contactEmail, conversationId: conversation.id }),
      );
      const id = await this.post(
        conversation,
        { type: 'message', attachments: [fileConsentCard(file.name, file.size, `${from} sent you this file through Parley.`, consentId)] },
        contactEmail,
      );
      ids.push(messageKey(conversation.id, id));
    }
    return ids;
  }

  /**
   * Handles the user's response to a file consent card. On accept the file is read from its
   * source again, streamed into the upload session Teams opened, and shown with a file info
   * card. The upload runs after the response, so a large file does not delay the invoke past its time limit.
   */
  private async onFileConsent(activity: Activity, conversation: Conversation): Promise<Record<string, unknown>> {
    const value = (activity.value ?? {}) as { action?: unknown; context?: { parleyConsent?: unknown }; uploadInfo?: Record<string, unknown> };
    const consentId = typeof value.context?.parleyConsent === 'string' ? value.context.parleyConsent : '';
    const stored = consentId ? await this.context!.getState(`consent:${consentId}`) : undefined;
    if (!stored) return { status: 200 };
    await this.context!.setState(`consent:${consentId}`, '');
    const { ref, contactEmail, conversationId } = JSON.parse(stored) as { ref: FileRef & { name: string; size: number }; contactEmail?: string; conversationId?: string };
    if (conversationId !== conversation.id) {
      this.logger?.warn({ connection: this.connectionId }, 'A Teams file consent answer came from another chat than the offer; ignored.');
      return { status: 200 };
    }
    if (contactEmail && !(await this.contactsOf(conversation.id)).includes(contactEmail)) {
      await this.post(conversation, { type: 'message', text: `${ref.name} was not saved: you are no longer connected with its sender.` });
      return { status: 200 };
    }
    if (value.action !== 'accept') {
      await this.post(conversation, { type: 'message', text: `You declined ${ref.name}; it was not saved.` });
      return { status: 200 };
    }
    const info = value.uploadInfo ?? {};
    const upload = { name: String(info.name ?? ref.name), contentUrl: String(info.contentUrl ?? ''), uniqueId: String(info.uniqueId ?? ''), fileType: String(info.fileType ?? '') };
    const uploadUrl = typeof info.uploadUrl === 'string' ? info.uploadUrl : '';
    const transfer = this.upload(conversation, ref, uploadUrl, upload).finally(() => this.uploads.delete(transfer));
    this.uploads.add(transfer);
    return { status: 200 };
  }

  private async upload(conversation: Conversation, ref: FileRef, uploadUrl: string, shown: { name: string; contentUrl: string; uniqueId: string; fileType: string }): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error('The Teams file upload took longer than 10 minutes.')), uploadTimeoutMs);
    this.uploadAborts.add(abort);
    try {
      if (!this.context!.openFile) throw new PlatformRejectedError('unsupported', 'The hub cannot open files for a later transfer.');
      // The upload session's address comes from Teams; it must not point the hub into its own network.
      await assertPublicUrl(uploadUrl, this.settings.allowPrivateFileUrls, "the Teams upload session's address");
      const file = await this.context!.openFile(ref, this.settings.maxFileBytes, abort.signal);
      try {
        await uploadFile(uploadUrl, file, {
          method: 'PUT',
          headers: { 'content-range': `bytes 0-${file.size - 1}/${file.size}`, 'content-type': 'application/octet-stream' },
          signal: abort.signal,
          where: 'The Teams file upload',
        });
      } finally {
        file.body.destroy();
      }
      await this.post(conversation, { type: 'message', attachments: [fileInfoCard(shown)] });
    } catch (error) {
      this.logger?.warn({ err: error, connection: this.connectionId }, 'A file the Teams user accepted could not be uploaded.');
      const reason = error instanceof NotPassedOnError ? error.message : 'the upload failed';
      await this.post(conversation, { type: 'message', text: `The file could not be saved to your OneDrive: ${reason}. Ask the sender to send it again.` }).catch(() => undefined);
    } finally {
      clearTimeout(timer);
      this.uploadAborts.delete(abort);
      abort.abort();
    }
  }

  private async receive(platformEventId: string, target: InboundEvent['target'], event: CanonicalEvent): Promise<void> {
    await this.context!.receive([{ platformEventId, target, event }]);
  }

  /** Parses a message into the hub's tree by its `textFormat`: markdown, xml or plain text. */
  private parse(activity: Activity): RichText {
    const text = stripMentions(activity.text ?? '');
    if (activity.textFormat === 'markdown') return parseMarkdown(text);
    if (activity.textFormat === 'xml') return parseTeamsXml(text);
    return parsePlain(text);
  }

  /** Builds the sender's reference, with the email Teams has for them (read once, then stored). */
  private async userRef(activity: Activity, conversation: Conversation): Promise<UserRef> {
    const userId = activity.from.id;
    const key = `user:${userId}`;
    let known = JSON.parse((await this.context!.getState(key)) ?? 'null') as { email?: string; name?: string } | null;
    if (!known) {
      try {
        const member = (await this.api.call(conversation.serviceUrl, 'GET members/{id}', (client) =>
          client.conversations.getConversationMember(conversation.id, userId),
        )) as { name?: string; email?: string; userPrincipalName?: string };
        const email = (member.email ?? member.userPrincipalName)?.toLowerCase();
        known = { ...(email ? { email } : {}), ...(member.name ? { name: member.name } : {}) };
        await this.context!.setState(key, JSON.stringify(known));
        if (email) await this.context!.setState(`email:${email}`, JSON.stringify({ userId, name: known.name }));
      } catch (error) {
        this.logger?.warn({ err: error, platform_user: userId }, 'Reading a Teams member failed; continuing without the email.');
        known = {};
      }
    }
    const name = known.name ?? activity.from.name;
    return {
      platform: 'teams',
      connectionId: this.connectionId,
      platformUserId: userId as PlatformUserId,
      ...(known.email ? { email: known.email } : {}),
      ...(name ? { displayName: name } : {}),
    };
  }

  /** Lists the contacts a user's conversation carries, by email, from the proxies the hub stored. */
  private async contactsOf(conversationId: string): Promise<string[]> {
    const prefix = `${conversationId}#`;
    return (await this.context!.listProxies())
      .filter((p) => p.active !== false)
      .map((p) => p.conversationId as string)
      .filter((c) => c.startsWith(prefix))
      .map((c) => c.slice(prefix.length));
  }

  /** Returns the contact a user's messages go to: the one they chose, else their only contact. */
  private async selected(conversation: Conversation, userId: string): Promise<InboundEvent['target'] | undefined> {
    const chosen = await this.context!.getState(`selected:${userId}`);
    if (chosen) return proxyTarget(conversation.id, chosen);
    const contacts = await this.contactsOf(conversation.id);
    return contacts.length === 1 ? proxyTarget(conversation.id, contacts[0]!) : undefined;
  }

  /** Returns the contact a message belongs to: the one it was sent to or came from. */
  private async contactOf(conversation: Conversation, userId: string, activityId: string | undefined): Promise<InboundEvent['target'] | undefined> {
    const known = activityId ? await this.context!.getState(`sent:${conversation.id}:${activityId}`) : undefined;
    return known ? proxyTarget(conversation.id, known) : this.selected(conversation, userId);
  }

  private async choose(conversation: Conversation, userId: string, email: string): Promise<void> {
    const contacts = await this.contactsOf(conversation.id);
    if (!contacts.includes(email)) {
      await this.post(conversation, { type: 'message', text: `${email} is not one of your contacts here. Send "contacts" to see them.` });
      return;
    }
    await this.context!.setState(`selected:${userId}`, email);
    await this.post(conversation, { type: 'message', text: `Your messages now go to ${email}, until you reply to another contact's message or choose again.` });
  }

  /**
   * Finds a Teams user by email among those who installed the app; Teams offers bots no
   * directory search without Microsoft Graph permissions.
   */
  async findPersonByEmail(email: string): Promise<PlatformPerson | undefined> {
    const known = JSON.parse((await this.context?.getState(`email:${email.toLowerCase()}`)) ?? 'null') as { userId: string; name?: string } | null;
    if (!known) return undefined;
    const displayName = known.name ?? email;
    return {
      ref: { platform: 'teams', connectionId: this.connectionId, platformUserId: known.userId as PlatformUserId, email: email.toLowerCase(), displayName },
      displayName,
      email: email.toLowerCase(),
    };
  }

  async openFile(ref: FileRef, signal: AbortSignal): Promise<Omit<FileContent, 'size' | 'name'> & { size?: number; name?: string }> {
    return downloadFromUserUrl(ref.handle, { allowPrivate: this.settings.allowPrivateFileUrls, signal, where: 'Teams file download' });
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const event = delivery.event;
    const sender = delivery.sender;
    if (delivery.channel) throw new PlatformRejectedError('unsupported', 'Teams does not take part in shared channels through Parley yet.');
    if (sender.kind === 'member') throw new PlatformRejectedError('no_conversation', 'A channel member can only post into a shared channel.');
    const conversation = await this.conversationWith(delivery.recipient.platformUserId);
    const contactEmail = sender.kind === 'proxy' ? sender.person.email : undefined;
    const binding =
      sender.kind === 'proxy' && !sender.binding
        ? { contactId: sender.contactId, conversationId: `${conversation.id}#${sender.person.email}` as PlatformConversationId, data: {} }
        : undefined;
    const done = (ids: PlatformMessageId[]): SendResult => ({ messageIds: ids, ...(binding ? { binding } : {}) });

    switch (event.kind) {
      case 'typing': {
        // Teams shows a typing indicator for about 3 s; more often than that adds nothing.
        const last = this.lastTyping.get(conversation.id) ?? 0;
        if (event.state !== 'started' || Date.now() - last < this.settings.typingIntervalSeconds * 1000) return done([]);
        this.lastTyping.set(conversation.id, Date.now());
        await this.post(conversation, { type: 'typing' });
        return done([]);
      }
      case 'message_edit': {
        const [, activityId] = splitKey(event.messageId);
        const label = sender.kind === 'proxy' ? proxyDisplayName(sender) : undefined;
        const text = this.render(event.body, label);
        // An edit replaces one message; text that needs several cannot be an edit in Teams.
        if (text.length > 1) throw new NotPassedOnError('edit_too_large', 'the edited message is longer than Teams takes in one message; send it as a new message');
        try {
          await this.paced(conversation, () =>
            this.api.call(conversation.serviceUrl, 'PUT activities/{id}', (client) =>
              client.conversations.updateActivity(conversation.id, activityId, { type: 'message', id: activityId, text: text[0] ?? '', textFormat: 'markdown' } as never),
            ),
          );
        } catch (error) {
          if (error instanceof PlatformRejectedError && error.platformCode === 'MessageSizeTooBig') {
            throw new NotPassedOnError('edit_too_large', 'Teams rejected the edited message as too large; send it as a new message');
          }
          throw error;
        }
        return done([]);
      }
      case 'message_delete': {
        const [, activityId] = splitKey(event.messageId);
        try {
          await this.paced(conversation, () =>
            this.api.call(conversation.serviceUrl, 'DELETE activities/{id}', (client) => client.conversations.deleteActivity(conversation.id, activityId)),
          );
        } catch (error) {
          if (!(error instanceof PlatformRejectedError && error.platformCode === '404')) throw error;
        }
        return done([]);
      }
      case 'reaction': {
        // Teams bots cannot react; the reaction shows as a short reply to the message.
        const [, activityId] = splitKey(event.messageId);
        const who = sender.kind === 'proxy' ? `**${escapeMarkdownText(proxyDisplayName(sender))}** ` : '';
        const text = `${who}${event.action === 'added' ? `reacted ${event.emoji}` : `took back the ${event.emoji} reaction`}`;
        const id = await this.post(conversation, { type: 'message', text, textFormat: 'markdown', replyToId: activityId }, contactEmail);
        return done([messageKey(conversation.id, id)]);
      }
      case 'file':
        return done(await this.offerFiles(delivery, event, conversation, contactEmail));
      case 'message': {
        const label = sender.kind === 'proxy' ? proxyDisplayName(sender) : undefined;
        const ids: PlatformMessageId[] = [];
        const people = await this.mentioned(event.body);
        for (const text of this.render(event.body, label, people)) {
          // Each `<at>Name</at>` in the text needs its mention entity, or Teams shows plain text.
          const entities = [...people.values()]
            .filter((p) => text.includes(`<at>${escapeAt(p.name)}</at>`))
            .map((p) => ({ type: 'mention', text: `<at>${escapeAt(p.name)}</at>`, mentioned: { id: p.id, name: p.name } }));
          const extra = { textFormat: 'markdown', ...(entities.length > 0 ? { entities } : {}), ...(event.replyTo ? { replyToId: splitKey(event.replyTo)[1] } : {}) };
          const posted = await this.postText(conversation, text, extra, contactEmail);
          ids.push(...posted.map((id) => messageKey(conversation.id, id)));
        }
        return done(ids);
      }
      case 'contact_request': {
        const id = await this.post(conversation, {
          type: 'message',
          text: hubText(event, sender) ?? '',
          attachments: [contactRequestCard(event.requester, hubText(event, sender) ?? '')],
        });
        return done([messageKey(conversation.id, id)]);
      }
      default: {
        // Teams has one chat for every contact, so the usual "write here" would mislead.
        const text =
          event.kind === 'contact_response' && sender.kind === 'proxy'
            ? `${sender.person.displayName} (${sender.person.email}) is now your contact through Parley. Their messages arrive here under their name; to write to them, reply to one of their messages or send "chat ${sender.person.email}".`
            : hubText(event, sender);
        if (text === undefined) return done([]);
        const ids: PlatformMessageId[] = [];
        for (const part of splitText(text, this.settings.maxMessageBytes, utf8Bytes)) {
          const id = await this.post(conversation, { type: 'message', text: part, textFormat: 'plain' }, contactEmail);
          ids.push(messageKey(conversation.id, id));
        }
        return done(ids);
      }
    }
  }

  /** Renders a message as markdown parts within the size limit; a contact's name goes in front of the first. */
  private render(body: RichText, label: string | undefined, people: Map<string, TeamsPerson> = new Map()): string[] {
    const lead = label ? `**${escapeMarkdownText(label)}:** ` : '';
    const limit = this.settings.maxMessageBytes - utf8Bytes(lead);
    // A Teams user mentioned by email becomes an `<at>` mention, which the renderer must not escape.
    const atNames = [...people.values()].map((p) => p.name);
    const marked = mapMentions(body, (mention) => {
      const person = mention.email ? people.get(mention.email) : undefined;
      return person ? { type: 'text', text: placeholder(atNames.indexOf(person.name)) } : mention;
    });
    const render = (part: RichText) =>
      renderWebexMarkdown(part).replace(placeholders, (char) => {
        const name = atNames[placeholderIndex(char)];
        return name === undefined ? '' : `<at>${escapeAt(name)}</at>`;
      });
    const parts = splitRich(marked, { size: (part) => utf8Bytes(render(part)), limit }).map(render);
    return parts.map((part, i) => (i === 0 ? `${lead}${part}` : part));
  }

  /** Finds the Teams users a message mentions, among those who installed the app. */
  private async mentioned(body: RichText): Promise<Map<string, TeamsPerson>> {
    const people = new Map<string, TeamsPerson>();
    for (const email of mentionedEmails(body).slice(0, 20)) {
      const known = JSON.parse((await this.context!.getState(`email:${email}`)) ?? 'null') as { userId: string; name?: string } | null;
      if (known) people.set(email, { id: known.userId, name: known.name ?? email });
    }
    return people;
  }

  /** Posts an activity, paced within the conversation's rate limits; notes which contact it was for. */
  private async post(conversation: Conversation, activity: Record<string, unknown>, contactEmail?: string): Promise<string> {
    const result = await this.paced(conversation, () =>
      this.api.call(conversation.serviceUrl, 'POST activities', (client) => client.conversations.sendToConversation(conversation.id, activity as never)),
    );
    const id = result.id ?? '';
    if (contactEmail && id) await this.context!.setState(`sent:${conversation.id}:${id}`, contactEmail);
    return id;
  }

  /**
   * Posts a message's text. When Teams returns 413 (MessageSizeTooBig, because its limit is lower
   * than `maxMessageBytes`), posts it again in two halves split at a word, and so on down.
   * NOTE: such a split cuts the markdown text, not the tree, so a code block may be cut.
   */
  private async postText(conversation: Conversation, text: string, extra: Record<string, unknown>, contactEmail: string | undefined, depth = 0): Promise<string[]> {
    try {
      return [await this.post(conversation, { type: 'message', text, ...extra }, contactEmail)];
    } catch (error) {
      const tooBig = error instanceof PlatformRejectedError && error.platformCode === 'MessageSizeTooBig';
      if (!tooBig || depth >= 6) throw error;
      this.logger?.info({ connection: this.connectionId, bytes: utf8Bytes(text) }, 'Teams refused a message as too large; sending it in two parts.');
      const ids: string[] = [];
      for (const half of splitText(text, Math.ceil(utf8Bytes(text) / 2), utf8Bytes)) ids.push(...(await this.postText(conversation, half, extra, contactEmail, depth + 1)));
      return ids;
    }
  }

  private async paced<T>(conversation: Conversation, work: () => Promise<T>): Promise<T> {
    const wait = this.pacer.delay(conversation.id);
    if (wait > maxPaceWaitMs) throw new PlatformUnavailableError('Teams conversation is at its rate limit.', wait);
    // The slot is taken before the wait, so that posts waiting side by side do not share it.
    this.pacer.record(conversation.id, Date.now() + wait);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return work();
  }

  /**
   * Returns the 1:1 conversation with a user: the one their activities came from, or one the
   * hub opens with POST /v3/conversations at the service URL of their tenant's activities.
   */
  private async conversationWith(userId: string): Promise<Conversation> {
    const known = await this.context!.getState(`conversation:${userId}`);
    if (known) return JSON.parse(known) as Conversation;
    const tenantId = await this.context!.getState(`tenant:${userId}`);
    const serviceUrl = tenantId ? await this.context!.getState(`service:${tenantId}`) : undefined;
    if (!tenantId || !serviceUrl) {
      throw new PlatformRejectedError('no_conversation', 'The Teams user has not installed the Parley app, so the bot cannot write to them.');
    }
    const created = await this.api.call(serviceUrl, 'POST conversations', (client) =>
      client.conversations.createConversation({
        bot: { id: `28:${this.settings.appId}`, name: 'Parley' },
        members: [{ id: userId, name: '' }],
        isGroup: false,
        channelData: { tenant: { id: tenantId } },
      } as never),
    );
    const conversation: Conversation = { id: created.id ?? '', serviceUrl, tenantId };
    await this.context!.setState(`conversation:${userId}`, JSON.stringify(conversation));
    return conversation;
  }
}

/** A Teams user a message mentions: their id in Teams and the name Teams shows. */
interface TeamsPerson {
  id: string;
  name: string;
}

/** Replaces each mention node in a message with what `replace` returns for it. */
function mapMentions(body: RichText, replace: (mention: Extract<Inline, { type: 'mention' }>) => Inline): RichText {
  const inline = (nodes: Inline[]): Inline[] =>
    nodes.map((node) => {
      if (node.type === 'mention') return replace(node);
      if ('children' in node) return { ...node, children: inline(node.children) } as Inline;
      return node;
    });
  const block = (nodes: Block[]): Block[] =>
    nodes.map((node): Block => {
      if (node.type === 'paragraph') return { type: 'paragraph', children: inline(node.children) };
      if (node.type === 'quote') return { type: 'quote', children: block(node.children) };
      if (node.type === 'list') return { ...node, items: node.items.map(block) };
      return node;
    });
  return { blocks: block(body.blocks) };
}

/** Removes the characters that would let a name close its `<at>` element. */
function escapeAt(name: string): string {
  return name.replace(/[<>&]/g, ' ');
}

/** Builds the hub's key for a Teams message from the conversation and the activity id. */
function messageKey(conversationId: string, activityId: string): PlatformMessageId {
  return `${conversationId}|${activityId}` as PlatformMessageId;
}

function splitKey(key: string): [string, string] {
  const at = key.lastIndexOf('|');
  return [key.slice(0, at), key.slice(at + 1)];
}

function proxyTarget(conversationId: string, email: string): InboundEvent['target'] {
  return { kind: 'proxy', conversationId: `${conversationId}#${email}` as PlatformConversationId };
}

/** Removes `<at>Name</at>` mentions of the bot, which Teams puts in the text of a message to it. */
function stripMentions(text: string): string {
  return text.replace(/<at>[^<]{0,200}<\/at> ?/g, '');
}

/**
 * True when a message is exactly a bot command: a command word alone, or with one address.
 * "Help me with the draft" is a message for a contact.
 */
function isCommand(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const first = words[0]?.toLowerCase().replace(/^\//, '') ?? '';
  if (!(commandNames as readonly string[]).includes(first)) return false;
  if (first === 'channel') return words.length === 3;
  return words.length === 1 || (words.length === 2 && words[1]!.includes('@'));
}

/** Returns the command an Adaptive Card button stands for, from the data Parley put on it. */
function cardAction(value: unknown): string | undefined {
  const data = value as { parleyAction?: unknown; email?: unknown } | undefined;
  if (!data || (data.parleyAction !== 'accept' && data.parleyAction !== 'decline')) return undefined;
  if (typeof data.email !== 'string' || !/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(data.email)) return undefined;
  return `${data.parleyAction} ${data.email}`;
}

function escapeMarkdownText(text: string): string {
  return text.replace(/[\\`*_~[\]<>#|]/g, (c) => `\\${c}`);
}

