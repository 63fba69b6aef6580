// Slack mrkdwn: entities, links and mentions in; its span and block styling, which is the
// same as XEP-0393's, both ways. Mass mentions (<!channel>, <!here>, <!everyone>) become
// plain text that notifies nobody.
// Source: api.slack.com/reference/surfaces/formatting (escaping &, <, >; <url|label>).

import type { Inline, RichText } from '../core/richtext.js';
import { emojiForSlackName } from './emoji.js';
import { inlineToPlain, renderBlocks } from './plain.js';
import { placeholder, placeholderIndex, placeholders, restorePlaceholders } from './placeholders.js';
import { parseStyling } from './styling.js';

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

export function unescapeSlack(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (match) => entities[match] ?? match);
}

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Resolves a Slack user id to the person's name and email, when the caller knows them. */
export type SlackUserNames = (userId: string) => { name?: string; email?: string } | undefined;

/** Returns the Slack user id of a person with this email in the workspace the message goes to. */
export type SlackUserIds = (email: string) => string | undefined;


/**
 * Turns one `<...>` control sequence into a node: a link with its label, a user mention by
 * name, a channel name as text. Mass mentions (`<!channel>`, `<!here>`, `<!everyone>`) and
 * user groups become text that notifies nobody.
 */
function controlToInline(inner: string, names: SlackUserNames): Inline {
  const [target = '', label] = inner.split('|', 2);
  if (target.startsWith('@')) {
    const person = names(target.slice(1));
    return { type: 'mention', name: unescapeSlack(label ?? person?.name ?? target.slice(1)), ...(person?.email ? { email: person.email } : {}) };
  }
  if (target.startsWith('#')) return { type: 'text', text: `#${unescapeSlack(label ?? target.slice(1))}` };
  if (target.startsWith('!')) {
    const word = target.slice(1).split('^')[0] ?? '';
    return { type: 'text', text: `@${unescapeSlack(label ?? word)}` };
  }
  const url = unescapeSlack(target);
  return { type: 'link', url, children: [{ type: 'text', text: label === undefined ? url : unescapeSlack(label) }] };
}

/** Replaces `:name:` shortcodes (with skin tones) by their Unicode emoji; custom emoji stay as typed. */
function shortcodesToEmoji(text: string): string {
  return text.replace(/:([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):/g, (match, name: string) => emojiForSlackName(name) ?? match);
}

/** Puts fences that Slack sends inline (```code```) on lines of their own, as XEP-0393 reads them. */
function fenceBlocks(text: string): string {
  return text.replace(/```([\s\S]*?)```/g, (_match, body: string) => `\n\`\`\`\n${body.replace(/^\n|\n$/g, '')}\n\`\`\`\n`).replace(/^\n+|\n+$/g, '');
}

/**
 * Parses Slack mrkdwn into the tree. Control sequences become links and mentions, entities
 * become characters, and shortcodes become emoji, except inside code, which keeps what the
 * user typed (a control sequence there reads as its label or URL).
 */
export function parseSlack(text: string, names: SlackUserNames = () => undefined): RichText {
  const controls: string[] = [];
  const marked = fenceBlocks(text.replace(placeholders, '')).replace(/<([^<>\n]*)>/g, (_match, inner: string) => {
    controls.push(inner);
    return placeholder(controls.length - 1);
  });
  const control = (char: string) => controlToInline(controls[placeholderIndex(char)] ?? '', names);
  return restorePlaceholders(parseStyling(marked), {
    node: control,
    text: (segment) => shortcodesToEmoji(unescapeSlack(segment)),
    // Inside code: entities decoded and control sequences read as text, nothing else.
    literal: (value) => unescapeSlack(value.replace(placeholders, (char) => inlineToPlain(control(char)))),
  });
}

/** Renders one inline node as mrkdwn: XEP-0393's marks, escaped text, and `<url|label>` links. */
function renderSlackInline(node: Inline, ids: SlackUserIds): string {
  const children = (nodes: Inline[]) => nodes.map((child) => renderSlackInline(child, ids)).join('');
  switch (node.type) {
    case 'text':
      return escapeSlack(node.text);
    case 'bold':
      return `*${children(node.children)}*`;
    case 'italic':
      return `_${children(node.children)}_`;
    case 'strike':
      return `~${children(node.children)}~`;
    case 'code':
      return `\`${escapeSlack(node.text)}\``;
    case 'link': {
      const label = node.children.map(inlineToPlain).join('');
      const url = node.url.replace(/[<>|]/g, encodeURIComponent);
      return label && label !== node.url ? `<${url}|${escapeSlack(label).replace(/\|/g, '¦')}>` : `<${url}>`;
    }
    case 'mention': {
      // A person in this workspace is mentioned by id, which notifies them; anyone else reads as a name.
      const id = node.email ? ids(node.email) : undefined;
      return id ? `<@${id}>` : escapeSlack(`@${node.name}`);
    }
    default:
      return escapeSlack(inlineToPlain(node));
  }
}

export function renderSlack(rich: RichText, ids: SlackUserIds = () => undefined): string {
  return renderBlocks(rich, (node) => renderSlackInline(node, ids), (block) => `\`\`\`${block.language ?? ''}\n${escapeSlack(block.text)}\n\`\`\``);
}

export type { Inline };
