// Builds the activities Teams sends to the bot when a person acts in a personal chat. They
// have the shape of the Teams samples: channelId msteams, a personal conversation with the
// tenant id, the sender with aadObjectId, the bot as recipient and the tenant in channelData.
import type { TeamsUser } from './directory.js';
import type { Conversation, TeamsState } from './state.js';

/** An activity as the simulator POSTs it to the bot. */
export interface InboundActivity {
  type: string;
  id: string;
  timestamp: string;
  localTimestamp: string;
  localTimezone: string;
  serviceUrl: string;
  channelId: 'msteams';
  from: { id: string; name: string; aadObjectId: string };
  conversation: { conversationType: 'personal'; tenantId: string; id: string };
  recipient: { id: string; name: string };
  locale: string;
  channelData: { tenant: { id: string }; eventType?: string };
  [field: string]: unknown;
}

export interface InboundContext {
  state: TeamsState;
  serviceUrl: string;
}

/** Returns the `clientInfo` entity that Teams adds to activities from a person's client. */
export function clientInfoEntity(): Record<string, string> {
  return { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Etc/UTC' };
}

/**
 * Builds an activity from `user` in `conversation`. `id` defaults to a new activity id;
 * messageUpdate and messageDelete pass the id of the message they change.
 */
export function inboundActivity(
  context: InboundContext,
  user: TeamsUser,
  conversation: Conversation,
  type: string,
  fields: Record<string, unknown> = {},
  id = context.state.activityIds.next(),
): InboundActivity {
  const bot = context.state.directory.bot;
  const now = new Date();
  return {
    type,
    id,
    timestamp: now.toISOString(),
    localTimestamp: now.toISOString().replace('Z', '+00:00'),
    localTimezone: 'Etc/UTC',
    serviceUrl: context.serviceUrl,
    channelId: 'msteams',
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { conversationType: 'personal', tenantId: conversation.tenantId, id: conversation.id },
    recipient: { id: bot.id, name: bot.name },
    locale: 'en-US',
    channelData: { tenant: { id: conversation.tenantId } },
    ...fields,
  };
}
