import type { PlatformCapabilities } from '../../core/capabilities.js';

export const teamsCapabilities: PlatformCapabilities = {
  platform: 'teams',
  sends: { rich_text: true, edits: true, deletes: true, reactions: true, replies: false, typing: true, presence: false, files: true, channels: false },
  shows: {
    rich_text: { kind: 'native', note: 'markdown' },
    edits: { kind: 'native' },
    deletes: { kind: 'native' },
    reactions: { kind: 'fallback', as: 'a short reply ("reacted 👍"), since bots cannot react' },
    replies: { kind: 'fallback', as: 'a message that quotes nothing: a 1:1 chat with a bot has no threads' },
    typing: { kind: 'native', note: 'at most one indicator per 3 s' },
    presence: { kind: 'none', reason: 'Teams shows bots no presence' },
    files: { kind: 'native', note: "a consent card; the file goes to the user's OneDrive once they accept" },
    channels: { kind: 'none', reason: 'shared channels are not built for Teams yet' },
  },
};
