import type { PlatformCapabilities } from '../../core/capabilities.js';

export const slackCapabilities: PlatformCapabilities = {
  platform: 'slack',
  sends: { rich_text: true, edits: true, deletes: true, reactions: true, replies: true, typing: false, presence: 'polled', files: true, channels: true },
  sendNotes: { presence: 'with slack.presencePolling on' },
  shows: {
    rich_text: { kind: 'native', note: 'mrkdwn' },
    edits: { kind: 'native' },
    deletes: { kind: 'native' },
    reactions: { kind: 'native', note: "shown as the Parley app's reaction" },
    replies: { kind: 'native', note: 'in the thread' },
    typing: { kind: 'none', reason: 'Slack shows no typing from apps' },
    presence: { kind: 'fallback', as: "the contact's status in the bot's contacts list" },
    files: { kind: 'native', note: 'shared by the Parley app, with a comment naming the contact' },
    channels: { kind: 'native', note: "a private channel; each post under its sender's name" },
  },
};
