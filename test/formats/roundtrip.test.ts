// Every parser and renderer, table-driven: what a user typed comes back unchanged after a
// round trip through the tree, and hostile input neither throws nor runs away.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RichText } from '../../src/core/richtext.js';
import { parseMarkdown } from '../../src/formats/markdown.js';
import { parsePlain, renderPlain } from '../../src/formats/plain.js';
import { parseSlack, renderSlack } from '../../src/formats/slack.js';
import { parseStyling, renderStyling } from '../../src/formats/styling.js';
import { renderWebexMarkdown } from '../../src/formats/webex.js';

const formats: Array<{ name: string; parse: (text: string) => RichText; render: (rich: RichText) => string; roundTrips: string[] }> = [
  {
    name: 'XEP-0393 styling',
    parse: parseStyling,
    render: renderStyling,
    roundTrips: [
      'plain words',
      '*bold* _italic_ ~strike~ `code`',
      'a *bold _and italic_* mix',
      '> a quote\n> on two lines',
      '```\nconst a = 1;\n```',
      '```js\nlet x = "*not bold*";\n```',
      'first line\nsecond line',
      'https://example.com/a_b_c_d stays',
      'unbalanced *star and _under',
      '가나다 résumé 🏳️‍⚧️ 👨‍👩‍👧',
    ],
  },
  {
    name: 'Slack mrkdwn',
    parse: (text) => parseSlack(text),
    render: renderSlack,
    roundTrips: [
      'plain words',
      '*bold* _italic_ ~strike~ `code`',
      '&lt;not a tag&gt; &amp; more',
      '<https://example.com/a_b_c|the_report>',
      '<https://example.com/plain>',
      '```\ncode with :tada: and &lt;b&gt;\n```',
      '> quoted *bold*',
    ],
  },
  {
    name: 'Webex markdown',
    parse: parseMarkdown,
    render: renderWebexMarkdown,
    roundTrips: [
      '**bold** *italic* ~~strike~~ `code`',
      '[the report](https://example.com/a_b_c)',
      '```js\nconst a = 1;\n```',
      '> a quote',
      'a literal \\* star and \\_ underscore',
      '1. one\n2. two',
      '- one\n- two',
    ],
  },
  {
    name: 'plain text',
    parse: parsePlain,
    render: renderPlain,
    roundTrips: ['plain words', 'two\nlines', 'para one\n\npara two', '*not* _styled_ here', '가나다 🏳️‍⚧️'],
  },
];

for (const format of formats) {
  test(`${format.name}: round trip keeps input`, () => {
    for (const input of format.roundTrips) assert.equal(format.render(format.parse(input)), input, JSON.stringify(input));
  });

  test(`${format.name}: hostile input is safe`, () => {
    const hostile = [
      '*'.repeat(1_000_000),
      '_'.repeat(200_000),
      '`'.repeat(100_000),
      '>'.repeat(10_000) + ' deep',
      Array.from({ length: 10_000 }, (_, i) => '>'.repeat(i % 200) + ' x').join('\n'),
      '```\n'.repeat(5_000),
      '['.repeat(50_000) + ']('.repeat(50_000),
      '*a '.repeat(100_000),
      '\u0000\u202e\ud800 lone surrogate',
      '',
    ];
    for (const input of hostile) {
      assert.doesNotThrow(() => format.render(format.parse(input)), `${format.name}: ${JSON.stringify(input.slice(0, 12))}`);
    }
  });
}

test('quote depth capped at 32', () => {
  for (const parse of [parseMarkdown, parseStyling, (text: string) => parseSlack(text)]) {
    let block = parse(`${'>'.repeat(40)} deep`).blocks[0];
    let depth = 0;
    while (block?.type === 'quote') {
      depth += 1;
      block = block.children[0];
    }
    assert.equal(depth, 32);
    assert.equal(renderPlain({ blocks: block ? [block] : [] }).replace(/\s/g, ''), `${'>'.repeat(8)}deep`);
  }
});
