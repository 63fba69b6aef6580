// Plain text to and from the rich-text tree: paragraphs split on blank lines, line
// breaks kept.

import type { Block, Inline, RichText } from '../core/richtext.js';

export function parsePlain(text: string): RichText {
  const blocks: Block[] = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => ({ type: 'paragraph', children: linesToInlines(paragraph) }));
  return { blocks };
}

function linesToInlines(paragraph: string): Inline[] {
  const out: Inline[] = [];
  paragraph.split('\n').forEach((line, i) => {
    if (i > 0) out.push({ type: 'break' });
    if (line !== '') out.push({ type: 'text', text: line });
  });
  return out;
}

export function inlineToPlain(node: Inline): string {
  switch (node.type) {
    case 'text':
      return node.text;
    case 'code':
      return node.text;
    case 'break':
      return '\n';
    case 'emoji':
      return node.unicode;
    case 'mention':
      return `@${node.name}`;
    case 'link': {
      const label = node.children.map(inlineToPlain).join('');
      return label && label !== node.url ? `${label} (${node.url})` : node.url;
    }
    default:
      return node.children.map(inlineToPlain).join('');
  }
}

/**
 * Renders blocks with a format's inline renderer and code block form. Quotes prefix each
 * line with `> ` and lists use `-` or `1.`, which plain text, XEP-0393 styling and
 * markdown share.
 */
export function renderBlocks(rich: RichText, inline: (node: Inline) => string, codeBlock: (block: Extract<Block, { type: 'code_block' }>) => string): string {
  const render = (block: Block): string => {
    switch (block.type) {
      case 'paragraph':
        return block.children.map(inline).join('');
      case 'code_block':
        return codeBlock(block);
      case 'quote':
        return block.children
          .map(render)
          .join('\n\n')
          .split('\n')
          .map((line) => `> ${line}`)
          .join('\n');
      case 'list':
        return block.items.map((item, i) => `${block.ordered ? `${i + 1}.` : '-'} ${item.map(render).join('\n')}`).join('\n');
    }
  };
  return rich.blocks.map(render).join('\n\n');
}

export function renderPlain(rich: RichText): string {
  return renderBlocks(rich, inlineToPlain, (block) => block.text);
}
