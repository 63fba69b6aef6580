// Kills the hub with SIGKILL while messages are queued for Slack and restarts it: every
// message must arrive exactly once, in order. The hub runs as a real child process; the
// simulators run in this process and outlive it.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { stringify } from 'yaml';

import { createWorld, type World } from '../../src/cli/world.js';
import { connectAliceAndBob } from '../kit/contacts.js';
import { waitFor } from '../kit/wait.js';

const total = 200;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function startHubProcess(configPath: string, output: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configPath], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return child;
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).ok;
  } catch {
    return false;
  }
}

let world: World | undefined;
let child: ChildProcess | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'parley-crash-'));

after(async () => {
  child?.kill('SIGKILL');
  await world?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('hub killed mid-delivery delivers every message once after restart', async () => {
  const port = await freePort();
  // Slack's per-channel post rate (scaled to 20 per second) keeps messages queued in the
  // hub's outbox long enough to kill it mid-delivery.
  world = await createWorld({
    hubPort: port,
    webexPort: 0,
    slackPort: 0,
    dataPath: path.join(dir, 'parley.db'),
    slackRateLimitScale: 20,
    delivery: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 50, concurrency: 4 },
  });
  const hubUrl = `http://127.0.0.1:${port}`;
  const configPath = path.join(dir, 'parley.yaml');
  writeFileSync(configPath, stringify({ ...world.config(), log: { level: 'info' } }));

  const output: string[] = [];
  child = startHubProcess(configPath, output);
  await waitFor('hub to start', () => ready(hubUrl), 30_000);
  await world.connectSlack(hubUrl);

  const { webex, slack, people } = world;
  const { aliceRoom, bobChannel: channel } = await connectAliceAndBob(world);

  const alice = webex.actAs(people.alice.token);
  for (let i = 0; i < total; i++) await alice.sendMessage({ roomId: aliceRoom, text: `crash ${i}` });
  // Every webhook reached the hub and was acknowledged, so all 200 are in its outbox or delivered.
  await webex.settle();

  const relayed = () => slack.messages(channel).filter((m) => m.text.startsWith('crash ')).length;
  await waitFor('some deliveries', () => relayed() >= 20, 30_000);
  child.kill('SIGKILL');
  await new Promise((resolve) => child!.once('exit', resolve));
  const atKill = relayed();
  assert.ok(atKill < total, `expected messages still queued at the kill, but ${atKill} of ${total} had arrived`);

  child = startHubProcess(configPath, output);
  await waitFor('hub to restart', () => ready(hubUrl), 30_000);
  await waitFor(`all ${total} messages in Slack`, () => relayed() >= total, 60_000);
  // Give a duplicate time to show up.
  await new Promise((resolve) => setTimeout(resolve, 1500));

  const texts = slack.messages(channel).filter((m) => m.text.startsWith('crash ')).map((m) => m.text);
  assert.equal(texts.length, total, `expected ${total} messages, got ${texts.length}`);
  assert.deepEqual(texts, Array.from({ length: total }, (_, i) => `crash ${i}`));
  const reconciled = output.join('').split('Delivery in doubt was found on the platform').length - 1;
  console.log(`killed with ${atKill} of ${total} delivered; ${reconciled} in-doubt deliveries found on Slack, not resent`);
  child.kill('SIGTERM');
  await new Promise((resolve) => child!.once('exit', resolve));
});
