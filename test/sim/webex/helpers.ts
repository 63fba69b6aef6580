// Shared setup for the Webex simulator tests: a seeded simulator, a small fetch wrapper and a
// webhook receiver on 127.0.0.1 that records raw bodies.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import {
  type SimAccount,
  type SimOrg,
  type SimServiceApp,
  type WebexSimulator,
  type WebexSimulatorOptions,
  startWebexSimulator,
} from '../../../sim/webex/index.js';

export interface World {
  sim: WebexSimulator;
  acme: SimOrg;
  partner: SimOrg;
  operator: SimOrg;
  alice: SimAccount;
  bob: SimAccount;
  carol: SimAccount;
  bot: SimAccount;
  serviceApp: SimServiceApp;
}

/** Starts a simulator with two customer orgs, a bot and an operator service app; stops it after the test. */
export async function startWorld(t: TestContext, options: WebexSimulatorOptions = {}): Promise<World> {
  const sim = await startWebexSimulator({ webhookRetry: { delayMs: 10 }, ...options });
  t.after(() => sim.stop());

  const acme = sim.addOrg({ domain: 'acme.example', name: 'Acme' });
  const partner = sim.addOrg({ domain: 'partner.example', name: 'Partner' });
  const operator = sim.addOrg({ domain: 'parley-operator.example', name: 'Parley operator' });
  return {
    sim,
    acme,
    partner,
    operator,
    alice: sim.addPerson(acme, { email: 'alice@acme.example', displayName: 'Alice Anders', title: 'Engineer' }),
    bob: sim.addPerson(acme, { email: 'bob@acme.example', displayName: 'Bob Berg' }),
    carol: sim.addPerson(partner, { email: 'carol@partner.example', displayName: 'Carol Chen' }),
    bot: sim.addBot(acme, { email: 'parley@webex.bot', displayName: 'Parley' }),
    serviceApp: sim.addServiceApp(operator, { scopes: ['guest-issuer:write', 'guest-issuer:read'] }),
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON fields
}

/** Calls the simulator over real HTTP. `path` is relative to /v1 or an absolute URL (Link headers). */
export async function api(
  sim: WebexSimulator,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (token !== undefined) {
    headers.authorization = `Bearer ${token}`;
  }
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = contentType;
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const url = path.startsWith('http') ? path : `${sim.apiUrl}${path}`;
  const response = await fetch(url, { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

export interface ReceivedDelivery {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- envelope fields are checked one by one
}

export interface Receiver {
  url: string;
  received: ReceivedDelivery[];
  /** Status codes for the next requests, in order; 200 once the list is used up. */
  statuses: number[];
}

/** Starts a webhook target on 127.0.0.1 that records each POST; closes it after the test. */
export async function startReceiver(t: TestContext): Promise<Receiver> {
  const receiver: Receiver = { url: '', received: [], statuses: [] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      receiver.received.push({ raw, headers: request.headers, json: JSON.parse(raw.toString('utf8')) });
      response.statusCode = receiver.statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webex`;
  return receiver;
}

/** Asserts the Webex error body shape and returns its message. */
export function errorMessage(response: ApiResponse): string {
  const body = response.body as { message?: unknown; errors?: unknown; trackingId?: unknown };
  if (typeof body?.message !== 'string' || !Array.isArray(body.errors) || typeof body.trackingId !== 'string') {
    throw new Error(`Expected a Webex error body, got ${JSON.stringify(body)}`);
  }
  return body.message;
}
