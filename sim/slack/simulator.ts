// The programmatic face of the Slack simulator, used by the hub's tests and the sandbox.

import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

import { EventDelivery } from './events.js';
import type { Delivery } from './events.js';
import { FaultInjector } from './faults.js';
import { createFileHttp } from './file-http.js';
import type { FileHttp } from './file-http.js';
import { tsToMicros } from './ids.js';
import type { FaultSpec } from './faults.js';
import type { EphemeralMessage, SimMessage } from './model.js';
import { RateLimiter } from './ratelimit.js';
import { createSlackHttpServer } from './server.js';
import { SlackState } from './state.js';
import type { NewApp, NewUser } from './state.js';
import { deleteAsUser, editAsUser, postAsUser, reactAsUser, shareFileAsUser } from './user-actions.js';
import type { PostOptions, SharedFile } from './user-actions.js';

export interface SlackSimulatorOptions {
  /** Listening port; 0 (the default) picks a free one. */
  port?: number;
  /** Listening address; default 127.0.0.1. */
  host?: string;
  /** Multiplies every rate limit (tiers and the per-channel post rate); default 1, Slack's values. */
  rateLimitScale?: number;
  /** chat.postMessage messages per second per channel before scaling; default 1. */
  channelPostsPerSecond?: number;
  /** chat.postMessage burst per channel before scaling; default 3 (an estimate). */
  channelBurst?: number;
  /** Waits before Events API retries 1..3; default [0, 60000, 300000] like Slack. */
  retryDelaysMs?: number[];
  /** Time the request URL has to acknowledge an event; default 3000 like Slack. */
  ackTimeoutMs?: number;
  /**
   * Largest file in bytes that files.getUploadURLExternal accepts and a person may share;
   * default 1 GiB. File content is kept in memory.
   */
  maxFileBytes?: number;
}

export interface WorkspaceRef {
  id: string;
  domain: string;
  name: string;
}

export interface UserRef {
  id: string;
  teamId: string;
  email: string;
}

export interface AppRef {
  appId: string;
  teamId: string;
  botUserId: string;
  botId: string;
  botToken: string;
  signingSecret: string;
  verificationToken: string;
}

export interface NewChannel {
  name: string;
  isPrivate?: boolean;
  /** Members in join order; the first one is the creator. */
  members: string[];
}

/** A file shared in a conversation, as filesIn returns it. */
export interface ChannelFile {
  id: string;
  /** File name exactly as given. */
  name: string;
  title: string;
  mediaType: string;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** A copy of the content. */
  bytes: Buffer;
  /** Uploader: a person or an app's bot user. */
  user: string;
  /** The message that shared the file. */
  ts: string;
  threadTs?: string;
}

type WorkspaceArg = WorkspaceRef | string;

function teamIdOf(workspace: WorkspaceArg): string {
  return typeof workspace === 'string' ? workspace : workspace.id;
}

export class SlackSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the SDK's `slackApiUrl` is `${url}/api/`. */
  readonly url: string;

  private readonly state: SlackState;
  private readonly delivery: EventDelivery;
  private readonly faults: FaultInjector;
  private readonly server: http.Server;
  private readonly fileHttp: FileHttp;

  constructor(parts: {
    url: string;
    state: SlackState;
    delivery: EventDelivery;
    faults: FaultInjector;
    server: http.Server;
    fileHttp: FileHttp;
  }) {
    this.url = parts.url;
    this.state = parts.state;
    this.delivery = parts.delivery;
    this.faults = parts.faults;
    this.server = parts.server;
    this.fileHttp = parts.fileHttp;
  }

  addWorkspace(input: { domain: string; name: string }): WorkspaceRef {
    return { ...this.state.addWorkspace(input) };
  }

  addUser(workspace: WorkspaceArg, input: NewUser): UserRef {
    const user = this.state.addUser(teamIdOf(workspace), input);
    return { id: user.id, teamId: user.teamId, email: input.email };
  }

  /** Installs an app with a bot user; a `requestUrl` given here is stored without url_verification. */
  installApp(workspace: WorkspaceArg, input: NewApp): AppRef {
    const app = this.state.installApp(teamIdOf(workspace), input);
    return {
      appId: app.appId,
      teamId: app.teamId,
      botUserId: app.botUserId,
      botId: app.botId,
      botToken: app.botToken,
      signingSecret: app.signingSecret,
      verificationToken: app.verificationToken,
    };
  }

  /** Verifies `url` with Slack's url_verification handshake, then sends the app's events there. */
  async setRequestUrl(app: AppRef | string, url: string): Promise<void> {
    const appId = typeof app === 'string' ? app : app.appId;
    const installed = this.state.apps.get(appId);
    if (installed === undefined) {
      throw new Error(`App ${appId} not found; install it with installApp first.`);
    }

    await this.delivery.verifyRequestUrl(installed, url);
    installed.requestUrl = url;
  }

  /** Returns the id of the im between two users (what conversations.open returns), creating it if needed. */
  openIm(userA: string, userB: string): string {
    return this.state.openIm(userA, userB).id;
  }

  createChannel(workspace: WorkspaceArg, input: NewChannel): string {
    const [creator, ...others] = input.members;
    if (creator === undefined) {
      throw new Error(`Channel ${input.name} needs at least one member, its creator.`);
    }
    this.state.requireUser(creator);

    const conversation = this.state.createChannel(teamIdOf(workspace), input.name, input.isPrivate ?? false, creator);
    for (const member of others) {
      this.state.requireUser(member);
      this.state.join(conversation, member);
    }
    return conversation.id;
  }

  /** Adds a user (or a bot user) to a channel, as an invitation in the Slack client does. */
  join(channel: string, userId: string): void {
    const conversation = this.state.conversations.get(channel);
    if (conversation === undefined) {
      throw new Error(`Conversation ${channel} not found.`);
    }
    this.state.requireUser(userId);
    this.state.join(conversation, userId);
  }

  /** Takes a user out of a channel, as leaving it in the Slack client does; members' apps get member_left_channel. */
  leave(channel: string, userId: string): void {
    const conversation = this.state.conversations.get(channel);
    if (conversation === undefined) {
      throw new Error(`Conversation ${channel} not found.`);
    }
    this.state.leave(conversation, userId);
  }

  /** Posts as a person; the message events are queued at once. Returns the message ts. */
  async postAsUser(userId: string, channel: string, text: string, options: PostOptions = {}): Promise<string> {
    return postAsUser(this.state, userId, channel, text, options).ts;
  }

  async editAsUser(userId: string, channel: string, ts: string, text: string): Promise<void> {
    editAsUser(this.state, userId, channel, ts, text);
  }

  async deleteAsUser(userId: string, channel: string, ts: string): Promise<void> {
    deleteAsUser(this.state, userId, channel, ts);
  }

  async reactAsUser(userId: string, channel: string, ts: string, name: string): Promise<void> {
    reactAsUser(this.state, userId, channel, ts, name);
  }

  /**
   * Shares a file as a person, with optional text, in a conversation the person is a member
   * of. The file_share message event is queued at once. Returns the message ts and file id.
   */
  async shareFileAsUser(userId: string, channel: string, file: SharedFile): Promise<{ ts: string; fileId: string }> {
    const shared = shareFileAsUser(this.state, userId, channel, file);
    return { ts: shared.message.ts, fileId: shared.file.id };
  }

  /** Returns the files shared in a conversation, thread replies included, oldest first, without deleted files. */
  filesIn(channel: string): ChannelFile[] {
    return this.state.messagesOf(channel).flatMap((message) =>
      (message.files ?? []).flatMap((fileId) => {
        const file = this.state.files.get(fileId);
        if (file?.bytes === undefined) {
          return [];
        }
        return [
          {
            id: file.id,
            name: file.name,
            title: file.title,
            mediaType: file.mimetype,
            size: file.size,
            sha256: createHash('sha256').update(file.bytes).digest('hex'),
            bytes: Buffer.from(file.bytes),
            user: file.user,
            ts: message.ts,
            ...(message.threadTs !== undefined ? { threadTs: message.threadTs } : {}),
          },
        ];
      }),
    );
  }

  /**
   * Deletes a file as its owner would: files.info then returns file_deleted, its URLs 404 and
   * messages show it as a tombstone. Slack would also send file_deleted and message_changed
   * events, which the simulator does not.
   */
  deleteFile(fileId: string): void {
    this.state.files.delete(fileId);
  }

  /** Sets what users.getPresence reports for a person. */
  setPresence(userId: string, presence: 'active' | 'away'): void {
    const user = this.state.users.get(userId);
    if (!user) throw new Error(`No user ${userId}.`);
    user.presence = presence;
  }

  /** Copies of all messages of a conversation, thread replies included, oldest first. */
  messages(channel: string): SimMessage[] {
    return structuredClone(this.state.messagesOf(channel));
  }

  /** Copies of the messages others posted into conversations `userId` is a member of, oldest first. */
  inbox(userId: string): SimMessage[] {
    const messages = [...this.state.conversations.values()]
      .filter((conversation) => conversation.members.includes(userId))
      .flatMap((conversation) => this.state.messagesOf(conversation.id))
      .filter((message) => message.user !== userId);
    messages.sort((a, b) => (tsToMicros(a.ts) ?? 0) - (tsToMicros(b.ts) ?? 0));
    return structuredClone(messages);
  }

  /** Ephemeral messages shown to `userId`, oldest first. */
  ephemerals(userId: string): EphemeralMessage[] {
    return structuredClone(this.state.ephemerals.filter((e) => e.user === userId));
  }

  /** Resolves once every queued event delivery was acknowledged or gave up. */
  settle(): Promise<void> {
    return this.delivery.settle();
  }

  /** The Events API delivery log, oldest first. */
  deliveries(): readonly Delivery[] {
    return this.delivery.deliveries();
  }

  /** Makes the next `times` calls of `method` fail with `status`, `error` or a 429. */
  failNext(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  async stop(): Promise<void> {
    this.delivery.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.fileHttp.close();
  }
}

export async function startSlackSimulator(options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  const state = new SlackState(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {});
  const limiter = new RateLimiter({
    scale: options.rateLimitScale ?? 1,
    channelPostsPerSecond: options.channelPostsPerSecond ?? 1,
    channelBurst: options.channelBurst ?? 3,
  });
  const faults = new FaultInjector();
  const delivery = new EventDelivery(state, {
    retryDelaysMs: options.retryDelaysMs ?? [0, 60_000, 300_000],
    ackTimeoutMs: options.ackTimeoutMs ?? 3000,
  });
  const fileHttp = await createFileHttp(state);
  const server = createSlackHttpServer({ state, limiter, faults, fileHttp });

  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await fileHttp.close();
    throw error;
  }

  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  state.files.setBaseUrl(url);
  return new SlackSimulator({ url, state, delivery, faults, server, fileHttp });
}
