// Teams XML text into the tree: the elements Teams uses, and input that is not XML.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { renderPlain } from '../../src/formats/plain.js';
import { renderSlack } from '../../src/formats/slack.js';
import { parseTeamsXml } from '../../src/formats/teams-xml.js';

const cases: Array<[string, string, string]> = [
  ['bold and italic', 'A <b>bold</b> and <i>slanted</i> word', 'A *bold* and _slanted_ word'],
  ['link with label', 'See <a href="https://example.com/a_b_c">the plan</a>', 'See <https://example.com/a_b_c|the plan>'],
  ['script link dropped', 'See <a href="javascript:alert(1)">this</a>', 'See this'],
  ['inline code', 'Run <code>npm ci</code> first', 'Run `npm ci` first'],
  ['paragraphs', '<p>One</p><p>Two</p>', 'One\n\nTwo'],
  ['line break', 'one<br/>two', 'one\ntwo'],
  ['entities', 'Tea &amp; cake &lt;3', 'Tea &amp; cake &lt;3'],
  ['mention', '<at>Ivy Ito</at> hi', '@Ivy Ito hi'],
];

for (const [name, input, slack] of cases) {
  test(`teams xml: ${name}`, () => {
    assert.equal(renderSlack(parseTeamsXml(input)), slack);
  });
}

test('teams xml: broken input stays text', () => {
  assert.equal(renderPlain(parseTeamsXml('a <b>bold')), 'a <b>bold');
});

test('teams xml: unknown entity stays text', () => {
  assert.equal(renderPlain(parseTeamsXml('a&nbsp;b')), 'a&nbsp;b');
});

test('teams xml: deep nesting is flattened', () => {
  const deep = `${'<b>'.repeat(5000)}x${'</b>'.repeat(5000)}`;
  assert.equal(renderPlain(parseTeamsXml(deep)), 'x');
});
