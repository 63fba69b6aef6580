import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, startReceiver, startWorld } from './helpers.js';

test('rooms: list shows only the caller rooms', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'x' });
  const group = await sim.actAs(carol.token).createRoom('Partner team');

  const aliceRooms = await api(sim, alice.token, 'GET', '/rooms');
  const carolGroups = await api(sim, carol.token, 'GET', '/rooms?type=group');
  const hidden = await api(sim, alice.token, 'GET', `/rooms/${group.id}`);

  assert.deepEqual(aliceRooms.body.items.map((r: { type: string; title: string }) => [r.type, r.title]), [['direct', 'Bob Berg']]);
  assert.deepEqual(carolGroups.body.items.map((r: { id: string }) => r.id), [group.id]);
  assert.equal(hidden.status, 404);
});

test('memberships: add, conflict, remove', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const room = await sim.actAs(alice.token).createRoom('Team');

  const added = await api(sim, alice.token, 'POST', '/memberships', { roomId: room.id, personEmail: carol.email });
  const again = await api(sim, alice.token, 'POST', '/memberships', { roomId: room.id, personId: carol.id });
  const byOutsider = await api(sim, bob.token, 'POST', '/memberships', { roomId: room.id, personId: bob.id });
  const carolPosts = await api(sim, carol.token, 'POST', '/messages', { roomId: room.id, text: 'hi' });
  const removed = await api(sim, alice.token, 'DELETE', `/memberships/${added.body.id}`);
  const carolAfter = await api(sim, carol.token, 'POST', '/messages', { roomId: room.id, text: 'still here?' });

  assert.equal(added.status, 200);
  assert.equal(added.body.personOrgId, carol.orgId);
  assert.equal(again.status, 409);
  assert.equal(byOutsider.status, 404);
  assert.equal(carolPosts.status, 200);
  assert.equal(removed.status, 204);
  assert.equal(carolAfter.status, 404);
});

test('memberships: direct rooms take no new members', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'x' });

  const response = await api(sim, alice.token, 'POST', '/memberships', { roomId: sent.roomId, personId: carol.id });

  assert.equal(response.status, 400);
});

test('memberships webhook: bot hears being added', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'm', targetUrl: receiver.url, resource: 'memberships', event: 'created' });
  const room = await sim.actAs(alice.token).createRoom('Team');

  await sim.actAs(alice.token).addMember(room.id, { personId: bot.id });
  await sim.settle();

  assert.equal(receiver.received.length, 1);
  assert.equal(receiver.received[0]!.json.resource, 'memberships');
  assert.equal(receiver.received[0]!.json.data.personId, bot.id);
  assert.equal(receiver.received[0]!.json.data.roomId, room.id);
});
