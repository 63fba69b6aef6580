import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseStyling, parseSpans, renderStyling } from '../../src/formats/styling.js';
import { hasStyling, renderWebexMarkdown } from '../../src/formats/webex.js';

test('spans parse into styled nodes', () => {
  assert.deepEqual(parseSpans('a *b* _c_ ~d~ `e*f*`'), [
    { type: 'text', text: 'a ' },
    { type: 'bold', children: [{ type: 'text', text: 'b' }] },
    { type: 'text', text: ' ' },
    { type: 'italic', children: [{ type: 'text', text: 'c' }] },
    { type: 'text', text: ' ' },
    { type: 'strike', children: [{ type: 'text', text: 'd' }] },
    { type: 'text', text: ' ' },
    { type: 'code', text: 'e*f*' },
  ]);
});

test('directives without a valid partner stay text', () => {
  for (const text of ['2 * 3 * 4', 'snake_case_name', '*unclosed', '* spaced *', '**', 'a*b*c']) {
    assert.deepEqual(parseSpans(text), [{ type: 'text', text }], text);
  }
});

test('blocks: quotes, code blocks and paragraphs', () => {
  const rich = parseStyling('hello *you*\n\n> quoted\n> more\n```js\nlet *x* = 1;\n```\nafter');
  assert.deepEqual(rich.blocks.map((b) => b.type), ['paragraph', 'quote', 'code_block', 'paragraph']);
  assert.deepEqual(rich.blocks[2], { type: 'code_block', language: 'js', text: 'let *x* = 1;' });
});

test('styling round-trips', () => {
  for (const text of ['plain', 'a *b* _c_ ~d~ `e`', '> quote\n\nafter', '```\ncode *x*\n```', 'line one\nline two']) {
    assert.equal(renderStyling(parseStyling(text)), text, text);
  }
});

test('Webex markdown escapes literal marks', () => {
  const rich = parseStyling('*bold* and 2 * 3 <b>');
  assert.equal(hasStyling(rich), true);
  assert.equal(renderWebexMarkdown(rich), '**bold** and 2 \\* 3 \\<b\\>');
  assert.equal(hasStyling(parseStyling('no marks here')), false);
});

test('Slack shortcodes become Unicode emoji', async () => {
  const { parseSlack } = await import('../../src/formats/slack.js');
  const { renderPlain } = await import('../../src/formats/plain.js');
  assert.equal(renderPlain(parseSlack('ship it :tada: :+1::skin-tone-3: :partyparrot: at 10:30:00')), 'ship it 🎉 👍🏼 :partyparrot: at 10:30:00');
});

test('Webex markdown parses into the same tree', async () => {
  const { parseMarkdown } = await import('../../src/formats/markdown.js');
  const rich = parseMarkdown('**bold** and *it* ~~gone~~ `a<b` &amp; <@personEmail:bob@globex.example|Bob> <@all>\n\n> quoted');
  assert.equal(renderStyling(rich), '*bold* and _it_ ~gone~ `a<b` &amp; @Bob @all\n\n> quoted');
});
