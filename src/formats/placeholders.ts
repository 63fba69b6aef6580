// Placeholders: parsers put a private-use code point where a platform's own markup stood (a
// Slack control sequence, a Webex mention tag), parse the styling around it, and then put
// the markup's node back in its place.

import type { Block, Inline, RichText } from '../core/richtext.js';

const placeholderBase = 0xf0000;
const placeholderChar = /[\u{f0000}-\u{ffffd}]/u;

/** Every placeholder code point, for removing them from input before parsing. */
export const placeholders = /[\u{f0000}-\u{ffffd}]/gu;

/** Returns the placeholder for the item at `index`. */
export function placeholder(index: number): string {
  return String.fromCodePoint(placeholderBase + index);
}

/** Returns the index a placeholder stands for. */
export function placeholderIndex(char: string): number {
  return char.codePointAt(0)! - placeholderBase;
}

export interface Restore {
  /** The node a placeholder in text stands for. */
  node(char: string): Inline;
  /** Text between placeholders, as it goes into a text node. */
  text(segment: string): string;
  /** Code and URLs, where placeholders become text of their own. */
  literal(value: string): string;
}

/** Replaces the placeholders in a parsed tree: by their nodes in text, by text inside code and URLs. */
export function restorePlaceholders(rich: RichText, restore: Restore): RichText {
  const inlines = (nodes: Inline[]): Inline[] =>
    nodes.flatMap((node): Inline[] => {
      switch (node.type) {
        case 'text': {
          const out: Inline[] = [];
          let rest = '';
          for (const char of node.text) {
            if (!placeholderChar.test(char)) {
              rest += char;
              continue;
            }
            if (rest) out.push({ type: 'text', text: restore.text(rest) });
            rest = '';
            out.push(restore.node(char));
          }
          if (rest) out.push({ type: 'text', text: restore.text(rest) });
          return out;
        }
        case 'code':
          return [{ type: 'code', text: restore.literal(node.text) }];
        case 'link':
          return [{ ...node, url: restore.literal(node.url), children: inlines(node.children) }];
        case 'bold':
        case 'italic':
        case 'strike':
          return [{ ...node, children: inlines(node.children) }];
        default:
          return [node];
      }
    });
  const blocks = (list: Block[]): Block[] =>
    list.map((block): Block => {
      switch (block.type) {
        case 'paragraph':
          return { type: 'paragraph', children: inlines(block.children) };
        case 'code_block':
          return { ...block, text: restore.literal(block.text) };
        case 'quote':
          return { type: 'quote', children: blocks(block.children) };
        case 'list':
          return { ...block, items: block.items.map(blocks) };
      }
    });
  return { blocks: blocks(rich.blocks) };
}
