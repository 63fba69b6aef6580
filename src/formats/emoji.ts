// One emoji table for every platform: Unicode sequences to Slack shortcodes and back,
// from iamcal/emoji-data (npm emoji-datasource), the table Slack itself uses. Skin tones
// are Slack's `name::skin-tone-N` suffixes; ZWJ sequences stay whole.

import { createRequire } from 'node:module';

interface EmojiRecord {
  unified: string;
  non_qualified: string | null;
  short_name: string;
  short_names: string[];
  skin_variations?: Record<string, { unified: string; non_qualified: string | null }>;
}

const skinTones: Record<string, string> = { '1F3FB': '2', '1F3FC': '3', '1F3FD': '4', '1F3FE': '5', '1F3FF': '6' };

let tables: { byUnified: Map<string, string>; byName: Map<string, string> } | undefined;

function load() {
  if (tables) return tables;
  const records = createRequire(import.meta.url)('emoji-datasource/emoji.json') as EmojiRecord[];
  const byUnified = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const record of records) {
    byUnified.set(record.unified, record.short_name);
    if (record.non_qualified) byUnified.set(record.non_qualified, record.short_name);
    for (const name of record.short_names) byName.set(name, record.unified);
    for (const [tone, variation] of Object.entries(record.skin_variations ?? {})) {
      const suffix = skinTones[tone.split('-')[0] ?? ''];
      if (!suffix) continue;
      const name = `${record.short_name}::skin-tone-${suffix}`;
      byUnified.set(variation.unified, name);
      if (variation.non_qualified) byUnified.set(variation.non_qualified, name);
      for (const alias of record.short_names) byName.set(`${alias}::skin-tone-${suffix}`, variation.unified);
    }
  }
  tables = { byUnified, byName };
  return tables;
}

function unified(emoji: string): string {
  return [...emoji].map((c) => c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join('-');
}

function fromUnified(code: string): string {
  return String.fromCodePoint(...code.split('-').map((hex) => parseInt(hex, 16)));
}

/** Slack's name for an emoji (`+1`, `+1::skin-tone-3`); undefined when the table lacks it. */
export function slackName(emoji: string): string | undefined {
  const { byUnified } = load();
  const code = unified(emoji);
  return byUnified.get(code) ?? byUnified.get(code.replace(/-FE0F/g, ''));
}

/** Looks up the Unicode emoji for a Slack name, with or without colons; undefined for custom emoji. */
export function emojiForSlackName(name: string): string | undefined {
  const code = load().byName.get(name.replace(/^:|:$/g, ''));
  return code === undefined ? undefined : fromUnified(code);
}
