// What the bot receives when a person acts in Teams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TENANT_ID, startWorld } from './helpers.js';

test('message activity has Teams shape', async (t) => {
  const { sim, bot, alice } = await startWorld(t);

  const id = sim.sendMessage(alice.id, 'hello bot');
  const [received] = await bot.waitFor(1);
  const activity = received?.activity;

  assert.equal(activity?.type, 'message');
  assert.equal(activity?.id, id);
  assert.equal(activity?.text, 'hello bot');
  assert.equal(activity?.textFormat, 'plain');
  assert.equal(activity?.channelId, 'msteams');
  assert.equal(activity?.serviceUrl, sim.serviceUrl);
  assert.deepEqual(activity?.from, { id: alice.id, name: 'Alice Anders', aadObjectId: alice.aadObjectId });
  assert.deepEqual(activity?.conversation, { conversationType: 'personal', tenantId: TENANT_ID, id: sim.conversationId(alice.id) });
  assert.deepEqual(activity?.recipient, { id: sim.bot.id, name: 'Parley' });
  assert.deepEqual(activity?.channelData, { tenant: { id: TENANT_ID } });
  assert.equal((activity?.entities as { type: string }[])[0]?.type, 'clientInfo');
  assert.equal(received?.headers['content-type'], 'application/json; charset=utf-8');
});

test('mention adds entity and tag', async (t) => {
  const { sim, bot, alice } = await startWorld(t);

  sim.sendMessage(alice.id, '<at>Parley</at> status?', { mentions: [{ id: sim.bot.id, name: 'Parley' }] });
  const [received] = await bot.waitFor(1);
  const entities = received?.activity.entities as Record<string, unknown>[];

  assert.deepEqual(entities[0], { type: 'mention', text: '<at>Parley</at>', mentioned: { id: sim.bot.id, name: 'Parley' } });
  assert.throws(() => sim.sendMessage(alice.id, 'no tag', { mentions: [{ id: sim.bot.id, name: 'Parley' }] }), /<at>Parley<\/at>/);
});

test('edit and delete reach the bot', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  const id = sim.sendMessage(alice.id, 'typo');

  sim.editMessage(alice.id, id, 'fixed');
  sim.deleteMessage(alice.id, id);
  const [, update, remove] = await bot.waitFor(3);

  assert.equal(update?.activity.type, 'messageUpdate');
  assert.equal(update?.activity.id, id);
  assert.equal(update?.activity.text, 'fixed');
  assert.equal(update?.activity.channelData.eventType, 'editMessage');
  assert.equal(remove?.activity.type, 'messageDelete');
  assert.equal(remove?.activity.id, id);
  assert.equal(remove?.activity.channelData.eventType, 'softDeleteMessage');
  assert.equal(sim.messages(alice.id)[0]?.deleted, true);
  assert.deepEqual(sim.messages(alice.id)[0]?.history.map((version) => version.text), ['typo']);
});

test('people edit only their messages', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const id = sim.sendMessage(alice.id, 'mine');

  assert.throws(() => sim.editMessage(bob.id, id, 'not yours'), /not found in the conversation/);
});

test('reaction carries replyToId', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  const id = sim.sendMessage(alice.id, 'react to me');

  sim.react(alice.id, id, 'like', 'added');
  sim.react(alice.id, id, 'like', 'removed');
  const [, added, removed] = await bot.waitFor(3);

  assert.equal(added?.activity.type, 'messageReaction');
  assert.equal(added?.activity.replyToId, id);
  assert.deepEqual(added?.activity.reactionsAdded, [{ type: 'like' }]);
  assert.deepEqual(removed?.activity.reactionsRemoved, [{ type: 'like' }]);
  assert.deepEqual(sim.messages(alice.id)[0]?.reactions, []);
  assert.throws(() => sim.react(alice.id, id, 'heart', 'removed'), /no heart reaction/);
});

test('typing reaches the bot', async (t) => {
  const { sim, bot, alice } = await startWorld(t);

  sim.typing(alice.id);
  const [received] = await bot.waitFor(1);

  assert.equal(received?.activity.type, 'typing');
  assert.equal(received?.activity.text, undefined);
});

test('install sends conversationUpdate', async (t) => {
  const { sim, bot, carol } = await startWorld(t);
  assert.throws(() => sim.sendMessage(carol.id, 'hi'), /installApp/);

  sim.installApp(carol.id);
  const [received] = await bot.waitFor(1);

  assert.equal(received?.activity.type, 'conversationUpdate');
  assert.deepEqual(received?.activity.membersAdded, [{ id: sim.bot.id }]);
  assert.equal(received?.activity.from.id, carol.id);
  assert.equal(received?.activity.conversation.id, sim.conversationId(carol.id));
  assert.throws(() => sim.installApp(carol.id), /already has the bot installed/);
});

test('uninstall sends membersRemoved', async (t) => {
  const { sim, bot, alice } = await startWorld(t);

  sim.uninstallApp(alice.id);
  const [received] = await bot.waitFor(1);

  assert.deepEqual(received?.activity.membersRemoved, [{ id: sim.bot.id }]);
  assert.throws(() => sim.sendMessage(alice.id, 'hi'), /installApp/);
});

test('user reply quotes a message', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  const first = sim.sendMessage(alice.id, 'first');

  sim.sendMessage(alice.id, 'second', { replyToId: first, textFormat: 'xml' });
  const [, received] = await bot.waitFor(2);

  assert.equal(received?.activity.replyToId, first);
  assert.equal(received?.activity.textFormat, 'xml');
  assert.throws(() => sim.sendMessage(alice.id, 'x', { replyToId: '1' }), /not found/);
});
