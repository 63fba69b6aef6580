import type { PlatformCapabilities } from '../../core/capabilities.js';

export const webexCapabilities: PlatformCapabilities = {
  platform: 'webex',
  sends: { rich_text: true, edits: true, deletes: true, reactions: false, replies: true, typing: false, presence: 'polled', files: true, channels: true },
  shows: {
    rich_text: { kind: 'native', note: 'markdown' },
    edits: { kind: 'native', note: 'up to 10; later ones as a marked correction in the thread' },
    deletes: { kind: 'native' },
    reactions: { kind: 'fallback', as: 'a reply in the thread ("reacted 👍")' },
    replies: { kind: 'native', note: 'threads are one level deep' },
    typing: { kind: 'none', reason: 'Webex shows no typing from bots or guests' },
    presence: { kind: 'fallback', as: "the contact's status in the bot's contacts list" },
    files: { kind: 'native', note: 'up to 100 MB' },
    channels: { kind: 'native', note: "a group space made by the inviter's proxy; the bot names members without a proxy" },
  },
};
