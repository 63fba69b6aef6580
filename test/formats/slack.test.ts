// Slack mrkdwn in and out, case by case, including input that has tripped bridges before.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseSlack, renderSlack } from '../../src/formats/slack.js';
import { renderStyling } from '../../src/formats/styling.js';
import { renderWebexMarkdown } from '../../src/formats/webex.js';

const names = (id: string) => ({ U0BOB: { name: 'Bob Builder', email: 'bob@globex.example' } })[id];

test('slack: link keeps label and URL', () => {
  const rich = parseSlack('see <http://example.com/a_b_c_d|the_report> now');
  assert.deepEqual(rich.blocks[0], {
    type: 'paragraph',
    children: [
      { type: 'text', text: 'see ' },
      { type: 'link', url: 'http://example.com/a_b_c_d', children: [{ type: 'text', text: 'the_report' }] },
      { type: 'text', text: ' now' },
    ],
  });
  assert.equal(renderWebexMarkdown(rich), 'see [the\\_report](http://example.com/a_b_c_d) now');
  assert.equal(renderStyling(rich), 'see the_report (http://example.com/a_b_c_d) now');
  assert.equal(renderSlack(rich), 'see <http://example.com/a_b_c_d|the_report> now');
});

test('slack: entities become characters', () => {
  assert.equal(renderStyling(parseSlack('&lt;not a tag&gt; &amp;amp;')), '<not a tag> &amp;');
  assert.equal(renderStyling(parseSlack('Tea &amp; cake :slightly_smiling_face:')), 'Tea & cake 🙂');
});

test('slack: code keeps its text', () => {
  const rich = parseSlack('before\n```\n:tada: *x* &lt;b&gt;\n```\nafter `:tada:` :tada:');
  assert.deepEqual(rich.blocks[1], { type: 'code_block', text: ':tada: *x* <b>' });
  assert.equal(renderStyling(rich), 'before\n\n```\n:tada: *x* <b>\n```\n\nafter `:tada:` 🎉');
  // Slack also sends a block on one line.
  assert.deepEqual(parseSlack('```const a = 1;```').blocks, [{ type: 'code_block', text: 'const a = 1;' }]);
});

test('slack: mentions by name, mass mentions inert', () => {
  const rich = parseSlack('<@U0BOB> and <@U0ZED|zed>: <!channel> lunch? <!here> <!subteam^S1|@ops>', names);
  const kinds = (rich.blocks[0] as { children: Array<{ type: string }> }).children.map((c) => c.type);
  assert.deepEqual(kinds, ['mention', 'text', 'mention', 'text', 'text', 'text', 'text', 'text', 'text']);
  assert.equal(renderStyling(rich), '@Bob Builder and @zed: @channel lunch? @here @@ops');
  assert.equal(renderSlack(parseSlack('<!channel> lunch?')), '@channel lunch?', 'rendered back it is text, not <!channel>');
});

test('slack: hostile input is safe', () => {
  for (const input of ['*'.repeat(1_000_000), '<'.repeat(100_000), '```'.repeat(10_000), '>'.repeat(10_000) + ' x', '<http://x|' + 'a'.repeat(100_000), '\u{f0000}<@U1>']) {
    assert.doesNotThrow(() => renderStyling(parseSlack(input)), input.slice(0, 10));
  }
});

test('slack: mention keeps the email', () => {
  const rich = parseSlack('<@U0BOB> ok', names);
  const mention = (rich.blocks[0] as { children: Array<{ type: string; email?: string }> }).children[0];
  assert.equal(mention?.email, 'bob@globex.example');
});

test('slack: known person mentioned by id', () => {
  const rich = { blocks: [{ type: 'paragraph' as const, children: [{ type: 'mention' as const, name: 'Bob Builder', email: 'bob@globex.example' }] }] };
  assert.equal(renderSlack(rich, (email) => (email === 'bob@globex.example' ? 'U0BOB' : undefined)), '<@U0BOB>');
  assert.equal(renderSlack(rich), '@Bob Builder');
});
