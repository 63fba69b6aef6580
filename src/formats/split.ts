// Splits a message that is too long for its target into parts that each fit, on the tree
// rather than on the rendered text: between blocks where it can, then between lines of a code
// block (each part fenced again), then between words of a paragraph. Links, mentions, inline
// code and multi-code-point characters are never cut, unless one alone is over the limit.

import type { Block, Inline, RichText } from '../core/richtext.js';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export interface SplitOptions {
  /** The size of a part as the target counts it, such as the UTF-8 bytes of its rendering. */
  size: (rich: RichText) => number;
  limit: number;
}

/** Splits `rich` into parts whose rendering each fits in `limit`; a message that fits is one part. */
export function splitRich(rich: RichText, options: SplitOptions): RichText[] {
  const fits = (blocks: Block[]) => options.size({ blocks }) <= options.limit;
  if (fits(rich.blocks)) return [rich];
  return runs(rich.blocks, fits, (block) => splitBlock(block, fits)).map((blocks) => ({ blocks }));
}

/** Splits one block that does not fit alone into blocks that each do, as far as it can. */
function splitBlock(block: Block, fits: (blocks: Block[]) => boolean): Block[] {
  const as = <T>(items: T[], build: (run: T[]) => Block, breakItem: (item: T) => T[]) =>
    runs(items, (run) => fits([build(run)]), breakItem).map(build);
  switch (block.type) {
    case 'code_block':
      return as(block.text.split('\n'), (lines) => ({ ...block, text: lines.join('\n') }), (line) => chunks(line));
    case 'paragraph':
      return as(atoms(block.children), (inlines) => ({ type: 'paragraph', children: trimEdges(inlines) }), (atom) =>
        atom.type === 'text' ? chunks(atom.text).map((text) => ({ type: 'text' as const, text })) : [atom],
      );
    case 'quote':
      return as(block.children, (children) => ({ type: 'quote', children }), (child) =>
        splitBlock(child, (blocks) => fits([{ type: 'quote', children: blocks }])),
      );
    case 'list':
      return as(block.items, (items) => ({ ...block, items }), (item) => [item]);
  }
}

/**
 * Groups items into runs that each fit, in order: each run is the longest that fits, found by
 * binary search, so a long message costs O(n log n) renderings. An item that does not fit
 * alone is broken with `breakItem` first; if it cannot be, it forms a run alone.
 */
function runs<T>(items: T[], fits: (run: T[]) => boolean, breakItem: (item: T) => T[]): T[][] {
  const list = [...items];
  const out: T[][] = [];
  let start = 0;
  while (start < list.length) {
    if (!fits([list[start]!])) {
      const pieces = breakItem(list[start]!);
      if (pieces.length > 1) {
        list.splice(start, 1, ...pieces);
        continue;
      }
      out.push([list[start]!]);
      start += 1;
      continue;
    }
    let best = start + 1;
    let low = start + 2;
    let high = list.length;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (fits(list.slice(start, mid))) {
        best = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    out.push(list.slice(start, best));
    start = best;
  }
  return out;
}

/** Breaks inlines into atoms: words of text (with their following space), and whole other nodes. */
function atoms(inlines: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const node of inlines) {
    if (node.type === 'text') {
      for (const word of node.text.match(/\S+\s*|\s+/g) ?? []) out.push({ type: 'text', text: word });
    } else {
      out.push(node);
    }
  }
  return out;
}

/** Drops the spaces a cut leaves at the start and end of a part, and merges adjacent text. */
function trimEdges(inlines: Inline[]): Inline[] {
  const merged: Inline[] = [];
  for (const node of inlines) {
    const last = merged.at(-1);
    if (node.type === 'text' && last?.type === 'text') merged[merged.length - 1] = { type: 'text', text: last.text + node.text };
    else merged.push(node);
  }
  const first = merged[0];
  if (first?.type === 'text') merged[0] = { type: 'text', text: first.text.trimStart() };
  const end = merged.at(-1);
  if (end?.type === 'text') merged[merged.length - 1] = { type: 'text', text: end.text.trimEnd() };
  return merged.filter((node) => node.type !== 'text' || node.text !== '');
}

/**
 * Halves a string between characters as people see them (a ZWJ emoji or a flag stays whole).
 * Only a window around the middle is segmented: Intl.Segmenter copies the input into every
 * segment it returns, which is ruinous for a long string.
 */
function chunks(text: string): string[] {
  if (text.length < 2) return [text];
  const middle = Math.floor(text.length / 2);
  const from = Math.max(0, middle - 64);
  let cut = -1;
  for (const { index } of graphemes.segment(text.slice(from, middle + 64))) {
    // The window's first segment may start inside a character that began before it.
    if (index === 0 && from > 0) continue;
    const at = from + index;
    if (at <= middle) {
      cut = at;
      continue;
    }
    if (cut <= 0) cut = at;
    break;
  }
  return cut > 0 && cut < text.length ? [text.slice(0, cut), text.slice(cut)] : [text];
}
