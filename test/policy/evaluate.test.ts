// The policy model, case by case: precedence (user over group over domain over
// organisation), both organisations' checks, default deny and file limits, each with the
// rule that explain reports.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decide, type FileFacts } from '../../src/policy/evaluate.js';
import { orgPolicySchema, type Feature } from '../../src/policy/model.js';

const alice = { orgId: 'acme', email: 'alice@acme.example' };
const bob = { orgId: 'globex', email: 'bob@globex.example' };

interface Case {
  name: string;
  acme?: unknown;
  globex?: unknown;
  feature?: Feature;
  file?: FileFacts;
  allowed: boolean;
  /** The deciding verdict: organisation and rule. */
  by: string;
}

const cases: Case[] = [
  { name: 'open on both sides', allowed: true, by: 'acme: no rule denies messages' },
  {
    name: 'sender blocks the domain',
    acme: { mode: 'block_list', domains: { 'globex.example': { allow: false } } },
    allowed: false,
    by: 'acme: federation mode block_list: globex.example is blocked',
  },
  {
    name: 'recipient blocks the domain',
    globex: { mode: 'block_list', domains: { 'acme.example': { allow: false } } },
    allowed: false,
    by: 'globex: federation mode block_list: acme.example is blocked',
  },
  { name: 'allow list without the domain', acme: { mode: 'allow_list' }, allowed: false, by: 'acme: federation mode allow_list: globex.example is not on the list' },
  { name: 'allow list with the domain', acme: { mode: 'allow_list', domains: { 'globex.example': { allow: true } } }, allowed: true, by: 'acme: no rule denies messages' },
  {
    name: 'domain over organisation',
    acme: { defaults: { features: { files: false } }, domains: { 'globex.example': { features: { files: true } } } },
    feature: 'files',
    allowed: true,
    by: 'acme: domain globex.example: files on',
  },
  {
    name: 'group over domain',
    acme: {
      domains: { 'globex.example': { features: { files: true } } },
      groups: { interns: { members: ['alice@acme.example'], rules: { features: { files: false } } } },
    },
    feature: 'files',
    allowed: false,
    by: 'acme: group interns: files off',
  },
  {
    name: 'user over group',
    acme: {
      groups: { interns: { members: ['Alice@Acme.example'], rules: { features: { files: false } } } },
      users: { 'alice@acme.example': { features: { files: true } } },
    },
    feature: 'files',
    allowed: true,
    by: 'acme: user alice@acme.example: files on',
  },
  { name: 'user may not federate', acme: { users: { 'alice@acme.example': { federate: false } } }, allowed: false, by: 'acme: user alice@acme.example: federation off' },
  { name: 'default deny with nothing on', acme: { defaultDeny: true }, feature: 'presence', allowed: false, by: 'acme: default deny: no level switches presence on' },
  {
    name: 'default deny with the feature on',
    acme: { defaultDeny: true, defaults: { features: { presence: true } } },
    feature: 'presence',
    allowed: true,
    by: 'acme: organisation defaults: presence on',
  },
  {
    name: 'file over the domain limit',
    acme: { domains: { 'globex.example': { maxFileBytes: 1000 } } },
    feature: 'files',
    file: { bytes: 2000 },
    allowed: false,
    by: 'acme: domain globex.example: files over 1000 bytes',
  },
  {
    name: 'file type blocked by extension at the organisation level',
    acme: { defaults: { fileTypes: { block: ['.exe', 'application/x-msdownload'] } } },
    feature: 'files',
    file: { bytes: 10, mediaType: 'application/octet-stream', name: 'setup.EXE' },
    allowed: false,
    by: 'acme: organisation defaults: file type .exe blocked',
  },
  {
    name: 'file type blocked by media type on the recipient side',
    globex: { domains: { 'acme.example': { fileTypes: { block: ['video/*'] } } } },
    feature: 'files',
    file: { bytes: 10, mediaType: 'video/mp4', name: 'clip.mp4' },
    allowed: false,
    by: 'globex: domain acme.example: file type video/* blocked',
  },
  {
    name: 'file type outside an allow list',
    acme: { domains: { 'globex.example': { fileTypes: { allow: ['image/*', '.pdf'] } } } },
    feature: 'files',
    file: { bytes: 10, mediaType: 'text/plain', name: 'notes.txt' },
    allowed: false,
    by: 'acme: domain globex.example: file type not in image/*, .pdf',
  },
  {
    name: 'file type on an allow list, by extension',
    acme: { domains: { 'globex.example': { fileTypes: { allow: ['image/*', '.pdf'] } } } },
    feature: 'files',
    file: { bytes: 10, mediaType: 'application/octet-stream', name: 'report.pdf' },
    allowed: true,
    by: 'acme: no rule denies files',
  },
  {
    name: "a user's file types replace the domain's",
    acme: {
      domains: { 'globex.example': { fileTypes: { allow: ['image/*'] } } },
      users: { 'alice@acme.example': { fileTypes: { block: ['.zip'] } } },
    },
    feature: 'files',
    file: { bytes: 10, mediaType: 'text/plain', name: 'notes.txt' },
    allowed: true,
    by: 'acme: no rule denies files',
  },
  {
    name: 'an extension alone is not a name with that extension',
    acme: { defaults: { fileTypes: { block: ['.pdf'] } } },
    feature: 'files',
    file: { bytes: 10, mediaType: 'application/pdf', name: '.pdf' },
    allowed: true,
    by: 'acme: no rule denies files',
  },
  {
    name: 'recipient user has presence off',
    globex: { users: { 'bob@globex.example': { features: { presence: false } } } },
    feature: 'presence',
    allowed: false,
    by: 'globex: user bob@globex.example: presence off',
  },
];

for (const c of cases) {
  test(`policy: ${c.name}`, () => {
    const policies = new Map([
      ['acme', orgPolicySchema.parse(c.acme ?? {})],
      ['globex', orgPolicySchema.parse(c.globex ?? {})],
    ]);
    const decision = decide(policies, alice, bob, c.feature ?? 'messages', c.file);
    assert.equal(decision.allowed, c.allowed);
    const deciding = decision.verdicts[0]!;
    assert.equal(`${deciding.orgId}: ${deciding.rule}`, c.by);
    if (!c.allowed) assert.match(decision.reason, /^the federation policy of /);
  });
}

test('policy: a denial tells the user whose policy it is', () => {
  const policies = new Map([['globex', orgPolicySchema.parse({ mode: 'allow_list' })]]);
  const decision = decide(policies, alice, bob, 'messages');
  assert.equal(decision.reason, 'the federation policy of globex.example does not allow messages between you and bob@globex.example.');
});

test('policy: hidden extension still blocked', () => {
  const policies = new Map([['acme', orgPolicySchema.parse({ defaults: { fileTypes: { block: ['.exe'] } } })]]);
  for (const name of ['setup.exe.', 'setup.exe ', 'setup.exe\u200b', 'setup.exe\u2060', 'setup.ex\u00ade', 'SETUP.EXE']) {
    assert.equal(decide(policies, alice, bob, 'files', { bytes: 1, mediaType: 'application/octet-stream', name }).allowed, false, JSON.stringify(name));
  }
});

test('policy: file type pattern validated', () => {
  for (const bad of ['exe', '*', 'image', '../x', '.', 'image/png; charset=x']) {
    assert.equal(orgPolicySchema.safeParse({ defaults: { fileTypes: { block: [bad] } } }).success, false, bad);
  }
  const parsed = orgPolicySchema.parse({ defaults: { fileTypes: { allow: [' Image/PNG ', '.PDF'] } } });
  assert.deepEqual(parsed.defaults.fileTypes?.allow, ['image/png', '.pdf']);
});
