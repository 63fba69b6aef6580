import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consolePage } from '../../../sim/webex/console-page.js';
import { startWorld } from './helpers.js';

test('console: page served without a token', async (t) => {
  const { sim } = await startWorld(t);

  const response = await fetch(`${sim.url}/console`);
  const html = await response.text();

  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(html, /Webex simulator console/);
});

test('console: page script never uses innerHTML', () => {
  assert.doesNotMatch(consolePage, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  assert.match(consolePage, /textContent/);
});

test('console: send and read as a user', async (t) => {
  const { sim, alice, bob } = await startWorld(t);

  const users = (await (await fetch(`${sim.url}/console/api/users`)).json()) as { id: string; email: string }[];
  const sendResponse = await fetch(`${sim.url}/console/api/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personId: alice.id, toPersonEmail: bob.email, text: '<b>not bold</b>' }),
  });
  const sent = (await sendResponse.json()) as { roomId: string };
  const rooms = (await (await fetch(`${sim.url}/console/api/rooms?personId=${encodeURIComponent(bob.id)}`)).json()) as { id: string; title: string }[];
  const messages = (await (
    await fetch(`${sim.url}/console/api/messages?personId=${encodeURIComponent(bob.id)}&roomId=${encodeURIComponent(sent.roomId)}`)
  ).json()) as { author: string; text: string }[];

  assert.ok(users.some((u) => u.email === alice.email));
  assert.equal(sendResponse.status, 200);
  assert.deepEqual(rooms.map((r) => r.title), ['Alice Anders']);
  assert.deepEqual(messages, [{ ...messages[0], author: 'Alice Anders', text: '<b>not bold</b>' }]);
  assert.deepEqual(sim.inbox(bob.id).map((m) => m.text), ['<b>not bold</b>']);
});

test('console: reading a room the user is not in fails', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'x' });

  const response = await fetch(`${sim.url}/console/api/messages?personId=${encodeURIComponent(carol.id)}&roomId=${encodeURIComponent(sent.roomId)}`);

  assert.equal(response.status, 404);
});

test('console: edit, delete, reply and status as a user', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const post = (route: string, body: Record<string, string>) =>
    fetch(`${sim.url}/console/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const sent = (await (await post('send', { personId: alice.id, toPersonEmail: bob.email, text: 'see **you**' })).json()) as { id: string; roomId: string };
  assert.equal(sim.inbox(bob.id)[0]?.markdown, 'see **you**');

  assert.equal((await post('edit', { personId: alice.id, roomId: sent.roomId, messageId: sent.id, text: 'see you soon' })).status, 200);
  assert.equal(sim.inbox(bob.id)[0]?.text, 'see you soon');

  const reply = (await (await post('send', { personId: bob.id, roomId: sent.roomId, parentId: sent.id, text: 'sure' })).json()) as { id: string };
  assert.equal(sim.inbox(alice.id).find((m) => m.id === reply.id)?.parentId, sent.id);

  // Only the author may delete; Bob's attempt fails and changes nothing.
  assert.equal((await post('delete', { personId: bob.id, messageId: sent.id })).status, 403);
  assert.equal((await post('delete', { personId: alice.id, messageId: sent.id })).status, 200);
  assert.equal(sim.inbox(bob.id).some((m) => m.id === sent.id), false);

  assert.equal((await post('status', { personId: alice.id, status: 'DoNotDisturb' })).status, 200);
  const users = (await (await fetch(`${sim.url}/console/api/users`)).json()) as { id: string; status: string }[];
  assert.equal(users.find((u) => u.id === alice.id)?.status, 'DoNotDisturb');
  assert.equal((await post('status', { personId: alice.id, status: 'asleep' })).status, 400);
});

test('console: send a file and open it as a user', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const form = new FormData();
  form.append('personId', alice.id);
  form.append('toPersonEmail', bob.email);
  form.append('text', 'the **plan**');
  form.append('files', new Blob(['plan bytes'], { type: 'text/plain' }), '계획 plan.txt');

  const sendResponse = await fetch(`${sim.url}/console/api/send-file`, { method: 'POST', body: form });
  const sent = (await sendResponse.json()) as { id: string; roomId: string };
  const messages = (await (
    await fetch(`${sim.url}/console/api/messages?personId=${encodeURIComponent(bob.id)}&roomId=${encodeURIComponent(sent.roomId)}`)
  ).json()) as { text: string; files: { name: string; url: string }[] }[];
  const link = messages[0]?.files[0]?.url ?? '';
  const asBob = await fetch(`${sim.url}${link}`);
  const asCarol = await fetch(`${sim.url}${link.replace(encodeURIComponent(bob.id), encodeURIComponent(carol.id))}`);

  assert.equal(sendResponse.status, 200);
  assert.equal(messages[0]?.text, 'the **plan**');
  assert.equal(messages[0]?.files[0]?.name, '계획 plan.txt');
  assert.equal(asBob.status, 200);
  assert.equal(await asBob.text(), 'plan bytes');
  assert.equal(asCarol.status, 404);
  assert.deepEqual(sim.inbox(bob.id)[0]?.files, [sim.contents()[0]?.url]);
});

test('console: send-file without a file fails', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const form = new FormData();
  form.append('personId', alice.id);
  form.append('toPersonEmail', bob.email);
  form.append('text', 'no file');

  const response = await fetch(`${sim.url}/console/api/send-file`, { method: 'POST', body: form });

  assert.equal(response.status, 400);
  assert.deepEqual(sim.inbox(bob.id), []);
});
