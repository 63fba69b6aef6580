// Webex markdown out: the rich-text tree as the markdown Webex clients render, used only
// when a message has styling; plain messages go as text. Markdown characters in text are
// escaped with a backslash so that a literal `*` stays a `*`.
// Source: developer.webex.com, "Basic Formatting" (bold, italic, strike, code, quotes).

import type { Block, Inline, RichText } from '../core/richtext.js';
import { renderBlocks } from './plain.js';

const special = /[\\`*_~[\]<>#|]/g;

function escapeMarkdown(text: string): string {
  return text.replace(special, (c) => `\\${c}`);
}

function inline(node: Inline): string {
  switch (node.type) {
    case 'text':
      return escapeMarkdown(node.text);
    case 'bold':
      return `**${node.children.map(inline).join('')}**`;
    case 'italic':
      return `*${node.children.map(inline).join('')}*`;
    case 'strike':
      return `~~${node.children.map(inline).join('')}~~`;
    case 'code':
      return `\`${node.text.replace(/`/g, "'")}\``;
    case 'break':
      return '  \n';
    case 'emoji':
      return node.unicode;
    case 'mention':
      return `@${escapeMarkdown(node.name)}`;
    case 'link': {
      const label = node.children.map(inline).join('');
      return `[${label || escapeMarkdown(node.url)}](${node.url.replace(/[()\s]/g, encodeURIComponent)})`;
    }
  }
}

function styled(node: Inline | Block): boolean {
  switch (node.type) {
    case 'bold':
    case 'italic':
    case 'strike':
    case 'code':
    case 'code_block':
    case 'quote':
    case 'list':
      return true;
    case 'paragraph':
    case 'link':
      return node.children.some(styled);
    default:
      return false;
  }
}

/** True when the message has styling that plain text would lose. */
export function hasStyling(rich: RichText): boolean {
  return rich.blocks.some(styled);
}

export function renderWebexMarkdown(rich: RichText): string {
  return renderBlocks(rich, inline, (node) => `\`\`\`${node.language ?? ''}\n${node.text.replace(/```/g, "'''")}\n\`\`\``);
}
