// Rate limits and fault injection, seen through the official client.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { WebClient } from '@slack/web-api';
import type { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';

import { sdkClient, startFixture } from './helpers.js';

test('per-channel post rate gives 429 Retry-After', async () => {
  const { sim, bob, app } = await startFixture({ rateLimitScale: 1, channelBurst: 3 });
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const post = () =>
      fetch(`${sim.url}/api/chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.botToken}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ channel: im, text: 'burst' }).toString(),
      });

    for (let i = 0; i < 3; i += 1) {
      assert.equal((await post()).status, 200, `post ${i} within burst`);
    }

    const limited = await post();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.deepEqual(await limited.json(), { ok: false, error: 'ratelimited' });
    assert.equal(sim.messages(im).length, 3);
  } finally {
    await sim.stop();
  }
});

test('SDK surfaces 429 as rate-limited error', async () => {
  const { sim, bob, app, client } = await startFixture({ rateLimitScale: 1, channelBurst: 1 });
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    await client.chat.postMessage({ channel: im, text: 'one' });

    await assert.rejects(client.chat.postMessage({ channel: im, text: 'two' }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal((error as WebAPIRateLimitedError).code, 'slack_webapi_rate_limited_error');
      assert.equal((error as WebAPIRateLimitedError).retryAfter, 1);
      return true;
    });
  } finally {
    await sim.stop();
  }
});

test('per-channel limit is independent per channel', async () => {
  const { sim, workspace, bob, app, client } = await startFixture({ rateLimitScale: 1, channelBurst: 1 });
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const channel = sim.createChannel(workspace, { name: 'other', isPrivate: true, members: [bob.id, app.botUserId] });
    await client.chat.postMessage({ channel: im, text: 'one' });
    const other = await client.chat.postMessage({ channel, text: 'one' });
    assert.equal(other.ok, true);
  } finally {
    await sim.stop();
  }
});

test('tier 2 method limited per minute', async () => {
  const { sim, client } = await startFixture({ rateLimitScale: 1 });
  try {
    // users.list is tier 2: 20 calls per minute.
    for (let i = 0; i < 20; i += 1) {
      await client.users.list({});
    }
    await assert.rejects(client.users.list({}), (error: unknown) => {
      assert.equal((error as WebAPIRateLimitedError).code, 'slack_webapi_rate_limited_error');
      assert.ok((error as WebAPIRateLimitedError).retryAfter >= 1);
      return true;
    });

    // Another tier's bucket is separate.
    const info = await client.auth.test();
    assert.equal(info.ok, true);
  } finally {
    await sim.stop();
  }
});

test('failNext injects error, status and 429', async () => {
  const { sim, app } = await startFixture();
  try {
    const client = sdkClient(sim, app.botToken);

    sim.failNext({ method: 'auth.test', error: 'internal_error', times: 2 });
    for (let i = 0; i < 2; i += 1) {
      await assert.rejects(client.auth.test(), (error: unknown) => {
        assert.equal((error as WebAPIPlatformError).data.error, 'internal_error');
        return true;
      });
    }
    assert.equal((await client.auth.test()).ok, true);

    sim.failNext({ method: 'auth.test', status: 503 });
    await assert.rejects(client.auth.test(), (error: unknown) => {
      assert.equal((error as WebAPIHTTPError).statusCode, 503);
      return true;
    });

    sim.failNext({ method: 'auth.test', status: 429, retryAfter: 7 });
    await assert.rejects(client.auth.test(), (error: unknown) => {
      assert.equal((error as WebAPIRateLimitedError).retryAfter, 7);
      return true;
    });
  } finally {
    await sim.stop();
  }
});

test('SDK retries after Retry-After and succeeds', async () => {
  const { sim, app } = await startFixture();
  try {
    const retrying = new WebClient(app.botToken, {
      slackApiUrl: `${sim.url}/api/`,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 10 },
    });
    sim.failNext({ method: 'auth.test', status: 429, retryAfter: 1 });

    const started = Date.now();
    const result = await retrying.auth.test();
    assert.equal(result.ok, true);
    assert.ok(Date.now() - started >= 900, 'client waited for Retry-After');
  } finally {
    await sim.stop();
  }
});
