// XEP-0393 message styling to and from the rich-text tree. Slack mrkdwn uses the same span
// directives (*strong* _emphasis_ ~strike~ `code`, ``` blocks, > quotes), so its parser
// and renderer build on these.
// Source: xmpp.org/extensions/xep-0393.html (§5 block and span rules).

import type { Block, Inline, RichText } from '../core/richtext.js';
import { inlineToPlain, renderBlocks } from './plain.js';

const spanTypes = { '*': 'bold', _: 'italic', '~': 'strike', '`': 'code' } as const;
type Directive = keyof typeof spanTypes;

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);

/**
 * Parses the spans of one line. An opening directive starts a line or follows whitespace
 * and is followed by a non-space; the closing one follows a non-space; a span holds at least
 * one character and never crosses a line. Text inside `code` is not parsed further.
 */
export function parseSpans(line: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    const type = (spanTypes as Record<string, (typeof spanTypes)[Directive] | undefined>)[c];
    if (type && (i === 0 || isSpace(line[i - 1]) || line[i - 1]! in spanTypes) && !isSpace(line[i + 1])) {
      let close = -1;
      for (let j = i + 2; j < line.length; j++) {
        if (line[j] === c && !isSpace(line[j - 1])) {
          close = j;
          break;
        }
      }
      if (close > 0) {
        if (plain) out.push({ type: 'text', text: plain });
        plain = '';
        const inner = line.slice(i + 1, close);
        out.push(type === 'code' ? { type: 'code', text: inner } : { type, children: parseSpans(inner) });
        i = close + 1;
        continue;
      }
    }
    plain += c;
    i++;
  }
  if (plain) out.push({ type: 'text', text: plain });
  return out;
}

/** Parses a whole styled body into blocks: preformatted blocks, quotes, and paragraphs. */
export function parseStyling(body: string): RichText {
  return { blocks: parseBlocks(body.replace(/\r\n?/g, '\n').split('\n')) };
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', children: joinLines(paragraph) });
    paragraph = [];
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      endParagraph();
      const language = line.slice(3).trim();
      const body: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== '```') body.push(lines[i++]!);
      blocks.push({ type: 'code_block', text: body.join('\n'), ...(language ? { language } : {}) });
      continue;
    }
    if (line.startsWith('>')) {
      endParagraph();
      const quoted: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('>')) quoted.push(lines[i++]!.slice(1).replace(/^ /, ''));
      i--;
      blocks.push({ type: 'quote', children: parseBlocks(quoted) });
      continue;
    }
    if (line === '') {
      endParagraph();
      continue;
    }
    paragraph.push(line);
  }
  endParagraph();
  return blocks;
}

function joinLines(lines: string[]): Inline[] {
  const out: Inline[] = [];
  lines.forEach((line, i) => {
    if (i > 0) out.push({ type: 'break' });
    out.push(...parseSpans(line));
  });
  return out;
}

export function renderStylingInline(node: Inline): string {
  switch (node.type) {
    case 'bold':
      return `*${node.children.map(renderStylingInline).join('')}*`;
    case 'italic':
      return `_${node.children.map(renderStylingInline).join('')}_`;
    case 'strike':
      return `~${node.children.map(renderStylingInline).join('')}~`;
    case 'code':
      return `\`${node.text}\``;
    case 'link': {
      const label = node.children.map(renderStylingInline).join('');
      return label && label !== node.url ? `${label} (${node.url})` : node.url;
    }
    default:
      // Text, line breaks, emoji and mentions read the same as in plain text.
      return inlineToPlain(node);
  }
}

export function renderStyling(rich: RichText): string {
  return renderBlocks(rich, renderStylingInline, (block) => `\`\`\`${block.language ?? ''}\n${block.text}\n\`\`\``);
}
