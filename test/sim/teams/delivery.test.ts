// Delivery to the bot's messaging endpoint: resends after the response deadline, the attempt
// log and the order of activities.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startWorld } from './helpers.js';

test('slow bot gets same activity again', async (t) => {
  const { sim, bot, alice } = await startWorld(t, { resendAfterMs: 150 });
  bot.reply = (_activity, index) => (index === 0 ? { delayMs: 400 } : {});

  const id = sim.sendMessage(alice.id, 'are you there?');
  await sim.settle();
  const [delivery] = sim.deliveries();

  assert.equal(bot.received.length, 2);
  assert.equal(bot.received[0]?.activity.id, id);
  assert.equal(bot.received[1]?.activity.id, id);
  assert.deepEqual(bot.received[1]?.activity, bot.received[0]?.activity);
  assert.deepEqual(delivery?.attempts.map((attempt) => attempt.failure ?? attempt.status), ['timeout', 200]);
  assert.equal(delivery?.outcome, 'delivered');
});

test('resend and failure are logged', async (t) => {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    info: (fields: object, message: string) => lines.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
    warn: (fields: object, message: string) => lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message }),
  };
  const { sim, bot, alice } = await startWorld(t, { resendAfterMs: 100, logger });
  bot.reply = () => ({ delayMs: 300 });

  const id = sim.sendMessage(alice.id, 'hello?');
  await sim.settle();

  assert.deepEqual(lines.map((line) => line.level), ['info', 'warn']);
  assert.equal(lines[0]?.fields.activity_id, id);
  assert.equal(lines[1]?.fields.outcome, 'timed_out');
  assert.equal(JSON.stringify(lines).includes('hello?'), false, 'no message text in logs');
});

test('unanswered activity ends timed out', async (t) => {
  const { sim, bot, alice } = await startWorld(t, { resendAfterMs: 100, maxResends: 1 });
  bot.reply = () => ({ delayMs: 300 });

  sim.sendMessage(alice.id, 'hello?');
  await sim.settle();
  const [delivery] = sim.deliveries();

  assert.equal(delivery?.attempts.length, 2);
  assert.equal(delivery?.outcome, 'timed_out');
});

test('error status is not resent', async (t) => {
  const { sim, bot, alice } = await startWorld(t, { resendAfterMs: 100 });
  bot.reply = () => ({ status: 500 });

  sim.sendMessage(alice.id, 'boom');
  await sim.settle();
  const [delivery] = sim.deliveries();

  assert.equal(bot.received.length, 1);
  assert.equal(delivery?.outcome, 'rejected');
  assert.equal(delivery?.response?.status, 500);
});

test('activities arrive in order', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  bot.reply = (_activity, index) => ({ delayMs: index === 0 ? 80 : 0 });

  const ids = [sim.sendMessage(alice.id, 'one'), sim.sendMessage(alice.id, 'two'), sim.sendMessage(alice.id, 'three')];
  await sim.settle();

  assert.deepEqual(bot.received.map((r) => r.activity.id), ids);
});

test('missing endpoint fails delivery', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  sim.setMessagingEndpoint(undefined);

  sim.sendMessage(alice.id, 'nowhere');
  await sim.settle();
  const [delivery] = sim.deliveries();

  assert.equal(delivery?.outcome, 'failed');
  assert.equal(delivery?.attempts[0]?.failure, 'no_endpoint');
  assert.equal(bot.received.length, 0);
});

test('closed endpoint fails delivery', async (t) => {
  const { sim, alice } = await startWorld(t);
  // A port this test listened on and closed again, so the connection is refused.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  sim.setMessagingEndpoint(`http://127.0.0.1:${port}/api/messages`);

  sim.sendMessage(alice.id, 'refused');
  await sim.settle();

  assert.equal(sim.deliveries()[0]?.attempts[0]?.failure, 'connection_failed');
});
