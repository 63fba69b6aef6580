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

/** Says whether a person with this email is on the Webex the message goes to, so a mention of them can notify. */
export type NativeMention = (email: string) => boolean;

function inline(node: Inline, native: NativeMention = () => false): string {
  const children = (nodes: Inline[]) => nodes.map((child) => inline(child, native)).join('');
  switch (node.type) {
    case 'text':
      return escapeMarkdown(node.text);
    case 'bold':
      return `**${children(node.children)}**`;
    case 'italic':
      return `*${children(node.children)}*`;
    case 'strike':
      return `~~${children(node.children)}~~`;
    case 'code':
      return `\`${node.text.replace(/`/g, "'")}\``;
    case 'break':
      return '  \n';
    case 'emoji':
      return node.unicode;
    case 'mention':
      // Webex resolves a mention by email to the person, who is notified.
      if (node.email && native(node.email)) return `<@personEmail:${node.email}|${node.name.replace(/[|>]/g, ' ')}>`;
      return `@${escapeMarkdown(node.name)}`;
    case 'link': {
      const label = children(node.children);
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

/** True when a mention in the message notifies someone on this Webex, which only markdown can do. */
export function mentionsNatively(rich: RichText, native: NativeMention): boolean {
  const inlineHas = (node: Inline): boolean =>
    node.type === 'mention' ? node.email !== undefined && native(node.email) : 'children' in node && node.children.some(inlineHas);
  const blockHas = (block: Block): boolean => {
    switch (block.type) {
      case 'paragraph':
        return block.children.some(inlineHas);
      case 'quote':
        return block.children.some(blockHas);
      case 'list':
        return block.items.some((item) => item.some(blockHas));
      default:
        return false;
    }
  };
  return rich.blocks.some(blockHas);
}

export function renderWebexMarkdown(rich: RichText, native: NativeMention = () => false): string {
  return renderBlocks(rich, (node) => inline(node, native), (node) => `\`\`\`${node.language ?? ''}\n${node.text.replace(/```/g, "'''")}\n\`\`\``);
}
