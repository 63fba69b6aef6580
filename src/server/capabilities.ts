// The capability matrix: for each pair of platforms and each feature, what a user on the
// second sees when a contact on the first uses it. Generated from the connectors'
// declarations into docs/capabilities.md, which a test keeps current.

import { capabilityFeatures, featureLabels, type PlatformCapabilities, type Shown } from '../core/capabilities.js';
import { platformNames } from '../core/platform.js';
import { slackCapabilities } from '../connectors/slack/capabilities.js';
import { webexCapabilities } from '../connectors/webex/capabilities.js';
import { teamsCapabilities } from '../connectors/teams/capabilities.js';
import { xmppCapabilities } from '../connectors/xmpp/capabilities.js';

/** One line per platform, as the registry has one line per connector. */
export const platformCapabilities: PlatformCapabilities[] = [webexCapabilities, slackCapabilities, xmppCapabilities, teamsCapabilities];

function cell(from: PlatformCapabilities, to: PlatformCapabilities, feature: (typeof capabilityFeatures)[number]): string {
  const sends = from.sends[feature];
  if (!sends) return `— (${platformNames[from.platform]} does not send it)`;
  const shown: Shown = to.shows[feature];
  if (sends === 'polled' && shown.kind !== 'native') return `no: the hub reads it from ${platformNames[from.platform]} only for platforms that show it`;
  const condition = from.sendNotes?.[feature];
  switch (shown.kind) {
    case 'native': {
      const notes = [shown.note, condition].filter(Boolean).join('; ');
      return notes ? `yes (${notes})` : 'yes';
    }
    case 'fallback':
      return `as ${shown.as}`;
    case 'none':
      return `no: ${shown.reason}`;
  }
}

/** The matrix as Markdown: a table per target platform, a row per feature, a column per source. */
export function capabilityMatrix(all: PlatformCapabilities[] = platformCapabilities): string {
  const sections: string[] = [];
  for (const to of all) {
    const sources = all.filter((p) => p.platform !== to.platform);
    const header = `| feature | ${sources.map((s) => `from ${platformNames[s.platform]}`).join(' | ')} |`;
    const rule = `|---|${sources.map(() => '---').join('|')}|`;
    const rows = capabilityFeatures.map((feature) => `| ${featureLabels[feature]} | ${sources.map((from) => cell(from, to, feature)).join(' | ')} |`);
    const article = /^[AEIOUX]/.test(platformNames[to.platform]) ? 'an' : 'a';
    sections.push([`## What ${article} ${platformNames[to.platform]} user sees`, '', header, rule, ...rows].join('\n'));
  }
  return sections.join('\n\n');
}
