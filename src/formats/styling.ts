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
  // Where each directive could close (it follows a non-space), found once per line, so that
  // an opener finds its closer by binary search and a hostile line stays O(n log n).
  const closers = new Map<string, number[]>();
  for (let j = 1; j < line.length; j++) {
    const c = line[j]!;
    if (c in spanTypes && !isSpace(line[j - 1])) {
      const list = closers.get(c) ?? [];
      list.push(j);
      closers.set(c, list);
    }
  }
  const closerAfter = (c: string, from: number, before: number): number => {
    const list = closers.get(c);
    if (!list) return -1;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (list[mid]! < from) low = mid + 1;
      else high = mid;
    }
    const found = list[low];
    return found !== undefined && found < before ? found : -1;
  };
  return spans(line, 0, line.length, closerAfter);
}

/** Parses the spans of `line` between `start` and `end`; closers come from the whole line's index. */
function spans(line: string, start: number, end: number, closerAfter: (c: string, from: number, before: number) => number): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  let i = start;
  while (i < end) {
    const c = line[i]!;
    const type = (spanTypes as Record<string, (typeof spanTypes)[Directive] | undefined>)[c];
    if (type && (i === start || isSpace(line[i - 1]) || line[i - 1]! in spanTypes) && i + 1 < end && !isSpace(line[i + 1])) {
      const close = closerAfter(c, i + 2, end);
      if (close > 0) {
        if (plain) out.push({ type: 'text', text: plain });
        plain = '';
        out.push(type === 'code' ? { type: 'code', text: line.slice(i + 1, close) } : { type, children: spans(line, i + 1, close, closerAfter) });
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
  return { blocks: parseBlocks(body.replace(/\r\n?/g, '\n').split('\n'), 0) };
}

/** Quotes nested deeper than this stay text, so that hostile input cannot exhaust the stack. */
const maxQuoteDepth = 32;

function parseBlocks(lines: string[], depth: number): Block[] {
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
    if (line.startsWith('>') && depth < maxQuoteDepth) {
      endParagraph();
      const quoted: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('>')) quoted.push(lines[i++]!.slice(1).replace(/^ /, ''));
      i--;
      blocks.push({ type: 'quote', children: parseBlocks(quoted, depth + 1) });
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
    // A loop, not a spread: a hostile line can yield more nodes than a call takes arguments.
    for (const node of parseSpans(line)) out.push(node);
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
