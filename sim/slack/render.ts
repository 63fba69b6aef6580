// Renders model records as the JSON objects Slack's Web API and Events API send. Shapes
// follow docs.slack.dev and the java-slack-sdk sample payloads; a conformance test checks
// that every key emitted here exists in those samples.

import type { Conversation, InstalledApp, SimMessage, SimUser, Workspace } from './model.js';

/** Returns an IANA zone's current UTC offset in seconds and its long name. */
function zoneInfo(tz: string): { offset: number; label: string } {
  const now = new Date();
  const offsetPart = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(now)
    .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(offsetPart);
  const offset = match === null ? 0 : (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60);

  const label = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' })
    .formatToParts(now)
    .find((part) => part.type === 'timeZoneName')?.value ?? tz;
  return { offset, label };
}

/**
 * Renders `profile`; `email` appears only when the caller has users:read.email, as in Slack.
 * users.profile.get leaves out `team` (`withTeam` false), users.info includes it.
 */
export function renderProfile(user: SimUser, withEmail: boolean, app?: InstalledApp, withTeam = true): Record<string, unknown> {
  const [firstName = '', ...rest] = user.realName.split(' ');
  const profile: Record<string, unknown> = {
    title: user.title,
    phone: '',
    skype: '',
    real_name: user.realName,
    real_name_normalized: user.realName,
    display_name: user.displayName,
    display_name_normalized: user.displayName,
    status_text: '',
    status_emoji: '',
    status_expiration: 0,
    avatar_hash: user.id.slice(1, 13).toLowerCase(),
    first_name: firstName,
    last_name: rest.join(' '),
    image_24: user.image72,
    image_32: user.image72,
    image_48: user.image72,
    image_72: user.image72,
    image_192: user.image72,
    image_512: user.image72,
  };
  if (withTeam) {
    profile.team = user.teamId;
  }
  if (withEmail && user.email !== undefined) {
    profile.email = user.email;
  }
  if (user.isBot && app !== undefined) {
    profile.bot_id = app.botId;
    profile.api_app_id = app.appId;
    profile.always_active = false;
  }
  return profile;
}

export function renderUser(user: SimUser, withEmail: boolean, app?: InstalledApp): Record<string, unknown> {
  const zone = zoneInfo(user.tz);
  return {
    id: user.id,
    team_id: user.teamId,
    name: user.name,
    deleted: false,
    color: '9f69e7',
    real_name: user.realName,
    tz: user.tz,
    tz_label: zone.label,
    tz_offset: zone.offset,
    profile: renderProfile(user, withEmail, app),
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: user.updated,
    is_email_confirmed: !user.isBot,
  };
}

export function renderBotProfile(app: InstalledApp): Record<string, unknown> {
  return {
    id: app.botId,
    deleted: false,
    name: app.name,
    updated: 1_700_000_000,
    app_id: app.appId,
    icons: {
      image_36: 'https://a.slack-edge.example/bot-36.png',
      image_48: 'https://a.slack-edge.example/bot-48.png',
      image_72: 'https://a.slack-edge.example/bot-72.png',
    },
    team_id: app.teamId,
  };
}

export interface RenderMessageOptions {
  /**
   * `api`: Web API responses. `event`: a message event, which adds `channel` and omits
   * `app_id` and `reactions`. `nested`: the `message` and `previous_message` of
   * message_changed and message_deleted events, without `channel`.
   */
  context: 'api' | 'event' | 'nested';
  includeMetadata: boolean;
  /** The app that posted, for `bot_profile`. */
  author?: InstalledApp;
  /** Renders one entry of `files`. A file_share message lists its files only when this is set. */
  renderFile?: (fileId: string) => Record<string, unknown>;
}

/**
 * Renders a message. A message that shares files has subtype `file_share`. Otherwise a bot
 * post with a custom `username` becomes subtype `bot_message`, as in Slack.
 */
export function renderMessage(message: SimMessage, options: RenderMessageOptions): Record<string, unknown> {
  const isFileShare = message.files !== undefined && message.files.length > 0;
  const isCustomizedBotPost = message.botId !== undefined && message.username !== undefined && !isFileShare;
  const isApi = options.context === 'api';
  const out: Record<string, unknown> = { type: 'message' };

  if (isFileShare) {
    out.subtype = 'file_share';
  } else if (isCustomizedBotPost) {
    out.subtype = 'bot_message';
  }
  if (message.clientMsgId !== undefined) {
    out.client_msg_id = message.clientMsgId;
  }
  if (!isCustomizedBotPost) {
    out.user = message.user;
  }
  if (message.botId !== undefined) {
    out.bot_id = message.botId;
    if (isApi && message.appId !== undefined) {
      out.app_id = message.appId;
    }
    // The java-slack-sdk file_share event sample has no bot_profile, so file shares leave it out.
    if (!isCustomizedBotPost && !isFileShare && options.author !== undefined) {
      out.bot_profile = renderBotProfile(options.author);
    }
  }
  if (message.username !== undefined) {
    out.username = message.username;
  }
  if (message.iconEmoji !== undefined) {
    out.icons = { emoji: message.iconEmoji };
  } else if (message.iconUrl !== undefined) {
    out.icons = { image_64: message.iconUrl };
  }

  out.text = message.text;
  if (message.blocks !== undefined) {
    out.blocks = message.blocks;
  }
  if (isFileShare && options.renderFile !== undefined) {
    out.files = (message.files ?? []).map(options.renderFile);
    out.upload = message.upload ?? false;
    out.display_as_bot = false;
  }
  out.ts = message.ts;
  if (options.context === 'event') {
    out.channel = message.channel;
  }
  // Slack's message events leave out `team` for bot_message and file_share posts.
  if (!((isCustomizedBotPost || isFileShare) && options.context !== 'api')) {
    out.team = message.team;
  }

  if (message.threadTs !== undefined) {
    out.thread_ts = message.threadTs;
  }
  if (message.parentUserId !== undefined) {
    out.parent_user_id = message.parentUserId;
  }
  if (message.edited !== undefined) {
    out.edited = { ...message.edited };
  }
  if (options.includeMetadata && message.metadata !== undefined) {
    // NOTE: message events carry only `event_type`, the one metadata key the java-slack-sdk
    // event samples record; whether Slack ever adds `event_payload` there is unverified.
    out.metadata = options.context === 'event' ? { event_type: message.metadata.event_type } : message.metadata;
  }
  if (isApi && message.reactions.length > 0) {
    out.reactions = message.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }));
  }
  return out;
}

/** Renders a channel, group im or im as conversations.info and conversations.create return it. */
export function renderConversation(
  conversation: Conversation,
  viewerUserId: string,
  options: { numMembers?: boolean } = {},
): Record<string, unknown> {
  const created = conversation.created;

  if (conversation.type === 'im') {
    return {
      id: conversation.id,
      created,
      is_archived: false,
      is_im: true,
      is_org_shared: false,
      context_team_id: conversation.teamId,
      updated: created * 1000,
      user: conversation.members.find((member) => member !== viewerUserId) ?? viewerUserId,
      is_open: true,
      priority: 0,
    };
  }

  const isChannel = conversation.type === 'public' || conversation.type === 'private';
  const out: Record<string, unknown> = {
    id: conversation.id,
    name: conversation.name ?? mpimName(conversation),
    is_channel: isChannel,
    is_group: conversation.type === 'mpim',
    is_im: false,
    is_mpim: conversation.type === 'mpim',
    is_private: conversation.type !== 'public',
    created,
    is_archived: false,
    is_general: false,
    unlinked: 0,
    name_normalized: conversation.name ?? mpimName(conversation),
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: conversation.teamId,
    updated: created * 1000,
    creator: conversation.creator,
    is_member: conversation.members.includes(viewerUserId),
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    previous_names: [],
  };
  if (options.numMembers === true) {
    out.num_members = conversation.members.length;
  }
  return out;
}

function mpimName(conversation: Conversation): string {
  return `mpdm-${conversation.members.join('--').toLowerCase()}-1`;
}

export function workspaceUrl(workspace: Workspace): string {
  return `https://${workspace.domain}/`;
}

/** The `channel_type` of message events: im, mpim, group (private channel) or channel. */
export function eventChannelType(conversation: Conversation): string {
  switch (conversation.type) {
    case 'im':
      return 'im';
    case 'mpim':
      return 'mpim';
    case 'private':
      return 'group';
    case 'public':
      return 'channel';
  }
}
