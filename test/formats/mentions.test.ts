// Mentions cross as people: a parser keeps who was mentioned, and a renderer mentions them
// natively where they are on the target platform, and by name elsewhere.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mentionedEmails, type Inline, type RichText } from '../../src/core/richtext.js';
import { parseMarkdown } from '../../src/formats/markdown.js';
import { renderStyling } from '../../src/formats/styling.js';
import { renderWebexMarkdown } from '../../src/formats/webex.js';

const bob = { type: 'mention' as const, name: 'Bob Builder', email: 'bob@globex.example' };
const message = (children: Inline[]): RichText => ({ blocks: [{ type: 'paragraph', children }] });

test('webex: mention by email parsed', () => {
  const rich = parseMarkdown('<@personEmail:Bob@Globex.example|Bob Builder> see **this**');
  assert.deepEqual(mentionedEmails(rich), ['bob@globex.example']);
});

test('webex: mention by id resolved', () => {
  const rich = parseMarkdown('hi <@personId:P1|Bob>', (id) => (id === 'P1' ? 'bob@globex.example' : undefined));
  assert.deepEqual(mentionedEmails(rich), ['bob@globex.example']);
});

test('webex: mention in code stays text', () => {
  const rich = parseMarkdown('`<@personId:P1|Bob>`', () => 'bob@globex.example');
  assert.deepEqual(mentionedEmails(rich), []);
  assert.equal(renderStyling(rich), '`@Bob`');
});

test('webex: mass mention notifies nobody', () => {
  const rich = parseMarkdown('<@all> lunch?');
  assert.equal(renderWebexMarkdown(rich, () => true), '@all lunch?');
});

test('webex: person here mentioned natively', () => {
  assert.equal(renderWebexMarkdown(message([bob, { type: 'text', text: ' ok' }]), (email) => email === 'bob@globex.example'), '<@personEmail:bob@globex.example|Bob Builder> ok');
});

test('webex: person elsewhere mentioned by name', () => {
  assert.equal(renderWebexMarkdown(message([bob]), () => false), '@Bob Builder');
});

test('xmpp: mention reads as a name', () => {
  assert.equal(renderStyling(message([bob])), '@Bob Builder');
});
