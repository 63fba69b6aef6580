import assert from 'node:assert/strict';
import { test } from 'node:test';

import { signSlackRequest, verifySlackSignature } from '../../../sim/slack/index.js';

// Test vector from Slack's "Verifying requests from Slack" guide.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TIMESTAMP = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

test('signSlackRequest matches Slack test vector', () => {
  assert.equal(signSlackRequest(SECRET, TIMESTAMP, BODY), EXPECTED);
});

test('verifySlackSignature accepts vector within skew', () => {
  assert.equal(verifySlackSignature(SECRET, TIMESTAMP, BODY, EXPECTED, Number(TIMESTAMP) + 299), true);
});

test('verifySlackSignature rejects stale timestamp', () => {
  assert.equal(verifySlackSignature(SECRET, TIMESTAMP, BODY, EXPECTED, Number(TIMESTAMP) + 301), false);
});

test('verifySlackSignature rejects changed body', () => {
  assert.equal(verifySlackSignature(SECRET, TIMESTAMP, `${BODY}x`, EXPECTED, Number(TIMESTAMP)), false);
});
