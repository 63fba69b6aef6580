import type { PlatformCapabilities } from '../../core/capabilities.js';

export const xmppCapabilities: PlatformCapabilities = {
  platform: 'xmpp',
  sends: { rich_text: true, edits: true, deletes: true, reactions: true, replies: true, typing: true, presence: true, files: true, channels: false },
  shows: {
    rich_text: { kind: 'native', note: 'XEP-0393 styling' },
    edits: { kind: 'native', note: 'XEP-0308 correction' },
    deletes: { kind: 'native', note: 'XEP-0424 retraction' },
    reactions: { kind: 'native', note: 'XEP-0444' },
    replies: { kind: 'native', note: 'XEP-0461' },
    typing: { kind: 'native', note: 'XEP-0085' },
    presence: { kind: 'native', note: 'roster presence' },
    files: { kind: 'native', note: 'an upload link, XEP-0363 and XEP-0066' },
    channels: { kind: 'native', note: 'a members-only room on the component, XEP-0045, with a XEP-0249 invitation' },
  },
};
