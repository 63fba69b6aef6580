// File objects as Slack renders them: the shorter form inside a message's `files` array and
// the files.info form with `shares`. Shapes follow the files.info reference example and the
// java-slack-sdk samples; a conformance test checks the keys. Also decides which apps may
// see a file.

import type { Conversation, InstalledApp, SimFile, SimMessage } from './model.js';
import { workspaceUrl } from './render.js';
import type { SlackState } from './state.js';

interface Share {
  conversation: Conversation;
  message: SimMessage;
}

/** Lists the messages that share the file, with their conversations. */
function sharesOf(state: SlackState, file: SimFile): Share[] {
  return state.messagesWithFile(file.id).flatMap((message) => {
    const conversation = state.conversations.get(message.channel);
    return conversation === undefined ? [] : [{ conversation, message }];
  });
}

function canSeeConversation(app: InstalledApp, conversation: Conversation): boolean {
  return conversation.teamId === app.teamId && (conversation.type === 'public' || conversation.members.includes(app.botUserId));
}

/**
 * Tells whether an app's bot can see a complete file: one the app uploaded, or one shared in
 * a public channel of its workspace or in a conversation the bot is a member of.
 */
export function isFileVisibleToApp(state: SlackState, file: SimFile, app: InstalledApp): boolean {
  if (file.teamId !== app.teamId || file.status !== 'complete') {
    return false;
  }
  if (file.appId === app.appId) {
    return true;
  }
  return sharesOf(state, file).some((share) => canSeeConversation(app, share.conversation));
}

function permalink(state: SlackState, file: SimFile): string {
  const workspace = state.workspaces.get(file.teamId);
  const origin = workspace === undefined ? 'https://slack.example/' : workspaceUrl(workspace);
  return `${origin}files/${file.user}/${file.id}/${encodeURIComponent(file.name)}`;
}

/** Renders the fields common to both forms. */
function renderFileFields(state: SlackState, file: SimFile): Record<string, unknown> {
  const isPublic = sharesOf(state, file).some((share) => share.conversation.type === 'public');
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.mimetype,
    filetype: file.filetype,
    pretty_type: file.prettyType,
    user: file.user,
    user_team: file.teamId,
    editable: false,
    size: file.size,
    mode: file.mode,
    is_external: false,
    external_type: '',
    is_public: isPublic,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: state.files.privateUrl(file),
    url_private_download: state.files.downloadUrl(file),
    media_display_type: 'unknown',
    permalink: permalink(state, file),
    has_rich_preview: false,
    file_access: 'visible',
    ...(file.altTxt !== undefined ? { alt_txt: file.altTxt } : {}),
  };
}

/**
 * Renders a file for a message's `files` array. A deleted file becomes
 * `{id, mode: "tombstone"}`. The reference files show no deleted file, so this follows the
 * redacted `{id, mode: "hidden_by_limit"}` form of Slack's 2019-03 files changelog.
 */
export function renderMessageFile(state: SlackState, fileId: string): Record<string, unknown> {
  const file = state.files.get(fileId);
  if (file === undefined || file.status === 'deleted') {
    return { id: fileId, mode: 'tombstone' };
  }
  return renderFileFields(state, file);
}

/** Renders one entry of `shares`, with the reply counts of the thread the share is in. */
function renderShare(state: SlackState, share: Share): Record<string, unknown> {
  const { conversation, message } = share;
  const rootTs = message.threadTs ?? message.ts;
  const replies = state.messagesOf(conversation.id).filter((m) => m.threadTs === rootTs && m.ts !== rootTs);
  const replyUsers = [...new Set(replies.map((reply) => reply.user))];
  const latestReply = replies.at(-1);

  return {
    reply_users: replyUsers,
    reply_users_count: replyUsers.length,
    reply_count: replies.length,
    ts: message.ts,
    ...(message.threadTs !== undefined ? { thread_ts: message.threadTs } : {}),
    ...(latestReply !== undefined ? { latest_reply: latestReply.ts } : {}),
    ...(conversation.name !== undefined ? { channel_name: conversation.name } : {}),
    team_id: conversation.teamId,
    share_user_id: message.user,
  };
}

/**
 * Renders a file as files.info returns it to `viewer`. `shares` lists only conversations the
 * viewer's bot can see: public channels under `public`, and private channels, ims and group
 * ims under `private`.
 */
export function renderFileInfo(state: SlackState, file: SimFile, viewer: InstalledApp): Record<string, unknown> {
  const publicShares: Record<string, Array<Record<string, unknown>>> = {};
  const privateShares: Record<string, Array<Record<string, unknown>>> = {};
  const channels = new Set<string>();
  const groups = new Set<string>();
  const ims = new Set<string>();

  for (const share of sharesOf(state, file)) {
    const { conversation } = share;
    if (!canSeeConversation(viewer, conversation)) {
      continue;
    }
    const target = conversation.type === 'public' ? publicShares : privateShares;
    (target[conversation.id] ??= []).push(renderShare(state, share));

    if (conversation.type === 'public') {
      channels.add(conversation.id);
    } else if (conversation.type === 'im') {
      ims.add(conversation.id);
    } else {
      groups.add(conversation.id);
    }
  }

  const shares: Record<string, unknown> = {};
  if (Object.keys(publicShares).length > 0) {
    shares.public = publicShares;
  }
  if (Object.keys(privateShares).length > 0) {
    shares.private = privateShares;
  }

  return {
    ...renderFileFields(state, file),
    comments_count: 0,
    is_starred: false,
    shares,
    channels: [...channels],
    groups: [...groups],
    ims: [...ims],
    has_more_shares: false,
  };
}
