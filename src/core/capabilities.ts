// Platform capabilities: the features each platform sends and shows, declared beside its
// connector. docs/capabilities.md is generated from these declarations, and a test checks
// that it is current, so the docs cannot claim more than the connectors do.

import type { Platform } from './platform.js';

export const capabilityFeatures = ['rich_text', 'edits', 'deletes', 'reactions', 'replies', 'typing', 'presence', 'files', 'channels'] as const;
export type CapabilityFeature = (typeof capabilityFeatures)[number];

/** The form in which a platform shows a feature that comes from a contact elsewhere. */
export type Shown =
  | { kind: 'native'; note?: string }
  /** Shown in another form, which `as` describes. */
  | { kind: 'fallback'; as: string }
  /** Not shown, for the reason in `reason`. */
  | { kind: 'none'; reason: string };

export interface PlatformCapabilities {
  platform: Platform;
  /**
   * Whether the hub learns of this feature when the platform's users use it: always (true),
   * never (false), or `polled`: only while a contact's platform shows it natively.
   */
  sends: Record<CapabilityFeature, boolean | 'polled'>;
  /** A condition on sending, such as a config switch. */
  sendNotes?: Partial<Record<CapabilityFeature, string>>;
  shows: Record<CapabilityFeature, Shown>;
}

export const featureLabels: Record<CapabilityFeature, string> = {
  rich_text: 'Formatting',
  edits: 'Edits',
  deletes: 'Deletions',
  reactions: 'Reactions',
  replies: 'Replies',
  typing: 'Typing',
  presence: 'Presence',
  files: 'Files',
  channels: 'Shared channels',
};
