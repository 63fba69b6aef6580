// Plain-text wording of the hub's own events (requests, greetings, notices), shared by
// every connector so each platform says the same thing.

import type { ChannelPlace, Sender } from '../core/connector.js';
import type { CanonicalEvent, ChannelInviteEvent, ChannelMemberEvent } from '../core/events.js';
import { platformNames } from '../core/platform.js';
import { describePerson } from './replies.js';

/** Renders an event the hub itself words as text; returns undefined for user messages. */
export function hubText(event: CanonicalEvent, sender: Sender): string | undefined {
  switch (event.kind) {
    case 'notice':
      return event.text;
    case 'contact_request':
      return [
        `${describePerson(event.requester)} wants to connect with you through Parley.`,
        `Send "accept ${event.requester.email}" to accept or "decline ${event.requester.email}" to decline.`,
        `The request is open until ${event.expiresAt.slice(0, 10)}.`,
      ].join(' ');
    case 'contact_response':
      if (sender.kind !== 'proxy') return undefined;
      return `${sender.person.displayName} (${sender.person.email}) on ${platformNames[sender.person.platform]} is now your contact through Parley. Write here to chat with them.`;
    default:
      return undefined;
  }
}

/** Builds the name a proxy shows: the person's name and their organisation's domain. */
export function proxyDisplayName(sender: Extract<Sender, { kind: 'proxy' | 'member' }>): string {
  return `${sender.person.displayName} (${sender.person.domain})`;
}

/**
 * Words the hub's own posts in a shared channel or its mirror: who was invited, who left or
 * was removed. `noun` is what the platform calls the place (space, channel, room).
 */
export function channelText(event: ChannelInviteEvent | ChannelMemberEvent, place: ChannelPlace, noun: string): string {
  if (event.kind === 'channel_invite') {
    if (place.role === 'mirror') {
      return [
        `${describePerson(event.inviter)} added you to "${place.title}", a ${platformNames[event.inviter.platform]} conversation, through Parley.`,
        'What you write here reaches its members, and their messages appear here under their names.',
      ].join(' ');
    }
    const invitee = event.invitee;
    const name = invitee.displayName ?? invitee.email ?? 'An external contact';
    return `${name}${invitee.email ? ` (${invitee.email}, ${platformNames[invitee.platform]})` : ''} now takes part in this ${noun} through Parley. Messages here also reach them.`;
  }
  const name = event.member.displayName ?? event.member.email ?? 'An external contact';
  return event.action === 'left'
    ? `${name} left this ${noun}; messages here no longer reach them.`
    : `${name} was removed from this ${noun}; messages here no longer reach them.`;
}
