// Plain-text wording of the hub's own events (requests, greetings, notices), shared by
// every connector so each platform says the same thing.

import type { Sender } from '../core/connector.js';
import type { CanonicalEvent } from '../core/events.js';
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
export function proxyDisplayName(sender: Extract<Sender, { kind: 'proxy' }>): string {
  return `${sender.person.displayName} (${sender.person.domain})`;
}
