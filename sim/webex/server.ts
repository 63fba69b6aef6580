// startWebexSimulator: the composition root that wires state, HTTP routes, the console and
// webhook delivery, and the programmatic API that tests and the sandbox use.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { WebexActor } from './actor.js';
import type { WebexMessage, WebexWebhook } from './api-types.js';
import { registerConsoleRoutes } from './console.js';
import { DEFAULT_MAX_FILE_BYTES, checkRetryAfter, contentIdFrom, currentScanState, SCAN_STATES, uploadScanPolicy } from './contents.js';
import { type NewPerson, createOrg, createPerson, createServiceApp, issuePersonToken } from './directory.js';
import { buildApp } from './http.js';
import { registerContentRoutes } from './routes-contents.js';
import { registerGuestRoutes } from './routes-guests.js';
import { registerMessageRoutes } from './routes-messages.js';
import { registerPeopleRoutes } from './routes-people.js';
import { registerRoomRoutes } from './routes-rooms.js';
import { registerWebhookRoutes } from './routes-webhooks.js';
import { type OrgRecord, type PersonStatus, type ScanState, WebexState } from './state.js';
import { type FaultSpec, type RateLimit, TrafficControl } from './traffic.js';
import { messageView, webhookView } from './views.js';
import {
  type DeliveryLogger,
  type DeliveryRecord,
  WebhookDispatcher,
  type WebhookRetryOptions,
  defaultWebhookRetry,
} from './webhooks.js';

export interface WebexSimulatorOptions {
  /** Port to listen on; 0 (the default) picks a free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Per-token request quota; no limit when absent. */
  rateLimit?: RateLimit;
  /** Webhook retry and deactivation settings; unset fields keep their defaults. */
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** Receives delivery retries and deactivations (ids only); silent when absent. */
  logger?: DeliveryLogger;
  /** Maximum size of one uploaded file in bytes; larger uploads get 413. Default 100 MB (104857600). */
  maxFileBytes?: number;
}

/** Scan outcome for files uploaded after `sim.scanFiles`. */
export interface ScanFilesOptions {
  state: ScanState;
  /** Seconds for `Retry-After` while a file is 'scanning'; default 1. */
  retryAfter?: number;
  /** With 'scanning': milliseconds after upload at which the file turns 'clean'. Absent: it stays scanning. */
  forMs?: number;
}

/** A stored uploaded file, as `sim.contents()` lists it. */
export interface SimContent {
  id: string;
  /** The content URL listed in the message's `files`. */
  url: string;
  messageId: string;
  name: string;
  mediaType: string;
  size: number;
  scanState: ScanState;
}

export interface SimOrg {
  id: string;
  domain: string;
  name: string;
}

/** A person, bot or guest created through the programmatic API, with its access token. */
export interface SimAccount {
  id: string;
  email: string;
  displayName: string;
  orgId: string;
  token: string;
}

export interface SimServiceApp {
  id: string;
  orgId: string;
  scopes: string[];
  token: string;
}

/** A webhook as the API shows it, plus the simulator's failure counter. */
export interface SimWebhook extends WebexWebhook {
  consecutiveFailures: number;
}

const silentLogger: DeliveryLogger = { info: () => undefined, warn: () => undefined };

export class WebexSimulator {
  /** Base URL of the server, such as http://127.0.0.1:43123; the API is under `${url}/v1`. */
  readonly url: string;
  readonly apiUrl: string;

  constructor(
    private readonly app: FastifyInstance,
    private readonly state: WebexState,
    private readonly traffic: TrafficControl,
    private readonly dispatcher: WebhookDispatcher,
    private readonly internalKey: string,
    url: string,
  ) {
    this.url = url;
    this.apiUrl = `${url}/v1`;
  }

  addOrg(input: { domain: string; name: string }): SimOrg {
    const org = createOrg(this.state, input);
    return { id: org.id, domain: org.domain, name: org.name };
  }

  /** Adds a person with a non-expiring access token. */
  addPerson(org: SimOrg, input: NewPerson): SimAccount {
    return this.addAccount(org, 'person', input);
  }

  /** Adds a bot (type 'bot', usually with an email ending in @webex.bot) with its bot token. */
  addBot(org: SimOrg, input: NewPerson): SimAccount {
    return this.addAccount(org, 'bot', input);
  }

  /** Adds a service app; scope 'guest-issuer:write' lets it mint guests with POST /guests/token. */
  addServiceApp(org: SimOrg, input: { name?: string; scopes: string[] }): SimServiceApp {
    const { app, token } = createServiceApp(this.state, this.orgRecord(org), input);
    return { id: app.id, orgId: app.orgId, scopes: [...app.scopes], token };
  }

  /** Returns a client that calls the API in-process as the owner of `token`. */
  actAs(token: string): WebexActor {
    return new WebexActor(this.app, token, this.internalKey, new URL(this.url).host);
  }

  setStatus(personId: string, status: PersonStatus): void {
    const person = this.state.people.get(personId);
    if (!person) {
      throw new Error(`No person with id ${personId}; create it with addPerson first.`);
    }
    person.status = status;
  }

  /** Messages that others sent into rooms `personId` belongs to, oldest first. */
  inbox(personId: string): WebexMessage[] {
    const rooms = this.state.roomsOf(personId);
    const messages = rooms.flatMap((room) => this.state.messagesOfRoom(room.id)).filter((m) => m.personId !== personId);
    messages.sort((a, b) => a.created.localeCompare(b.created));
    return messages.map((m) => messageView(this.state, m) as unknown as WebexMessage);
  }

  /** Returns all messages of a room, oldest first. */
  messagesIn(roomId: string): WebexMessage[] {
    return this.state.messagesOfRoom(roomId).map((m) => messageView(this.state, m) as unknown as WebexMessage);
  }

  webhooks(): SimWebhook[] {
    return [...this.state.webhooks.values()].map((w) => ({
      ...(webhookView(w) as unknown as WebexWebhook),
      consecutiveFailures: w.consecutiveFailures,
    }));
  }

  /** Outcomes of finished and running webhook deliveries, oldest first. */
  deliveries(): DeliveryRecord[] {
    return this.dispatcher.deliveries.map((d) => ({ ...d }));
  }

  /** Resolves once all queued webhook deliveries, with their retries, are done. */
  settle(): Promise<void> {
    return this.dispatcher.settle();
  }

  /**
   * Sets the malware scan outcome of files uploaded from now on, until the next call.
   * `{ state: 'scanning', retryAfter: 1, forMs: 1500 }` makes downloads return 423 with
   * `Retry-After: 1` for 1.5 s after each upload; 'infected' gives 410 and 'unscannable' 428.
   * `{ state: 'clean' }` restores the default. Files already stored keep their state.
   */
  scanFiles(options: ScanFilesOptions): void {
    this.state.uploadScan = uploadScanPolicy(options);
  }

  /**
   * Sets the scan state of one stored file, named by its content URL or content id.
   * 'scanning' lasts until the next call for that file, and its downloads send
   * `Retry-After: retryAfterSeconds` (default 1).
   */
  setContentState(contentUrlOrId: string, state: ScanState, retryAfterSeconds = 1): void {
    if (!SCAN_STATES.includes(state)) {
      throw new RangeError(`Unknown scan state ${String(state)}; use one of ${SCAN_STATES.join(', ')}.`);
    }
    const contentId = contentIdFrom(contentUrlOrId);
    const content = this.state.contents.get(contentId);
    if (!content) {
      throw new Error(`No stored file with content id ${contentId}; it was never uploaded or its message was deleted.`);
    }
    content.scan = { state, retryAfter: checkRetryAfter(retryAfterSeconds), cleanAt: undefined };
  }

  /** Uploaded files that are stored, oldest first; a deleted message's files are gone. */
  contents(): SimContent[] {
    return [...this.state.contents.values()].map((c) => ({
      id: c.id,
      url: c.url,
      messageId: c.messageId,
      name: c.name,
      mediaType: c.mediaType,
      size: c.bytes.length,
      scanState: currentScanState(c),
    }));
  }

  failNext(fault: FaultSpec): void {
    this.traffic.failNext(fault);
  }

  setRateLimit(rateLimit: RateLimit | undefined): void {
    this.traffic.setRateLimit(rateLimit);
  }

  setWebhookRetry(options: Partial<WebhookRetryOptions>): void {
    this.dispatcher.options = { ...this.dispatcher.options, ...options };
  }

  /** Stops webhook delivery (pending retries are dropped) and closes the server. */
  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.app.close();
  }

  private orgRecord(org: SimOrg): OrgRecord {
    const record = this.state.orgs.get(org.id);
    if (!record) {
      throw new Error(`Unknown organisation ${org.id}; create it with addOrg on this simulator.`);
    }
    return record;
  }

  private addAccount(org: SimOrg, type: 'person' | 'bot', input: NewPerson): SimAccount {
    const person = createPerson(this.state, this.orgRecord(org), type, input);
    const token = issuePersonToken(this.state, person);
    return { id: person.id, email: person.email, displayName: person.displayName, orgId: person.orgId, token };
  }
}

export async function startWebexSimulator(options: WebexSimulatorOptions = {}): Promise<WebexSimulator> {
  const state = new WebexState();
  const traffic = new TrafficControl(options.rateLimit);
  const internalKey = randomBytes(24).toString('hex');
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < 0) {
    throw new RangeError(`Invalid maxFileBytes ${maxFileBytes}: expected a whole number of bytes of at least 0.`);
  }
  const { app, context } = buildApp({ state, traffic, internalKey, maxFileBytes });

  const dispatcher = new WebhookDispatcher(
    state,
    { ...defaultWebhookRetry, ...options.webhookRetry },
    options.logger ?? silentLogger,
  );

  registerPeopleRoutes(app, context);
  registerMessageRoutes(app, context);
  registerRoomRoutes(app, context);
  registerWebhookRoutes(app, context);
  registerGuestRoutes(app, context);
  registerContentRoutes(app, context);
  registerConsoleRoutes(app, context);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return new WebexSimulator(app, state, traffic, dispatcher, internalKey, `http://${urlHost}:${address.port}`);
}
