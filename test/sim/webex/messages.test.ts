import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_MESSAGE_BYTES, WebexRequestError } from '../../../sim/webex/index.js';
import { api, errorMessage, startWorld } from './helpers.js';

test('message size: 7439 bytes accepted, 7440 rejected', async (t) => {
  const { sim, alice } = await startWorld(t);

  const ok = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', text: 'a'.repeat(7439) });
  const tooLong = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', text: 'a'.repeat(7440) });
  const markdownTooLong = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', markdown: 'b'.repeat(7440) });

  assert.equal(MAX_MESSAGE_BYTES, 7439);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.text.length, 7439);
  assert.equal(tooLong.status, 400);
  assert.match(errorMessage(tooLong), /7440 bytes.*7439/);
  assert.equal(markdownTooLong.status, 400);
  assert.match(errorMessage(markdownTooLong), /markdown/);
});

test('message size: multi-byte text counted in bytes', async (t) => {
  const { sim, alice } = await startWorld(t);
  // 'é' is 2 bytes in UTF-8: 3719 of them plus one 'a' is 7439 bytes but only 3720 characters.
  const fits = `${'é'.repeat(3719)}a`;
  const over = `${'é'.repeat(3720)}`;

  const ok = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', text: fits });
  const rejected = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', text: over });
  const emoji = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', text: '😀'.repeat(1860) });

  assert.equal(ok.status, 200);
  assert.equal(rejected.status, 400, '3720 two-byte characters are 7440 bytes');
  assert.equal(emoji.status, 400, '1860 four-byte emoji are 7440 bytes');
});

test('message post: direct room created once and reused', async (t) => {
  const { sim, alice, bob } = await startWorld(t);

  const first = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example', text: 'one' });
  const second = await api(sim, alice.token, 'POST', '/messages', { toPersonId: bob.id, text: 'two' });
  const reply = await api(sim, bob.token, 'POST', '/messages', { toPersonEmail: 'alice@acme.example', text: 'three' });

  assert.equal(first.status, 200);
  assert.equal(first.body.roomType, 'direct');
  assert.equal(first.body.toPersonEmail, 'bob@acme.example');
  assert.equal(second.body.roomId, first.body.roomId);
  assert.equal(reply.body.roomId, first.body.roomId);
  assert.deepEqual(sim.inbox(bob.id).map((m) => m.text), ['one', 'two']);
  assert.deepEqual(sim.inbox(alice.id).map((m) => m.text), ['three']);
});

test('message post: form-encoded body accepted', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await api(sim, alice.token, 'POST', '/messages', 'toPersonEmail=bob%40acme.example&text=hello+form', 'application/x-www-form-urlencoded');

  assert.equal(response.status, 200);
  assert.equal(response.body.text, 'hello form');
});

test('message post: invalid requests rejected', async (t) => {
  const { sim, alice, carol } = await startWorld(t);
  const room = await sim.actAs(carol.token).createRoom('Partner only');

  const empty = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'bob@acme.example' });
  const noTarget = await api(sim, alice.token, 'POST', '/messages', { text: 'x' });
  const twoTargets = await api(sim, alice.token, 'POST', '/messages', { roomId: room.id, toPersonEmail: 'bob@acme.example', text: 'x' });
  const notMember = await api(sim, alice.token, 'POST', '/messages', { roomId: room.id, text: 'x' });
  const unknown = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'nobody@acme.example', text: 'x' });
  const self = await api(sim, alice.token, 'POST', '/messages', { toPersonEmail: 'alice@acme.example', text: 'x' });
  const twoFiles = await api(sim, alice.token, 'POST', '/messages', {
    toPersonEmail: 'bob@acme.example',
    files: ['https://files.example/a.png', 'https://files.example/b.png'],
  });

  assert.equal(empty.status, 400);
  assert.equal(noTarget.status, 400);
  assert.equal(twoTargets.status, 400);
  assert.equal(notMember.status, 404);
  assert.equal(unknown.status, 404);
  assert.equal(self.status, 400);
  assert.equal(twoFiles.status, 400);
  assert.match(errorMessage(notMember), /member/);
});

test('message get: only room members can read', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'private' });

  const asBob = await api(sim, bob.token, 'GET', `/messages/${sent.id}`);
  const asCarol = await api(sim, carol.token, 'GET', `/messages/${sent.id}`);

  assert.equal(asBob.status, 200);
  assert.equal(asBob.body.text, 'private');
  assert.equal(asCarol.status, 404);
});

test('pagination: 120 messages paged newest first via Link', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const actor = sim.actAs(alice.token);
  const sentIds: string[] = [];
  let roomId = '';
  for (let i = 0; i < 120; i += 1) {
    const message = await actor.sendMessage({ toPersonEmail: bob.email, text: `m${i}` });
    sentIds.push(message.id);
    roomId = message.roomId;
  }

  const seen: string[] = [];
  let url: string | undefined = `/messages?roomId=${encodeURIComponent(roomId)}&max=50`;
  let pages = 0;
  while (url) {
    const page = await api(sim, bob.token, 'GET', url);
    assert.equal(page.status, 200);
    pages += 1;
    seen.push(...page.body.items.map((m: { id: string }) => m.id));
    const link = page.headers.get('link');
    const match = link ? /^<([^>]+)>;\s*rel="next"$/.exec(link) : null;
    url = match?.[1];
    if (link) {
      assert.ok(match, `Link header ${link} is RFC 5988 rel=next`);
    }
  }

  assert.equal(pages, 3);
  assert.equal(seen.length, 120);
  assert.equal(new Set(seen).size, 120, 'each message exactly once');
  assert.deepEqual(seen, [...sentIds].reverse(), 'newest first');
});

test('pagination: default page is 50 and before= filters by time', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const actor = sim.actAs(alice.token);
  const sent = [];
  for (let i = 0; i < 60; i += 1) {
    sent.push(await actor.sendMessage({ toPersonEmail: bob.email, text: `m${i}` }));
  }
  const roomId = encodeURIComponent(sent[0]!.roomId);

  const page = await api(sim, bob.token, 'GET', `/messages?roomId=${roomId}`);
  const before = await api(sim, bob.token, 'GET', `/messages?roomId=${roomId}&before=${encodeURIComponent(sent[10]!.created)}`);

  assert.equal(page.body.items.length, 50);
  assert.deepEqual(before.body.items.map((m: { text: string }) => m.text), Array.from({ length: 10 }, (_, i) => `m${9 - i}`));
  assert.equal(before.headers.get('link'), null);
});

test('message edit: author only, ten edits, not with files', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'v0' });
  const withFile = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, files: ['https://files.example/a.png'] });

  const byBob = await api(sim, bob.token, 'PUT', `/messages/${sent.id}`, { roomId: sent.roomId, text: 'hijack' });
  const statuses: number[] = [];
  for (let i = 1; i <= 11; i += 1) {
    statuses.push((await api(sim, alice.token, 'PUT', `/messages/${sent.id}`, { roomId: sent.roomId, text: `v${i}` })).status);
  }
  const fileEdit = await api(sim, alice.token, 'PUT', `/messages/${withFile.id}`, { roomId: withFile.roomId, text: 'x' });
  const current = await sim.actAs(bob.token).getMessage(sent.id);

  assert.equal(byBob.status, 403);
  assert.deepEqual(statuses, [...Array<number>(10).fill(200), 400]);
  assert.equal(fileEdit.status, 400);
  assert.equal(current.text, 'v10');
  assert.ok(current.updated, 'updated set after an edit');
});

test('message delete: author only, then gone', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'oops' });

  const byBob = await api(sim, bob.token, 'DELETE', `/messages/${sent.id}`);
  const byAlice = await api(sim, alice.token, 'DELETE', `/messages/${sent.id}`);
  const after = await api(sim, bob.token, 'GET', `/messages/${sent.id}`);

  assert.equal(byBob.status, 403);
  assert.equal(byAlice.status, 204);
  assert.equal(after.status, 404);
  assert.deepEqual(sim.messagesIn(sent.roomId), []);
});

test('message mentions: markdown mention sets mentionedPeople', async (t) => {
  const { sim, alice, bob, bot } = await startWorld(t);
  const room = await sim.actAs(alice.token).createRoom('Team');
  await sim.actAs(alice.token).addMember(room.id, { personEmail: bob.email });
  await sim.actAs(alice.token).addMember(room.id, { personId: bot.id });

  const sent = await sim.actAs(alice.token).sendMessage({ roomId: room.id, markdown: `<@personEmail:${bot.email}|Parley> help` });

  assert.deepEqual(sent.mentionedPeople, [bot.id]);
  assert.equal(sent.text, 'Parley help');
  assert.equal(sent.roomType, 'group');
});

test('message list: bot needs mentionedPeople=me in group rooms', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const room = await sim.actAs(alice.token).createRoom('Team');
  await sim.actAs(alice.token).addMember(room.id, { personId: bot.id });
  await sim.actAs(alice.token).sendMessage({ roomId: room.id, text: 'not for the bot' });
  await sim.actAs(alice.token).sendMessage({ roomId: room.id, markdown: `<@personId:${bot.id}|Parley> for the bot` });

  const all = await api(sim, bot.token, 'GET', `/messages?roomId=${room.id}`);
  const mentioned = await api(sim, bot.token, 'GET', `/messages?roomId=${room.id}&mentionedPeople=me`);

  assert.equal(all.status, 403);
  assert.equal(mentioned.status, 200);
  assert.deepEqual(mentioned.body.items.map((m: { text: string }) => m.text), ['Parley for the bot']);
});

test('actAs: API errors surface as WebexRequestError', async (t) => {
  const { sim, alice } = await startWorld(t);

  await assert.rejects(
    sim.actAs(alice.token).sendMessage({ toPersonEmail: 'bob@acme.example', text: 'x'.repeat(8000) }),
    (error: unknown) => error instanceof WebexRequestError && error.status === 400,
  );
});
