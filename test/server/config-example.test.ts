// The generated example config is what new admins start from, so it must load as it is
// once its environment variables are set.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parse } from 'yaml';

import { buildConfig } from '../../src/server/config.js';
import { exampleConfig } from '../../src/server/config-example.js';

test('example config loads with its variables set', () => {
  const text = exampleConfig();
  const names = [...text.matchAll(/env: (\w+)/g)].map((m) => m[1]!);
  assert.ok(names.length >= 5, 'the example names no secret variables');
  const env = Object.fromEntries(names.map((name) => [name, `value-of-${name}-0123456789`]));

  const config = buildConfig(parse(text), env);
  assert.deepEqual(
    config.connections.map((c) => c.platform),
    ['webex', 'slack', 'xmpp'],
  );
  assert.equal(config.presence.pollSeconds, 60);
});

test('example config names every overridable section', () => {
  assert.match(exampleConfig(), /^# Every scalar under server, store, log, delivery, invitations, commands, presence, domainVerification, retention can be$/m);
});
