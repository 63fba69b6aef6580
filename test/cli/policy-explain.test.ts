import assert from 'node:assert/strict';
import { test } from 'node:test';

import { explainPolicy } from '../../src/cli/policy-explain.js';
import { buildConfig } from '../../src/server/config.js';

const config = buildConfig(
  {
    orgs: [
      { id: 'acme', name: 'Acme', domains: ['acme.example'], policy: { domains: { 'globex.example': { features: { files: false } } } } },
      { id: 'globex', name: 'Globex', domains: ['globex.example'] },
    ],
  },
  {},
);

test('explain names the deciding rule', () => {
  const result = explainPolicy(config, 'alice@acme.example', 'bob@globex.example', 'files');
  assert.equal(result.ok, true);
  assert.equal(
    result.text,
    [
      'Denied: files from alice@acme.example (acme) to bob@globex.example (globex).',
      '  acme: denies (domain globex.example: files off)',
      '  globex: allows (no rule denies files)',
    ].join('\n'),
  );
});

test('explain judges a given file', () => {
  const limited = buildConfig(
    { orgs: [{ id: 'acme', name: 'Acme', domains: ['acme.example'], policy: { defaults: { maxFileBytes: 100, fileTypes: { allow: ['image/*'] } } } }, { id: 'globex', name: 'Globex', domains: ['globex.example'] }] },
    {},
  );
  const ask = (file: { size?: string; mediaType?: string; name?: string }) => explainPolicy(limited, 'alice@acme.example', 'bob@globex.example', 'files', [], file).text;
  assert.match(ask({ size: '50', mediaType: 'image/png' }), /^Allowed: files/);
  assert.match(ask({ size: '500', mediaType: 'image/png' }), /acme: denies \(organisation defaults: files over 100 bytes\)/);
  assert.match(ask({ size: '50', mediaType: 'application/zip', name: 'a.zip' }), /acme: denies \(organisation defaults: file type not in image\/\*\)/);
  assert.equal(ask({ size: '1MB' }), 'parley: --size "1MB" is not a number of bytes; give one such as 1048576.');
  assert.equal(ask({ mediaType: 'pdf' }), 'parley: --type "pdf" is not a media type; give one such as application/pdf.');
});

test('explain rejects bad input with the fix', () => {
  assert.match(explainPolicy(config, undefined, 'bob@globex.example', 'files').text, /needs --from EMAIL and --to EMAIL/);
  assert.match(explainPolicy(config, 'alice@acme.example', 'bob@globex.example', 'fax').text, /"fax" is not a policy feature; use one of messages/);
  assert.match(explainPolicy(config, 'alice@acme.example', 'x@nowhere.example', 'files').text, /no organisation in the config has the domain of x@nowhere\.example/);
});

test('config rejects an unknown policy mode', () => {
  assert.throws(
    () => buildConfig({ orgs: [{ id: 'acme', name: 'Acme', domains: ['acme.example'], policy: { mode: 'closed' } }] }, {}),
    /orgs\[0\]\.policy\.mode: Invalid option: expected one of "open"\|"allow_list"\|"block_list" \(value "closed"\)/,
  );
});
