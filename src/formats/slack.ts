// Slack mrkdwn: entities, links and mentions in; its span and block styling, which is the
// same as XEP-0393's, both ways. Mass mentions (<!channel>, <!here>, <!everyone>) become
// plain text that notifies nobody.
// Source: api.slack.com/reference/surfaces/formatting (escaping &, <, >; <url|label>).

import type { Inline, RichText } from '../core/richtext.js';
import { emojiForSlackName } from './emoji.js';
import { parseStyling, renderStyling } from './styling.js';

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

export function unescapeSlack(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (match) => entities[match] ?? match);
}

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Resolves a Slack user id to a display name, when the caller knows it. */
export type SlackUserNames = (userId: string) => string | undefined;

/** Turns one `<...>` control sequence into plain text. */
function controlToText(inner: string, names: SlackUserNames): string {
  const [target = '', label] = inner.split('|', 2);
  if (target.startsWith('@')) {
    const name = label ?? names(target.slice(1)) ?? target.slice(1);
    return `@${name}`;
  }
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  if (target.startsWith('!')) {
    const word = target.slice(1).split('^')[0] ?? '';
    return `@${label ?? word}`;
  }
  const url = unescapeSlack(target);
  return label === undefined ? url : `${unescapeSlack(label)} (${url})`;
}

/** Replaces `:name:` shortcodes (with skin tones) by their Unicode emoji; custom emoji stay as typed. */
function shortcodesToEmoji(text: string): string {
  return text.replace(/:([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):/g, (match, name: string) => emojiForSlackName(name) ?? match);
}

export function parseSlack(text: string, names: SlackUserNames = () => undefined): RichText {
  const plain = text.replace(/<([^<>]*)>/g, (_match, inner: string) => controlToText(inner, names));
  return parseStyling(shortcodesToEmoji(unescapeSlack(plain)));
}

export function renderSlack(rich: RichText): string {
  return escapeSlack(renderStyling(rich));
}

export type { Inline };
