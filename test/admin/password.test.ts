import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { URI, type TOTP } from 'otpauth';

import { AccountService, checkPassword } from '../../src/admin/accounts.js';
import { CredentialSealer } from '../../src/store/credentials.js';
import type { Store } from '../../src/store/store.js';
import { sqliteFactory } from '../kit/stores.js';

test('password policy rejects weak passwords with the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['short-pass', /has 10 characters; use at least 12/],
    ['😀😀😀😀😀😀', /has 6 characters/],
    ['            ', /fewer than 4 different characters/],
    ['aaaaaaaaaaaaaaaa', /fewer than 4 different characters/],
    ['Password123456', /built on, a common password/],
    ['password1234!', /built on, a common password/],
    ['MyNameIsRobert-77', /contains the account name/],
  ];
  for (const [password, reason] of cases) {
    assert.throws(() => checkPassword(password, 'robert@hub.example'), reason, password);
  }
});

test('password policy accepts a long unusual password', () => {
  assert.doesNotThrow(() => checkPassword('Velvet-Orbit-Lantern-42', 'robert@hub.example'));
  // A one-letter account name is not looked for inside the password.
  assert.doesNotThrow(() => checkPassword('Velvet-Orbit-Lantern-42', 'a@hub.example'));
});

describe('TOTP secrets at rest', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  const key = randomBytes(32).toString('base64');
  const password = 'Velvet-Orbit-Lantern-42';
  const codeFor = (uri: string, step = 0) => (URI.parse(uri) as TOTP).generate({ timestamp: Date.now() + step * 30_000 });

  before(async () => {
    ({ store, dispose } = await sqliteFactory.create());
  });
  after(() => dispose());

  test('sealed with a key, login works', async () => {
    const accounts = new AccountService(store, undefined, new CredentialSealer(key));
    const created = await accounts.create({ email: 'sealed@hub.example', role: 'operator', password });
    const secret = new URL(created.totpUri).searchParams.get('secret')!;
    const stored = (await store.admins.byEmail('sealed@hub.example'))!.totpSecret;
    assert.match(stored, /^sealed:v1\./);
    assert.equal(stored.includes(secret), false);
    await accounts.login('sealed@hub.example', password, codeFor(created.totpUri), 'test');

    // Without the key the sealed secret does not open, so the login fails.
    await assert.rejects(new AccountService(store).login('sealed@hub.example', password, codeFor(created.totpUri, 1), 'test'), /Login failed/);
  });

  test('plain secret sealed at next login', async () => {
    const created = await new AccountService(store).create({ email: 'plain@hub.example', role: 'operator', password });
    assert.doesNotMatch((await store.admins.byEmail('plain@hub.example'))!.totpSecret, /^sealed:/);
    await new AccountService(store, undefined, new CredentialSealer(key)).login('plain@hub.example', password, codeFor(created.totpUri), 'test');
    assert.match((await store.admins.byEmail('plain@hub.example'))!.totpSecret, /^sealed:v1\./);
  });
});
