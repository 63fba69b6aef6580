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
