// Long messages split on the tree: never inside a code block that fits a part, a link or a
// character, and every part within the limit and in order.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RichText } from '../../src/core/richtext.js';
import { parseMarkdown } from '../../src/formats/markdown.js';
import { renderPlain } from '../../src/formats/plain.js';
import { parseStyling, renderStyling } from '../../src/formats/styling.js';
import { splitRich } from '../../src/formats/split.js';
import { renderWebexMarkdown } from '../../src/formats/webex.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

test('split: a message that fits stays one part', () => {
  const rich = parseStyling('short *and* sweet');
  assert.deepEqual(splitRich(rich, { size: (p) => bytes(renderStyling(p)), limit: 100 }), [rich]);
});

test('split: fitting code block stays whole', () => {
  const code = Array.from({ length: 20 }, (_, i) => `line ${i} of the code`).join('\n');
  const rich = parseStyling(`${'intro words '.repeat(30)}\n\n\`\`\`\n${code}\n\`\`\`\n\n${'outro words '.repeat(30)}`);
  const parts = splitRich(rich, { size: (p) => bytes(renderStyling(p)), limit: 500 });
  assert.ok(parts.length >= 3);
  for (const part of parts) assert.ok(bytes(renderStyling(part)) <= 500);
  const blocks = parts.flatMap((p) => p.blocks);
  assert.deepEqual(blocks.filter((b) => b.type === 'code_block'), [{ type: 'code_block', text: code }]);
  assert.equal(renderPlain({ blocks }).replace(/\s+/g, ' '), renderPlain(rich).replace(/\s+/g, ' '), 'nothing is lost or reordered');
});

test('split: long code block split by lines', () => {
  const code = Array.from({ length: 200 }, (_, i) => `const value${i} = ${i};`).join('\n');
  const rich: RichText = { blocks: [{ type: 'code_block', language: 'js', text: code }] };
  const parts = splitRich(rich, { size: (p) => bytes(renderWebexMarkdown(p)), limit: 1000 });
  assert.ok(parts.length > 3);
  for (const part of parts) {
    const rendered = renderWebexMarkdown(part);
    assert.ok(bytes(rendered) <= 1000);
    assert.match(rendered, /^```js\n[\s\S]*\n```$/);
  }
  assert.equal(parts.map((p) => (p.blocks[0] as { text: string }).text).join('\n'), code);
});

test('split: links and characters stay whole', () => {
  const rich = parseMarkdown(`${'가나다 '.repeat(400)}[the report](https://example.com/a_b_c_d) ${'🏳️‍⚧️ '.repeat(300)}`);
  const parts = splitRich(rich, { size: (p) => bytes(renderWebexMarkdown(p)), limit: 1024 });
  const rendered = parts.map((p) => renderWebexMarkdown(p));
  for (const text of rendered) {
    assert.ok(bytes(text) <= 1024);
    assert.equal(text.includes('\uFFFD'), false);
  }
  assert.equal(rendered.filter((t) => t.includes('[the report](https://example.com/a_b_c_d)')).length, 1);
  assert.equal(rendered.join(' ').split('🏳️‍⚧️').length - 1, 300, 'every flag arrives whole');
});

test('split: long word cut between graphemes', () => {
  const rich = parseStyling('👨‍👩‍👧'.repeat(500));
  const parts = splitRich(rich, { size: (p) => bytes(renderStyling(p)), limit: 300 });
  for (const part of parts) {
    const text = renderStyling(part);
    assert.ok(bytes(text) <= 300);
    assert.equal(text.split('👨‍👩‍👧').join(''), '', 'no family emoji is broken');
  }
});

test('split: huge message is safe', () => {
  const rich = parseStyling(`${'word '.repeat(200_000)}\n\n${'x'.repeat(100_000)}`);
  const parts = splitRich(rich, { size: (p) => bytes(renderStyling(p)), limit: 40_000 });
  assert.ok(parts.every((p) => bytes(renderStyling(p)) <= 40_000));
});
