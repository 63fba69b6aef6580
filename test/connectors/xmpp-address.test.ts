import assert from 'node:assert/strict';
import { test } from 'node:test';

import { emailOfProxy, escapeLocalpart, parseJid, proxyJid, unescapeLocalpart } from '../../src/connectors/xmpp/address.js';

test('proxy JIDs escape the email per XEP-0106', () => {
  assert.equal(proxyJid('alice@acme.example', 'xmpp.hub.example'), 'alice\\40acme.example@xmpp.hub.example');
  assert.equal(proxyJid("O'Neil@Acme.Example", 'xmpp.hub.example'), "o\\27neil\\40acme.example@xmpp.hub.example");
});

test('escaping round-trips the XEP-0106 examples', () => {
  const cases: Array<[string, string]> = [
    ['space cadet', 'space\\20cadet'],
    ['call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
    ['at&t guy', 'at\\26t\\20guy'],
    ['d\'artagnan', 'd\\27artagnan'],
    ['/.fanboy', '\\2f.fanboy'],
    ['::foo::', '\\3a\\3afoo\\3a\\3a'],
    ['<foo>', '\\3cfoo\\3e'],
    ['user@host', 'user\\40host'],
    ['c:\\net', 'c\\3a\\net'],
    ['c:\\\\net', 'c\\3a\\\\net'],
    ['c:\\cool stuff', 'c\\3a\\cool\\20stuff'],
    ['c:\\5commas', 'c\\3a\\5c5commas'],
  ];
  for (const [raw, escaped] of cases) {
    assert.equal(escapeLocalpart(raw), escaped, raw);
    assert.equal(unescapeLocalpart(escaped), raw, escaped);
  }
});

test('emailOfProxy accepts only proxies of the domain', () => {
  const jid = parseJid('alice\\40acme.example@xmpp.hub.example/res')!;
  assert.equal(emailOfProxy(jid, 'xmpp.hub.example'), 'alice@acme.example');
  assert.equal(emailOfProxy(jid, 'other.example'), undefined);
  assert.equal(emailOfProxy(parseJid('xmpp.hub.example')!, 'xmpp.hub.example'), undefined);
  assert.equal(emailOfProxy(parseJid('notanemail@xmpp.hub.example')!, 'xmpp.hub.example'), undefined);
});

test('parseJid rejects malformed JIDs', () => {
  for (const value of ['', '@domain', 'a@', 'a@b@c', 'a b@c', 'x@y/']) assert.equal(parseJid(value), undefined, value);
  assert.deepEqual(parseJid('Erin@Partner.Test/Phone'), { local: 'erin', domain: 'partner.test', resource: 'Phone' });
});
