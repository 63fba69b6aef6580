// Relay benchmark: Webex → Slack messages through the hub, beside a baseline that makes the
// same simulator HTTP calls through a bare forwarder with no store, dedup or outbox.
// Run it with `npm run bench -- [--messages N] [--concurrency C]`. The method and its limits
// are in docs/benchmarks.md.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import type { Delivery } from '../sim/slack/index.js';
import type { WebexActor } from '../sim/webex/index.js';
import { createWorld, type World } from '../src/cli/world.js';
import { startHub } from '../src/server/hub.js';
import { createLogger } from '../src/server/logging.js';

/** Messages sent before each measured pass and left out of its figures (JIT, sockets, caches). */
const warmupMessages = 20;
/** How often the driver looks for new Slack message events. */
const pollIntervalMs = 1;
/** A message that has not reached Slack after this long fails the run. */
const arrivalTimeoutMs = 10_000;
/** The display name the hub gives Alice's proxy in Slack. The forwarder sets the same one. */
const proxyName = 'Alice Anders (acme.example)';

type Mode = 'hub' | 'baseline';

interface PassResult {
  mode: Mode;
  concurrency: number;
  messages: number;
  durationMs: number;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** One world prepared for a pass: Alice's room to send into and the Slack channel it reaches. */
interface Route {
  world: World;
  alice: WebexActor;
  roomId: string;
  channel: string;
  stop(): Promise<void>;
}

// Options

function readOptions(): { messages: number; concurrencies: number[] } {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '500' },
      concurrency: { type: 'string' },
    },
  });

  const messages = positiveInteger('--messages', values.messages);
  const concurrencies = values.concurrency === undefined ? [1, 8] : [positiveInteger('--concurrency', values.concurrency)];
  return { messages, concurrencies };
}

function positiveInteger(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Invalid ${flag} ${JSON.stringify(raw)}: expected a positive integer.`);
  }
  return value;
}

// Worlds

function newWorld(dataPath: string): Promise<World> {
  return createWorld({
    hubPort: 0,
    webexPort: 0,
    slackPort: 0,
    dataPath,
    // Slack's real limit (about one post per second per channel) would measure the limiter only.
    slackRateLimitScale: 1e6,
    slackRetryDelaysMs: [0, 200, 500],
  });
}

/** Starts a world and a hub, and makes Alice and Bob contacts the way a user would. */
async function prepareHubRoute(): Promise<Route> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const world = await newWorld(path.join(dir, 'parley.db'));
  const hub = await startHub(world.config(), createLogger('warn', process.stderr));
  const stop = async () => {
    await hub.stop();
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await world.connectSlack(hub.url);
    const { webex, slack, people, slackApp } = world;
    const alice = webex.actAs(people.alice.token);
    const bobIm = slack.openIm(people.bob.id, slackApp.botUserId);

    await alice.sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite bob@globex.example' });
    await waitFor('contact request in Slack', () =>
      slack.messages(bobIm).find((m) => m.text.includes('wants to connect')),
    );
    await slack.postAsUser(people.bob.id, bobIm, 'accept');

    const greeting = await waitFor('proxy greeting in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text?.includes('is now your contact')),
    );
    const proxyGreeting = await waitFor('proxy greeting in Slack', () =>
      slack.inbox(people.bob.id).find((m) => m.username === proxyName),
    );
    await hub.worker.drained();

    return { world, alice, roomId: greeting.roomId, channel: proxyGreeting.channel, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts a world and the bare forwarder. Alice writes to the Webex bot in a direct room, the
 * bot's webhook reports each message, and the forwarder posts it into a private Slack channel with Bob.
 */
async function prepareBaselineRoute(): Promise<Route> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const world = await newWorld(path.join(dir, 'unused.db'));
  const { webex, slack, people, slackApp } = world;
  const channel = slack.createChannel(slackApp.teamId, {
    name: 'relay-baseline',
    isPrivate: true,
    members: [slackApp.botUserId, people.bob.id],
  });
  const forwarder = await startForwarder({
    webexApiUrl: webex.apiUrl,
    webexToken: people.webexBot.token,
    slackUrl: slack.url,
    slackToken: slackApp.botToken,
    channel,
  });
  const stop = async () => {
    await forwarder.stop();
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // The hub's request URL receives an event for each of its own posts, so the baseline receives them too.
    await slack.setRequestUrl(slackApp, `${forwarder.url}/slack/events`);
    await webex.actAs(people.webexBot.token).createWebhook({
      name: 'Relay baseline',
      targetUrl: `${forwarder.url}/webex`,
      resource: 'messages',
      event: 'created',
      filter: 'roomType=direct',
      secret: randomBytes(24).toString('hex'),
    });

    const alice = webex.actAs(people.alice.token);
    const first = await alice.sendMessage({ toPersonEmail: people.webexBot.email, text: 'hello' });
    await waitFor('first forwarded message in Slack', () => slack.messages(channel).find((m) => m.text === 'hello'));

    return { world, alice, roomId: first.roomId, channel, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// The baseline forwarder

interface ForwarderOptions {
  webexApiUrl: string;
  webexToken: string;
  slackUrl: string;
  slackToken: string;
  channel: string;
}

/**
 * Starts a plain node:http server that makes the hub's HTTP hops and nothing else. On a Webex
 * webhook it GETs the message with the webhook owner's token, acknowledges, then calls
 * chat.postMessage. It checks no signature, because the baseline stands for transport cost only.
 */
async function startForwarder(options: ForwarderOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const forward = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const body = JSON.parse(await readBody(request)) as Record<string, unknown>;

    if (request.url === '/slack/events') {
      // Slack's url_verification expects the challenge back. Events about the app's own posts are only acknowledged.
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body.type === 'url_verification' ? { challenge: body.challenge } : {}));
      return;
    }

    const data = body.data as { id: string; personId: string };
    if (body.resource !== 'messages' || body.event !== 'created' || data.personId === body.createdBy) {
      response.writeHead(200).end();
      return;
    }

    const fetched = await fetch(`${options.webexApiUrl}/messages/${encodeURIComponent(data.id)}`, {
      headers: { authorization: `Bearer ${options.webexToken}` },
    });
    const message = (await fetched.json()) as { text?: string };
    response.writeHead(fetched.ok ? 200 : 502).end();
    if (!fetched.ok) throw new Error(`GET message ${data.id} from the Webex simulator returned HTTP ${fetched.status}.`);

    const posted = await fetch(`${options.slackUrl}/api/chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.slackToken}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: options.channel, text: message.text ?? '', username: proxyName }),
    });
    const result = (await posted.json()) as { ok: boolean; error?: string };
    if (!result.ok) throw new Error(`chat.postMessage on the Slack simulator failed with ${result.error ?? posted.status}.`);
  };

  const server = http.createServer((request, response) => {
    forward(request, response).catch((error: unknown) => {
      console.error('Forwarder request failed:', error instanceof Error ? error.message : error);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Measurement

/**
 * Watches the Slack simulator's Events API log, which gains an entry the moment a message is
 * stored in a channel the app belongs to. Reading only new entries keeps each poll cheap.
 */
class ArrivalWatch {
  private readonly waiters = new Map<string, (arrivedAt: number) => void>();
  private seen: number;
  private lastPollAt = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: readonly Delivery[],
    private readonly channel: string,
  ) {
    this.seen = log.length;
  }

  /** Resolves with the estimated arrival time (performance.now clock) of the message with `text`. */
  expect(text: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.waiters.delete(text);
        reject(new Error(`Message ${JSON.stringify(text)} did not reach Slack channel ${this.channel} within ${arrivalTimeoutMs} ms. See the warnings on stderr.`));
      }, arrivalTimeoutMs);
      this.waiters.set(text, (arrivedAt) => {
        clearTimeout(timeout);
        resolve(arrivedAt);
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer === undefined && this.waiters.size > 0) {
      this.timer = setTimeout(() => this.poll(), pollIntervalMs);
    }
  }

  private poll(): void {
    this.timer = undefined;
    const now = performance.now();

    while (this.seen < this.log.length) {
      const event = this.log[this.seen]!.envelope.event;
      this.seen += 1;
      if (event.type !== 'message' || event.channel !== this.channel || typeof event.text !== 'string') continue;

      const resolve = this.waiters.get(event.text);
      if (resolve === undefined) continue;
      this.waiters.delete(event.text);
      resolve(estimateArrival(String(event.ts), this.lastPollAt, now));
    }

    this.lastPollAt = now;
    this.schedule();
  }
}

/**
 * Narrows the arrival time to the overlap of two windows: between the previous poll and this
 * one, and the millisecond the simulator stamped into the message ts (Date.now() at storage).
 * Returns the middle of the overlap, or this poll's time when the clocks disagree.
 */
function estimateArrival(ts: string, previousPoll: number, thisPoll: number): number {
  const stampedMs = Math.floor(Number(ts) * 1000) - performance.timeOrigin;
  const earliest = Math.max(previousPoll, stampedMs);
  const latest = Math.min(thisPoll, stampedMs + 1);
  return earliest <= latest ? (earliest + latest) / 2 : thisPoll;
}

/**
 * Sends `count` messages from Alice with `concurrency` workers. A send stays in flight until its
 * message is seen in Slack (closed loop), so latency is not queueing behind a flood of sends.
 */
async function sendAll(route: Route, label: string, count: number, concurrency: number): Promise<{ latencies: number[]; durationMs: number }> {
  const watch = new ArrivalWatch(route.world.slack.deliveries(), route.channel);
  const latencies: number[] = [];
  let next = 0;
  let firstSend = Number.POSITIVE_INFINITY;
  let lastArrival = 0;

  const worker = async () => {
    while (next < count) {
      const text = `relay ${label} ${next}`;
      next += 1;

      const arrival = watch.expect(text);
      const started = performance.now();
      firstSend = Math.min(firstSend, started);
      await route.alice.sendMessage({ roomId: route.roomId, text });
      const arrivedAt = await arrival;

      latencies.push(arrivedAt - started);
      lastArrival = Math.max(lastArrival, arrivedAt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));

  return { latencies, durationMs: lastArrival - firstSend };
}

async function runPass(mode: Mode, messages: number, concurrency: number): Promise<PassResult> {
  const route = mode === 'hub' ? await prepareHubRoute() : await prepareBaselineRoute();
  try {
    await sendAll(route, 'warmup', warmupMessages, concurrency);
    const { latencies, durationMs } = await sendAll(route, 'measured', messages, concurrency);

    latencies.sort((a, b) => a - b);
    return {
      mode,
      concurrency,
      messages,
      durationMs: round(durationMs),
      messagesPerSecond: round((messages / durationMs) * 1000),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
    };
  } finally {
    await route.stop();
  }
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Polls `check` every 10 ms until it returns a value, or fails after 15 s. */
async function waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after 15000 ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Report

function ratio(hub: number, baseline: number): number {
  return Math.round((hub / baseline) * 1000) / 1000;
}

function printTable(results: PassResult[]): void {
  const rows = [['run', 'concurrency', 'messages', 'msgs/s', 'p50 ms', 'p99 ms']];
  for (const r of results) {
    rows.push([r.mode, String(r.concurrency), String(r.messages), r.messagesPerSecond.toFixed(1), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2)]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
}

async function main(): Promise<void> {
  const { messages, concurrencies } = readOptions();
  const cpus = os.cpus();
  const machine = { node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length };
  console.log(`Node ${machine.node}, ${machine.cpu}, ${machine.cores} cores`);
  console.log(`${messages} messages per pass after ${warmupMessages} warm-up messages; Slack polled every ${pollIntervalMs} ms.\n`);

  const results: PassResult[] = [];
  const ratios: { concurrency: number; throughput: number; p50: number; p99: number }[] = [];
  for (const concurrency of concurrencies) {
    const baseline = await runPass('baseline', messages, concurrency);
    const hub = await runPass('hub', messages, concurrency);
    results.push(baseline, hub);
    ratios.push({
      concurrency,
      throughput: ratio(hub.messagesPerSecond, baseline.messagesPerSecond),
      p50: ratio(hub.p50Ms, baseline.p50Ms),
      p99: ratio(hub.p99Ms, baseline.p99Ms),
    });
  }

  printTable(results);
  console.log('');
  for (const r of ratios) {
    console.log(`concurrency ${r.concurrency}: hub/baseline throughput ${r.throughput}, p50 latency ${r.p50}, p99 latency ${r.p99}`);
  }

  const outDir = path.join(import.meta.dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  const report = { date: new Date().toISOString(), ...machine, warmupMessages, pollIntervalMs, results, ratios };
  writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
