// Builds Events API payloads from state changes: which apps receive a change, and the
// `event_callback` envelope each one gets.

import { renderMessageFile } from './file-views.js';
import { randomId } from './ids.js';
import type { Conversation, InstalledApp, SimMessage, StateChange } from './model.js';
import { eventChannelType, renderMessage } from './render.js';
import type { SlackState } from './state.js';

export interface EventEnvelope {
  token: string;
  team_id: string;
  api_app_id: string;
  event: Record<string, unknown> & { type: string; event_ts: string };
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: Array<{
    enterprise_id: null;
    team_id: string;
    user_id: string;
    is_bot: boolean;
    is_enterprise_install: boolean;
  }>;
  /** Deprecated by Slack in favour of `authorizations` but still sent, and required by the published wrapper schema. */
  authed_users: string[];
  is_ext_shared_channel: boolean;
  event_context: string;
}

/** The scope an app needs to be sent message events of each conversation type (message.im, message.groups, ...). */
const HISTORY_SCOPE = {
  im: 'im:history',
  mpim: 'mpim:history',
  private: 'groups:history',
  public: 'channels:history',
} as const;

/**
 * Returns the apps that receive events about `conversation`: those whose bot is a member,
 * that hold `scopeFor(type)` and have a request URL.
 */
function receivingApps(state: SlackState, conversation: Conversation, scope: string): InstalledApp[] {
  return [...state.apps.values()].filter(
    (app) =>
      app.teamId === conversation.teamId &&
      app.requestUrl !== undefined &&
      conversation.members.includes(app.botUserId) &&
      app.scopes.has(scope),
  );
}

function render(state: SlackState, message: SimMessage, context: 'event' | 'nested'): Record<string, unknown> {
  const author = message.appId === undefined ? undefined : state.apps.get(message.appId);
  return renderMessage(message, {
    context,
    includeMetadata: context === 'event',
    renderFile: (fileId) => renderMessageFile(state, fileId),
    ...(author ? { author } : {}),
  });
}

/** Builds the inner `event` of a change in `conversation`, plus the scope that subscribing to it needs. */
function buildEvent(
  state: SlackState,
  change: StateChange,
  conversation: Conversation,
): { event: EventEnvelope['event']; scope: string } {
  const channelType = eventChannelType(conversation);

  switch (change.kind) {
    case 'message_posted': {
      const event = render(state, change.message, 'event');
      return {
        event: { ...event, event_ts: change.message.ts, channel_type: channelType, type: 'message' },
        scope: HISTORY_SCOPE[conversation.type],
      };
    }
    case 'message_changed': {
      const eventTs = change.message.edited?.ts ?? change.message.ts;
      return {
        event: {
          type: 'message',
          subtype: 'message_changed',
          hidden: true,
          channel: conversation.id,
          message: render(state, change.message, 'nested'),
          previous_message: render(state, change.previous, 'nested'),
          event_ts: eventTs,
          ts: eventTs,
          channel_type: channelType,
        },
        scope: HISTORY_SCOPE[conversation.type],
      };
    }
    case 'message_deleted':
      return {
        event: {
          type: 'message',
          subtype: 'message_deleted',
          hidden: true,
          channel: conversation.id,
          deleted_ts: change.previous.ts,
          previous_message: render(state, change.previous, 'nested'),
          event_ts: change.eventTs,
          ts: change.eventTs,
          channel_type: channelType,
        },
        scope: HISTORY_SCOPE[conversation.type],
      };
    case 'reaction_added':
    case 'reaction_removed':
      return {
        event: {
          type: change.kind,
          user: change.user,
          item: { type: 'message', channel: conversation.id, ts: change.message.ts },
          reaction: change.reaction,
          item_user: change.message.user,
          event_ts: change.eventTs,
        },
        scope: 'reactions:read',
      };
    case 'member_left':
      return {
        event: {
          type: 'member_left_channel',
          user: change.user,
          channel: change.channel,
          channel_type: conversation.type === 'public' ? 'C' : 'G',
          team: conversation.teamId,
          event_ts: change.eventTs,
        },
        scope: conversation.type === 'public' ? 'channels:read' : 'groups:read',
      };
  }
}

function channelOf(change: StateChange): string {
  if (change.kind === 'member_left') return change.channel;
  return change.kind === 'message_deleted' ? change.previous.channel : change.message.channel;
}

/** Returns one envelope per app that receives `change`, each with its own event_id. */
export function envelopesFor(state: SlackState, change: StateChange): Array<{ app: InstalledApp; envelope: EventEnvelope }> {
  const conversation = state.conversations.get(channelOf(change));
  if (conversation === undefined) {
    return [];
  }

  const { event, scope } = buildEvent(state, change, conversation);
  return receivingApps(state, conversation, scope).map((app) => ({ app, envelope: wrap(app, event, conversation.id) }));
}

function wrap(app: InstalledApp, event: EventEnvelope['event'], channel: string): EventEnvelope {
  const context = { et: event.type, tid: app.teamId, aid: app.appId, cid: channel };
  return {
    token: app.verificationToken,
    team_id: app.teamId,
    api_app_id: app.appId,
    event,
    type: 'event_callback',
    event_id: randomId('Ev', 10),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: app.teamId, user_id: app.botUserId, is_bot: true, is_enterprise_install: false },
    ],
    authed_users: [app.botUserId],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify(context)).toString('base64url')}`,
  };
}
