// Shared setup for the Slack simulator tests: a simulator with one workspace, a person and
// an installed app, a local Events API receiver, and SDK clients aimed at the simulator.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebClient } from '@slack/web-api';

import { startSlackSimulator } from '../../../sim/slack/index.js';
import type { AppRef, SlackSimulator, SlackSimulatorOptions, UserRef, WorkspaceRef } from '../../../sim/slack/index.js';

/** Scopes a Parley-like bot requests at installation. */
export const BOT_SCOPES = [
  'chat:write',
  'chat:write.customize',
  'im:write',
  'im:history',
  'im:read',
  'groups:write',
  'groups:read',
  'groups:history',
  'channels:read',
  'channels:history',
  'users:read',
  'users:read.email',
  'users.profile:read',
  'reactions:write',
  'reactions:read',
];

export interface Fixture {
  sim: SlackSimulator;
  workspace: WorkspaceRef;
  bob: UserRef;
  app: AppRef;
  /** SDK client with the app's bot token and no retries, so errors surface at once. */
  client: WebClient;
}

export async function startFixture(options: SlackSimulatorOptions = {}, scopes: string[] = BOT_SCOPES): Promise<Fixture> {
  const sim = await startSlackSimulator({ rateLimitScale: 100, ...options });
  const workspace = sim.addWorkspace({ domain: 'globex.example', name: 'Globex' });
  const bob = sim.addUser(workspace, { email: 'bob@globex.example', realName: 'Bob Builder', title: 'Foreman' });
  const app = sim.installApp(workspace, { scopes });
  return { sim, workspace, bob, app, client: sdkClient(sim, app.botToken) };
}

export function sdkClient(sim: SlackSimulator, token?: string): WebClient {
  return new WebClient(token, { slackApiUrl: `${sim.url}/api/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface ReceiverReply {
  status?: number;
  headers?: Record<string, string>;
  delayMs?: number;
  body?: string;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests other than url_verification, parsed. */
  events(): Array<{ headers: http.IncomingHttpHeaders; envelope: Record<string, unknown> & { event: Record<string, unknown> } }>;
  close(): Promise<void>;
}

/**
 * Starts an Events API receiver on 127.0.0.1. It returns the challenge of url_verification
 * requests (unless `answerChallenge` is false) and responds to events with
 * `reply(request, index)` (default: 200 at once).
 */
export async function startReceiver(
  reply: (request: ReceivedRequest, index: number) => ReceiverReply = () => ({}),
  options: { answerChallenge?: boolean } = {},
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let eventIndex = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      requests.push(received);

      const parsed = JSON.parse(received.body) as { type?: string; challenge?: string };
      if (parsed.type === 'url_verification' && options.answerChallenge !== false) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(parsed.challenge);
        return;
      }

      const answer = reply(received, eventIndex);
      eventIndex += 1;
      const respond = () => {
        if (!res.destroyed) {
          res.writeHead(answer.status ?? 200, answer.headers ?? {});
          res.end(answer.body ?? '');
        }
      };
      if (answer.delayMs === undefined) {
        respond();
      } else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond();
        }, answer.delayMs);
        timers.add(timer);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    requests,
    events() {
      return requests
        .map((request) => ({ headers: request.headers, envelope: JSON.parse(request.body) as Record<string, unknown> & { event: Record<string, unknown> } }))
        .filter((entry) => entry.envelope.type === 'event_callback');
    },
    async close() {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
