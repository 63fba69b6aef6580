import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkPassword } from '../../src/admin/accounts.js';

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
