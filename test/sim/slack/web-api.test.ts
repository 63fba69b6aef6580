// Web API behaviour through the official @slack/web-api client.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { WebAPIPlatformError } from '@slack/web-api';

import { BOT_SCOPES, sdkClient, startFixture } from './helpers.js';

/** Runs an SDK call that must fail and returns Slack's error body. */
async function slackError(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    const data = (error as WebAPIPlatformError).data as unknown as Record<string, unknown> | undefined;
    assert.ok(data, `expected a Slack platform error, got ${String(error)}`);
    return data;
  }
  assert.fail('expected the call to fail');
}

test('auth.test identifies bot and workspace', async () => {
  const { sim, app, workspace, client } = await startFixture();
  try {
    const result = await client.auth.test();
    assert.equal(result.ok, true);
    assert.equal(result.team_id, workspace.id);
    assert.equal(result.user_id, app.botUserId);
    assert.equal(result.bot_id, app.botId);
    assert.equal(result.url, 'https://globex.example/');
  } finally {
    await sim.stop();
  }
});

test('auth errors: missing and unknown token', async () => {
  const { sim } = await startFixture();
  try {
    const missing = await slackError(sdkClient(sim).auth.test());
    assert.equal(missing.error, 'not_authed');

    const bad = await slackError(sdkClient(sim, 'xoxb-1-2-nope').auth.test());
    assert.equal(bad.error, 'invalid_auth');
  } finally {
    await sim.stop();
  }
});

test('missing_scope names needed scope', async () => {
  const { sim, app, bob } = await startFixture({}, ['chat:write', 'users:read']);
  try {
    const client = sdkClient(sim, app.botToken);
    const data = await slackError(client.users.lookupByEmail({ email: 'bob@globex.example' }));
    assert.equal(data.error, 'missing_scope');
    assert.equal(data.needed, 'users:read.email');
    assert.match(String(data.provided), /chat:write/);

    const open = await slackError(client.conversations.open({ users: bob.id }));
    assert.equal(open.error, 'missing_scope');
    assert.equal(open.needed, 'channels:manage,groups:write,im:write,mpim:write');
  } finally {
    await sim.stop();
  }
});

test('unknown method returns unknown_method', async () => {
  const { sim, client } = await startFixture();
  try {
    const data = await slackError(client.apiCall('foo.bar'));
    assert.equal(data.error, 'unknown_method');
  } finally {
    await sim.stop();
  }
});

test('token form argument and JSON body with Bearer', async () => {
  const { sim, app, bob } = await startFixture();
  try {
    const form = await fetch(`${sim.url}/api/users.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: app.botToken, user: bob.id }).toString(),
    });
    const formBody = (await form.json()) as { ok: boolean; user: { id: string } };
    assert.equal(formBody.ok, true);
    assert.equal(formBody.user.id, bob.id);

    const json = await fetch(`${sim.url}/api/users.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${app.botToken}` },
      body: JSON.stringify({ user: bob.id }),
    });
    assert.equal(((await json.json()) as { ok: boolean }).ok, true);

    const tokenInJson = await fetch(`${sim.url}/api/users.info`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: app.botToken, user: bob.id }),
    });
    assert.equal(((await tokenInJson.json()) as { error: string }).error, 'not_authed');

    const get = await fetch(`${sim.url}/api/users.info?user=${bob.id}`, { headers: { authorization: `Bearer ${app.botToken}` } });
    assert.equal(((await get.json()) as { ok: boolean }).ok, true);
  } finally {
    await sim.stop();
  }
});

test('users.info, lookupByEmail, profile.get', async () => {
  const { sim, bob, client } = await startFixture();
  try {
    const info = await client.users.info({ user: bob.id });
    assert.equal(info.user?.real_name, 'Bob Builder');
    assert.equal(info.user?.profile?.email, 'bob@globex.example');
    assert.equal(info.user?.profile?.title, 'Foreman');

    const found = await client.users.lookupByEmail({ email: 'BOB@globex.example' });
    assert.equal(found.user?.id, bob.id);

    const none = await slackError(client.users.lookupByEmail({ email: 'nobody@globex.example' }));
    assert.equal(none.error, 'users_not_found');

    const unknown = await slackError(client.users.info({ user: 'UNOPE' }));
    assert.equal(unknown.error, 'user_not_found');

    const profile = await client.users.profile.get({ user: bob.id });
    assert.equal(profile.profile?.display_name, 'Bob Builder');
  } finally {
    await sim.stop();
  }
});

test('users.info hides email without users:read.email', async () => {
  const { sim, bob, client } = await startFixture({}, BOT_SCOPES.filter((s) => s !== 'users:read.email'));
  try {
    const info = await client.users.info({ user: bob.id });
    assert.equal(info.user?.profile?.email, undefined);
  } finally {
    await sim.stop();
  }
});

test('users.list cursor returns every user once', async () => {
  const { sim, workspace, client } = await startFixture();
  try {
    for (let i = 0; i < 11; i += 1) {
      sim.addUser(workspace, { email: `user${i}@globex.example`, realName: `User ${i}` });
    }

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.users.list({ limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...(page.members ?? []).map((member) => member.id ?? ''));
      cursor = page.response_metadata?.next_cursor || undefined;
      pages += 1;
    } while (cursor !== undefined);

    // 11 added users + Bob + the bot user.
    assert.equal(seen.length, 13);
    assert.equal(new Set(seen).size, 13);
    assert.equal(pages, 4);

    const bad = await slackError(client.users.list({ limit: 4, cursor: 'bm9wZQ==' }));
    assert.equal(bad.error, 'invalid_cursor');
  } finally {
    await sim.stop();
  }
});

test('conversations.open returns the same im', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const first = await client.conversations.open({ users: bob.id });
    const id = first.channel?.id ?? '';
    assert.match(id, /^D/);
    assert.equal(first.already_open, undefined);
    assert.equal(sim.openIm(bob.id, app.botUserId), id);

    const second = await client.conversations.open({ users: bob.id, return_im: true });
    assert.equal(second.channel?.id, id);
    assert.equal(second.already_open, true);
    assert.equal(second.channel?.is_im, true);

    const missing = await slackError(client.conversations.open({ users: 'UNOPE' }));
    assert.equal(missing.error, 'user_not_found');
  } finally {
    await sim.stop();
  }
});

test('conversations.create name rules', async () => {
  const { sim, client } = await startFixture();
  try {
    const cases: Array<[string, string]> = [
      ['Has Space', 'invalid_name_specials'],
      ['with.period', 'invalid_name_specials'],
      ['UPPER', 'invalid_name_specials'],
      ['x'.repeat(81), 'invalid_name_maxlength'],
      ['---', 'invalid_name_punctuation'],
    ];
    for (const [name, error] of cases) {
      const data = await slackError(client.conversations.create({ name, is_private: true }));
      assert.equal(data.error, error, `name ${name.slice(0, 20)}`);
    }

    const created = await client.conversations.create({ name: 'parley-room_1', is_private: true });
    assert.equal(created.channel?.is_private, true);
    assert.equal(created.channel?.name, 'parley-room_1');

    const taken = await slackError(client.conversations.create({ name: 'parley-room_1', is_private: true }));
    assert.equal(taken.error, 'name_taken');
  } finally {
    await sim.stop();
  }
});

test('invite, members, kick on private channel', async () => {
  const { sim, workspace, bob, app, client } = await startFixture();
  try {
    const carol = sim.addUser(workspace, { email: 'carol@globex.example', realName: 'Carol' });
    const created = await client.conversations.create({ name: 'bridge', is_private: true });
    const channel = created.channel?.id ?? '';

    await client.conversations.invite({ channel, users: `${bob.id},${carol.id}` });
    const again = await slackError(client.conversations.invite({ channel, users: bob.id }));
    assert.equal(again.error, 'already_in_channel');

    const members = await client.conversations.members({ channel });
    assert.deepEqual(members.members, [app.botUserId, bob.id, carol.id]);

    await client.conversations.kick({ channel, user: carol.id });
    const after = await client.conversations.members({ channel });
    assert.deepEqual(after.members, [app.botUserId, bob.id]);

    const info = await client.conversations.info({ channel, include_num_members: true });
    assert.equal(info.channel?.num_members, 2);
  } finally {
    await sim.stop();
  }
});

test('private channel without bot is channel_not_found', async () => {
  const { sim, workspace, bob, client } = await startFixture();
  try {
    const channel = sim.createChannel(workspace, { name: 'secret', isPrivate: true, members: [bob.id] });
    const data = await slackError(client.conversations.info({ channel }));
    assert.equal(data.error, 'channel_not_found');

    const post = await slackError(client.chat.postMessage({ channel, text: 'hi' }));
    assert.equal(post.error, 'channel_not_found');
  } finally {
    await sim.stop();
  }
});

test('chat.postMessage stores overrides and metadata', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const posted = await client.chat.postMessage({
      channel: im,
      text: 'relayed',
      username: 'Alice (Webex)',
      icon_url: 'https://img.example/alice.png',
      metadata: { event_type: 'parley_relay', event_payload: { origin: 'webex' } },
    });
    assert.equal(posted.channel, im);
    assert.match(posted.ts ?? '', /^\d+\.\d{6}$/);
    assert.equal(posted.message?.username, 'Alice (Webex)');
    assert.equal(posted.message?.bot_id, app.botId);

    const stored = sim.messages(im);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.iconUrl, 'https://img.example/alice.png');
    assert.deepEqual(stored[0]?.metadata, { event_type: 'parley_relay', event_payload: { origin: 'webex' } });
    assert.equal(sim.inbox(bob.id).length, 1);
  } finally {
    await sim.stop();
  }
});

test('chat.postMessage argument errors', async () => {
  const { sim, bob, app, workspace } = await startFixture();
  try {
    const plain = sim.installApp(workspace, { scopes: ['chat:write', 'im:write'] });
    const client = sdkClient(sim, plain.botToken);
    const im = sim.openIm(bob.id, plain.botUserId);

    const customize = await slackError(client.chat.postMessage({ channel: im, text: 'x', username: 'Someone' }));
    assert.equal(customize.error, 'missing_scope');
    assert.equal(customize.needed, 'chat:write.customize');

    const empty = await slackError(client.chat.postMessage({ channel: im, text: '' }));
    assert.equal(empty.error, 'no_text');

    const metadata = await slackError(client.apiCall('chat.postMessage', { channel: im, text: 'x', metadata: '{nope' }));
    assert.equal(metadata.error, 'invalid_metadata_format');

    const otherIm = sim.openIm(bob.id, app.botUserId);
    const foreign = await slackError(client.chat.postMessage({ channel: otherIm, text: 'x' }));
    assert.equal(foreign.error, 'channel_not_found');
  } finally {
    await sim.stop();
  }
});

test('chat.postMessage truncates at 40,000 chars', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const posted = await client.chat.postMessage({ channel: im, text: 'a'.repeat(40_005) });
    assert.equal(posted.message?.text?.length, 40_000);
    assert.equal(sim.messages(im)[0]?.text.length, 40_000);
  } finally {
    await sim.stop();
  }
});

test('chat.postMessage to user id uses im', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const posted = await client.chat.postMessage({ channel: bob.id, text: 'hello' });
    assert.equal(posted.channel, sim.openIm(bob.id, app.botUserId));
  } finally {
    await sim.stop();
  }
});

test('thread replies keep root thread_ts', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const root = await sim.postAsUser(bob.id, im, 'root');
    const reply = await client.chat.postMessage({ channel: im, text: 'reply', thread_ts: root });
    assert.equal(reply.message?.thread_ts, root);
    assert.equal(reply.message?.parent_user_id, bob.id);

    const nested = await client.chat.postMessage({ channel: im, text: 'again', thread_ts: reply.ts ?? '' });
    assert.equal(nested.message?.thread_ts, root);
  } finally {
    await sim.stop();
  }
});

test('chat.update and chat.delete own messages only', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const posted = await client.chat.postMessage({ channel: im, text: 'v1' });
    const ts = posted.ts ?? '';

    const updated = await client.chat.update({ channel: im, ts, text: 'v2' });
    assert.equal(updated.text, 'v2');
    assert.equal(sim.messages(im)[0]?.text, 'v2');

    const bobTs = await sim.postAsUser(bob.id, im, 'mine');
    const cantUpdate = await slackError(client.chat.update({ channel: im, ts: bobTs, text: 'x' }));
    assert.equal(cantUpdate.error, 'cant_update_message');
    const cantDelete = await slackError(client.chat.delete({ channel: im, ts: bobTs }));
    assert.equal(cantDelete.error, 'cant_delete_message');
    const missing = await slackError(client.chat.update({ channel: im, ts: '1.000001', text: 'x' }));
    assert.equal(missing.error, 'message_not_found');

    await client.chat.delete({ channel: im, ts });
    assert.deepEqual(sim.messages(im).map((m) => m.ts), [bobTs]);
  } finally {
    await sim.stop();
  }
});

test('chat.postEphemeral reaches one member', async () => {
  const { sim, workspace, bob, app, client } = await startFixture();
  try {
    const channel = sim.createChannel(workspace, { name: 'ops', isPrivate: true, members: [bob.id, app.botUserId] });
    const result = await client.chat.postEphemeral({ channel, user: bob.id, text: 'only you' });
    assert.match(result.message_ts ?? '', /^\d+\.\d{6}$/);
    assert.equal(sim.ephemerals(bob.id).length, 1);
    assert.equal(sim.messages(channel).length, 0);

    const carol = sim.addUser(workspace, { email: 'carol@globex.example', realName: 'Carol' });
    const outsider = await slackError(client.chat.postEphemeral({ channel, user: carol.id, text: 'x' }));
    assert.equal(outsider.error, 'user_not_in_channel');
  } finally {
    await sim.stop();
  }
});

test('reactions add and remove', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const ts = await sim.postAsUser(bob.id, im, 'react to me');

    await client.reactions.add({ channel: im, timestamp: ts, name: 'thumbsup' });
    assert.deepEqual(sim.messages(im)[0]?.reactions, [{ name: 'thumbsup', users: [app.botUserId] }]);

    const twice = await slackError(client.reactions.add({ channel: im, timestamp: ts, name: 'thumbsup' }));
    assert.equal(twice.error, 'already_reacted');
    const colons = await slackError(client.reactions.add({ channel: im, timestamp: ts, name: ':tada:' }));
    assert.equal(colons.error, 'invalid_name');

    await client.reactions.remove({ channel: im, timestamp: ts, name: 'thumbsup' });
    assert.deepEqual(sim.messages(im)[0]?.reactions, []);
    const gone = await slackError(client.reactions.remove({ channel: im, timestamp: ts, name: 'thumbsup' }));
    assert.equal(gone.error, 'no_reaction');
  } finally {
    await sim.stop();
  }
});

test('conversations.history cursor returns every message once', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const posted: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      posted.push(await sim.postAsUser(bob.id, im, `message ${i}`));
    }
    await sim.postAsUser(bob.id, im, 'a thread reply', { threadTs: posted[0] ?? '' });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.history({ channel: im, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...(page.messages ?? []).map((m) => m.ts ?? ''));
      assert.equal(page.has_more, Boolean(page.response_metadata?.next_cursor));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);

    assert.deepEqual(seen, [...posted].reverse());

    const window = await client.conversations.history({ channel: im, oldest: posted[2], latest: posted[5] });
    assert.deepEqual(window.messages?.map((m) => m.ts), [posted[4], posted[3]]);

    const bad = await slackError(client.conversations.history({ channel: im, oldest: 'yesterday' }));
    assert.equal(bad.error, 'invalid_ts_oldest');
  } finally {
    await sim.stop();
  }
});

test('history returns metadata only on request', async () => {
  const { sim, bob, app, client } = await startFixture();
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    await client.chat.postMessage({ channel: im, text: 'x', metadata: { event_type: 'relay', event_payload: { id: 1 } } });

    const plain = await client.conversations.history({ channel: im });
    assert.equal(plain.messages?.[0]?.metadata, undefined);
    const full = await client.conversations.history({ channel: im, include_all_metadata: true });
    assert.equal(full.messages?.[0]?.metadata?.event_type, 'relay');
  } finally {
    await sim.stop();
  }
});
