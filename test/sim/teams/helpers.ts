// Shared setup for the Teams simulator tests: a simulator with one tenant and three people,
// a bot endpoint on 127.0.0.1 that records what it receives, and small HTTP helpers for the
// Connector and the token endpoint.
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import {
  type InboundActivity,
  type TeamsKeyMaterial,
  type TeamsSimulator,
  type TeamsSimulatorOptions,
  type TeamsUser,
  generateKeyMaterial,
  startTeamsSimulator,
} from '../../../sim/teams/index.js';

export const TENANT_ID = '5c1f6a3e-0b7d-4b55-9a43-2f0d3c8e9a11';
export const APP_ID = '9d2c4e1a-7f3b-4c6d-8e5f-1a2b3c4d5e6f';
export const APP_PASSWORD = 'sim-client-secret-value';

let keyMaterial: Promise<TeamsKeyMaterial> | undefined;

/** Keys shared by the simulators of one test file, because RSA key generation is slow. */
export function sharedKeyMaterial(): Promise<TeamsKeyMaterial> {
  keyMaterial ??= generateKeyMaterial();
  return keyMaterial;
}

export interface BotReply {
  status?: number;
  body?: unknown;
  delayMs?: number;
}

export interface ReceivedActivity {
  headers: IncomingHttpHeaders;
  activity: InboundActivity;
  receivedAt: number;
}

export interface BotEndpoint {
  url: string;
  received: ReceivedActivity[];
  /** Chooses the response to each request; default 200 at once (invoke: 200 with `{}`). */
  reply: (activity: InboundActivity, index: number) => BotReply;
  /** Resolves once `count` activities arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedActivity[]>;
}

/** Starts a bot messaging endpoint on 127.0.0.1 that records activities; closes it after the test. */
export async function startBotEndpoint(t: TestContext): Promise<BotEndpoint> {
  const timers = new Set<NodeJS.Timeout>();
  const endpoint: BotEndpoint = {
    url: '',
    received: [],
    reply: (activity) => (activity.type === 'invoke' ? { status: 200, body: {} } : {}),
    async waitFor(count, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (endpoint.received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`Expected ${count} activities at the bot, got ${endpoint.received.length} within ${timeoutMs} ms.`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return endpoint.received;
    },
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as InboundActivity;
      const index = endpoint.received.length;
      endpoint.received.push({ headers: request.headers, activity, receivedAt: Date.now() });

      const answer = endpoint.reply(activity, index);
      const respond = (): void => {
        if (response.destroyed) {
          return;
        }
        const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
        response.writeHead(answer.status ?? 200, body === '' ? {} : { 'content-type': 'application/json' });
        response.end(body);
      };
      if (answer.delayMs === undefined) {
        respond();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, answer.delayMs);
      timers.add(timer);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const timer of timers) {
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return endpoint;
}

export interface World {
  sim: TeamsSimulator;
  bot: BotEndpoint;
  /** Has the bot installed from the start. */
  alice: TeamsUser;
  /** Has the bot installed from the start. */
  bob: TeamsUser;
  /** Does not have the bot installed. */
  carol: TeamsUser;
}

/** Starts a bot endpoint and a simulator for the Initech tenant; both close after the test. */
export async function startWorld(t: TestContext, options: TeamsSimulatorOptions = {}): Promise<World> {
  const bot = await startBotEndpoint(t);
  const sim = await startTeamsSimulator({
    keyMaterial: await sharedKeyMaterial(),
    tenants: [
      {
        id: TENANT_ID,
        name: 'Initech',
        domain: 'initech.example',
        users: [
          {
            id: '29:1alice',
            name: 'Alice Anders',
            givenName: 'Alice',
            surname: 'Anders',
            email: 'alice@initech.example',
            jobTitle: 'Engineer',
          },
          { id: '29:1bob', name: 'Bob Berg', givenName: 'Bob', surname: 'Berg' },
          { id: '29:1carol', name: 'Carol Chen' },
        ],
      },
    ],
    bot: { appId: APP_ID, password: APP_PASSWORD, name: 'Parley', messagingEndpoint: bot.url, installedFor: ['29:1alice', 'bob.berg@initech.example'] },
    ...options,
  });
  t.after(() => sim.close());
  return { sim, bot, alice: sim.user('29:1alice'), bob: sim.user('29:1bob'), carol: sim.user('29:1carol') };
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON fields
}

async function result(response: Response): Promise<HttpResult> {
  const text = await response.text();
  let body: unknown = undefined;
  if (text !== '') {
    body = (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  }
  return { status: response.status, headers: response.headers, body };
}

/**
 * Calls a Connector route over HTTP. `path` is relative to the serviceUrl, such as
 * `v3/conversations`. `token` defaults to a fresh valid access token; null sends none.
 */
export async function connector(sim: TeamsSimulator, method: string, path: string, body?: unknown, token?: string | null): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  const bearer = token === undefined ? await sim.issueAccessToken() : token;
  if (bearer !== null) {
    headers.authorization = `Bearer ${bearer}`;
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return result(await fetch(`${sim.serviceUrl}${path}`, { method, headers, body: payload }));
}

/** Path of a conversation's activities route, with the id escaped as a client must. */
export function activitiesPath(conversationId: string, activityId?: string): string {
  const base = `v3/conversations/${encodeURIComponent(conversationId)}/activities`;
  return activityId === undefined ? base : `${base}/${encodeURIComponent(activityId)}`;
}

/** Requests an access token with the client credentials grant; fields override the valid defaults. */
export async function requestToken(sim: TeamsSimulator, fields: Record<string, string> = {}, tenant?: string): Promise<HttpResult> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: APP_ID,
    client_secret: APP_PASSWORD,
    scope: 'https://api.botframework.com/.default',
    ...fields,
  });
  const response = await fetch(sim.tokenUrl(tenant), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return result(response);
}

/** Asserts the ErrorResponse shape and returns its code. */
export function errorCode(response: HttpResult): string {
  const error = (response.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    throw new Error(`Expected an ErrorResponse body, got ${JSON.stringify(response.body)}`);
  }
  return error.code;
}
