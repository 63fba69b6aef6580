// `parley admin` against a database, as an operator runs it next to the hub.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { runAdmin } from '../../src/cli/admin.js';
import { asId, type ConnectionId, type OrgId, type PlatformUserId, type UserId } from '../../src/core/ids.js';
import { buildConfig, storeOptions, type ResolvedConfig } from '../../src/server/config.js';
import { Store } from '../../src/store/store.js';

let dir: string;
let config: ResolvedConfig;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-admin-'));
  config = buildConfig(
    {
      store: { path: path.join(dir, 'hub.db') },
      orgs: [
        { id: 'acme', name: 'Acme', domains: ['acme.example'] },
        { id: 'globex', name: 'Globex', domains: ['globex.example'] },
      ],
    },
    {},
  );
  const store = await Store.open(storeOptions(config));
  await store.migrate();
  await store.ensureOrg(asId<OrgId>('acme'), 'Acme', 1);
  await store.upsertUser({ id: asId<UserId>('u1'), connectionId: asId<ConnectionId>('acme-webex'), platformUserId: asId<PlatformUserId>('P1'), email: 'alice@acme.example', orgId: asId<OrgId>('acme'), at: 1 });
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('admin policy set stores and audits a policy', async () => {
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, 'mode: block_list\ndomains:\n  globex.example: { allow: false }\n');
  assert.match(await runAdmin(config, ['policy', 'set'], { org: 'acme', file }), /^Policy of acme set \(mode block_list\)/);
  assert.match(await runAdmin(config, ['policy', 'show'], { org: 'acme' }), /"mode": "block_list"/);

  writeFileSync(file, 'mode: sometimes\n');
  await assert.rejects(() => runAdmin(config, ['policy', 'set'], { org: 'acme', file }), /Invalid policy at mode/);
  await assert.rejects(() => runAdmin(config, ['policy', 'set'], { org: 'initech', file }), /No organisation "initech" in the config; use one of acme, globex/);

  writeFileSync(file, '');
  await assert.rejects(() => runAdmin(config, ['policy', 'set'], { org: 'acme', file }), /is empty; write the policy/);
  await assert.rejects(() => runAdmin(config, ['policy', 'set'], { org: 'acme', file: path.join(dir, 'missing.yaml') }), /Cannot read the policy file .*missing\.yaml: ENOENT/);
  writeFileSync(file, 'mode: open\nmode: allow_list\n');
  await assert.rejects(() => runAdmin(config, ['policy', 'set'], { org: 'acme', file }), /is not valid YAML/);
  assert.match(await runAdmin(config, ['policy', 'show'], { org: 'acme' }), /"mode": "block_list"/);
});

test('admin suspend and reinstate, with the audit trail', async () => {
  assert.equal(await runAdmin(config, ['suspend'], { email: 'alice@acme.example' }), 'alice@acme.example suspended on 1 connection(s).');
  assert.equal(await runAdmin(config, ['reinstate'], { email: 'alice@acme.example' }), 'alice@acme.example reinstated on 1 connection(s).');
  await assert.rejects(() => runAdmin(config, ['suspend'], { email: 'nobody@acme.example' }), /No user with the address nobody@acme\.example/);

  const audit = (await runAdmin(config, ['audit'], {})).split('\n');
  assert.equal(audit.length, 3);
  assert.match(audit[0]!, /cli:\S+ \(cli\) user\.reinstate user alice@acme\.example \(acme-webex\): suspended -> active$/);
  assert.match(audit[2]!, /policy\.set org acme: .*"mode":"open".* -> .*"mode":"block_list"/);
});

test('admin create refuses an operator with an organisation', async () => {
  await assert.rejects(
    () => runAdmin(config, ['create'], { email: 'op@hub.example', role: 'operator', org: 'acme' }, { PARLEY_ADMIN_PASSWORD: 'Velvet-Orbit-Lantern-42' }),
    /An operator acts for the whole hub; leave out --org/,
  );
  const created = await runAdmin(config, ['create'], { email: 'op@hub.example', role: 'operator' }, { PARLEY_ADMIN_PASSWORD: 'Velvet-Orbit-Lantern-42' });
  assert.match(created, /^Admin op@hub\.example \(operator\) created\.\nAdd this to an authenticator app/);
  assert.match(created, /otpauth:\/\/totp\/Parley:op%40hub\.example\?/);
  await assert.rejects(
    () => runAdmin(config, ['create'], { email: 'weak@hub.example', role: 'operator' }, { PARLEY_ADMIN_PASSWORD: 'Password123456' }),
    /built on, a common password/,
  );
});

test('admin names a missing flag and an unknown action', async () => {
  await assert.rejects(() => runAdmin(config, ['suspend'], {}), /"parley admin suspend" needs --email EMAIL/);
  await assert.rejects(() => runAdmin(config, ['promote'], {}), /Unknown admin action "promote"/);
});
