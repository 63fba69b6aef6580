// Record types of the simulated Slack. Field names follow the Web API objects they are
// rendered into (see render.ts) but use camelCase inside the simulator.

export type ConversationType = 'im' | 'mpim' | 'private' | 'public';

export interface Workspace {
  id: string;
  domain: string;
  name: string;
}

export interface SimUser {
  id: string;
  teamId: string;
  /** Slack's `name`: the login handle, taken from the email's local part for people. */
  name: string;
  realName: string;
  displayName: string;
  email?: string;
  title: string;
  image72: string;
  tz: string;
  isBot: boolean;
  /** Set on an app's bot user. */
  botId?: string;
  appId?: string;
  updated: number;
  /** What users.getPresence reports; people start active. */
  presence?: 'active' | 'away';
}

export interface InstalledApp {
  appId: string;
  teamId: string;
  name: string;
  botUserId: string;
  botId: string;
  botToken: string;
  scopes: ReadonlySet<string>;
  signingSecret: string;
  /** Legacy verification token that Slack still puts in every envelope's `token` field. */
  verificationToken: string;
  requestUrl?: string;
}

export interface Conversation {
  id: string;
  teamId: string;
  type: ConversationType;
  /** Channel name; ims and group ims have none in this model. */
  name?: string;
  creator: string;
  created: number;
  /** Member user ids in join order. */
  members: string[];
}

export interface Reaction {
  name: string;
  users: string[];
}

export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

export interface SimMessage {
  channel: string;
  ts: string;
  /** Author user id; for bot posts this is the bot user. */
  user: string;
  /** Author's workspace id. */
  team: string;
  botId?: string;
  appId?: string;
  /** Display overrides from chat.postMessage `username`, `icon_url`, `icon_emoji`. */
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** Author of the thread's parent, set on replies. */
  parentUserId?: string;
  clientMsgId?: string;
  metadata?: MessageMetadata;
  /** Ids of the files this message shares. Such a message has subtype `file_share`. */
  files?: string[];
  /** Slack's `upload` flag: the files were uploaded together with this message. */
  upload?: boolean;
  edited?: { user: string; ts: string };
  reactions: Reaction[];
}

/**
 * Life of a file: `awaiting_upload` once files.getUploadURLExternal issued its URL,
 * `uploaded` once the URL received the bytes, `complete` after files.completeUploadExternal
 * (or at once for a person's share), `deleted` after sim.deleteFile.
 */
export type FileStatus = 'awaiting_upload' | 'uploaded' | 'complete' | 'deleted';

export interface SimFile {
  id: string;
  teamId: string;
  /** Uploader: a person, or the bot user of the app that uploaded it. */
  user: string;
  /** The uploading app, for files that came through the Web API. */
  appId?: string;
  /** File name exactly as given, in any script. */
  name: string;
  title: string;
  mimetype: string;
  /** Slack's short type name, such as `pdf`, `png`, `text` or `binary`. */
  filetype: string;
  prettyType: string;
  mode: 'hosted' | 'snippet';
  /** Size in bytes: the declared `length` for Web API uploads, which the upload must match. */
  size: number;
  /** Unix seconds. */
  created: number;
  altTxt?: string;
  /** Content, present from upload until deletion. */
  bytes?: Buffer;
  status: FileStatus;
}

export interface EphemeralMessage {
  channel: string;
  /** The only user who sees this message. */
  user: string;
  ts: string;
  botId: string;
  text: string;
  threadTs?: string;
}

/** A state change that the Events API turns into event deliveries. */
export type StateChange =
  | { kind: 'message_posted'; message: SimMessage }
  | { kind: 'message_changed'; message: SimMessage; previous: SimMessage }
  | { kind: 'message_deleted'; previous: SimMessage; eventTs: string }
  | { kind: 'reaction_added' | 'reaction_removed'; message: SimMessage; user: string; reaction: string; eventTs: string }
  /** A member left a channel or was removed from it (Slack sends member_left_channel for both). */
  | { kind: 'member_left'; channel: string; user: string; eventTs: string };
