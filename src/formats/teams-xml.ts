// Teams message text with `textFormat: xml`: a small set of HTML elements, read with a real
// XML parser (saxes) into the rich-text tree. Entities other than XML's five are not
// expanded, and text that does not parse as XML is read as plain text with its tags left in.

import { SaxesParser } from 'saxes';

import type { Block, Inline, RichText } from '../core/richtext.js';
import { parsePlain } from './plain.js';

/** Elements nested deeper than this are read as their text, so hostile input cannot exhaust the stack. */
const maxDepth = 32;

type Frame = { tag: string; inlines: Inline[]; href?: string; blocks?: Block[] };

const inlineTags: Record<string, 'bold' | 'italic' | 'strike'> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  s: 'strike',
  strike: 'strike',
  del: 'strike',
};

/** Parses Teams XML text into the tree; `<at>Name</at>` becomes a mention of Name. */
export function parseTeamsXml(text: string): RichText {
  const parser = new SaxesParser({ fragment: true, position: false });
  const blocks: Block[] = [];
  const stack: Frame[] = [{ tag: '', inlines: [] }];
  const top = () => stack[stack.length - 1]!;
  const flush = () => {
    const root = stack[0]!;
    if (stack.length === 1 && root.inlines.length > 0) {
      blocks.push({ type: 'paragraph', children: root.inlines });
      root.inlines = [];
    }
  };
  let failed = false;
  parser.on('error', () => {
    failed = true;
  });
  parser.on('text', (value) => {
    if (value !== '') top().inlines.push({ type: 'text', text: value });
  });
  parser.on('opentag', (tag) => {
    const name = tag.name.toLowerCase();
    if (name === 'br') return;
    if (stack.length > maxDepth) {
      stack.push({ tag: name, inlines: [] });
      return;
    }
    if (name === 'p' || name === 'div' || name === 'pre') flush();
    const href = typeof tag.attributes.href === 'string' ? tag.attributes.href : undefined;
    stack.push({ tag: name, inlines: [], ...(href ? { href } : {}) });
  });
  parser.on('closetag', (tag) => {
    const name = tag.name.toLowerCase();
    if (name === 'br') {
      top().inlines.push({ type: 'break' });
      return;
    }
    const frame = stack.pop();
    if (!frame || stack.length === 0) {
      failed = true;
      return;
    }
    const children = frame.inlines;
    const text = children.map((c) => (c.type === 'text' ? c.text : '')).join('');
    const parent = top();
    if (stack.length >= maxDepth) parent.inlines.push(...children);
    else if (inlineTags[name]) parent.inlines.push({ type: inlineTags[name], children });
    else if (name === 'code') parent.inlines.push({ type: 'code', text });
    else if (name === 'at') parent.inlines.push({ type: 'mention', name: text });
    else if (name === 'a' && frame.href && /^(https?|mailto):/i.test(frame.href)) parent.inlines.push({ type: 'link', url: frame.href, children });
    else if (name === 'pre' && stack.length === 1) blocks.push({ type: 'code_block', text });
    else if ((name === 'p' || name === 'div') && stack.length === 1) {
      if (children.length > 0) blocks.push({ type: 'paragraph', children });
    } else parent.inlines.push(...children);
  });
  try {
    parser.write(text).close();
  } catch {
    failed = true;
  }
  if (failed || stack.length !== 1) return parsePlain(text);
  flush();
  return { blocks };
}
