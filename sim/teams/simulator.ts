// startTeamsSimulator: the composition root that wires the directory, keys, token endpoint,
// Connector routes, file routes, console and activity delivery, and the programmatic API that
// tests and the sandbox use.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { registerConsoleRoutes } from './console.js';
import { type SimContext, serviceUrlOf } from './context.js';
import { BOT_FRAMEWORK_ISSUER, type Delivery, type DeliveryLogger, ActivityDelivery } from './delivery.js';
import { type BotRegistration, type TeamsTenant, type TeamsTenantInput, type TeamsUser, type TeamsUserInput, Directory, type TeamsBotInput } from './directory.js';
import { type ConnectorOperation, type FaultOptions, FaultInjector } from './faults.js';
import { registerFileRoutes } from './files.js';
import { buildApp } from './http.js';
import { KeyRing, type SigningKeyChoice, type TeamsKeyMaterial, type TokenAlgorithm, generateKeyMaterial } from './keys.js';
import { type RateWindow, RateLimiter, TEAMS_RATE_WINDOWS } from './ratelimit.js';
import { registerConnectorRoutes } from './routes-connector.js';
import { JWKS_PATH, OPENID_METADATA_PATH, registerIdentityRoutes } from './routes-identity.js';
import { type UploadedFile, TeamsState } from './state.js';
import { BOTFRAMEWORK_TENANT, TokenService } from './tokens.js';
import {
  type InvokeResult,
  type SendMessageOptions,
  type SentFile,
  type SharedFileInput,
  respondToFileConsent,
  deleteMessage,
  editMessage,
  installApp,
  react,
  sendFile,
  sendMessage,
  typing,
  uninstallApp,
} from './user-actions.js';
import { type ChatMessage, messageView } from './views.js';

export interface TeamsSimulatorOptions {
  /** Port to listen on; 0 (the default) picks a free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  tenants?: TeamsTenantInput[];
  bot?: TeamsBotInput;
  /** Lifetime of the access tokens the token endpoint issues, in seconds; default 3599. */
  tokenLifetimeSeconds?: number;
  /** Time in ms the bot has to respond to an activity before it is sent again; default 15000 as in Teams. */
  resendAfterMs?: number;
  /** How often an unanswered activity is sent again; default 1. */
  maxResends?: number;
  /**
   * Largest activity body in bytes of JSON; larger ones get 413 MessageSizeTooBig. Default
   * 102400. NOTE: Teams documents about 100 KB today and 28 or 40 KB on older pages.
   */
  maxActivityBytes?: number;
  /** Largest file in bytes that a user shares or the bot uploads; default 100 MiB, kept in memory. */
  maxFileBytes?: number;
  /** Rate limit windows per bot per conversation and operation group; default the Teams values. */
  rateLimits?: RateWindow[];
  /** First path segment of the serviceUrl; default `amer`, as in https://smba.trafficmanager.net/amer/. */
  servicePath?: string;
  /** Keys to start with instead of generating new ones; see generateKeyMaterial. */
  keyMaterial?: TeamsKeyMaterial;
  /** Receives resends and failed deliveries (ids only); silent when absent. */
  logger?: DeliveryLogger;
}

/** The bot registration as tests need it. */
export interface SimBot {
  appId: string;
  password: string;
  /** The bot's account id in conversations: `28:<appId>`. */
  id: string;
  name: string;
}

export interface SimulatorStats {
  /** Requests to the token endpoint, failed ones included. */
  tokenRequests: number;
  /** Access tokens issued, through the endpoint or issueAccessToken. */
  tokensIssued: number;
  metadataRequests: number;
  jwksRequests: number;
  /** Connector requests the rate limiter rejected with 429 (injected 429s not included). */
  rateLimited: number;
}

export interface SignTokenOptions {
  key?: SigningKeyChoice;
  alg?: TokenAlgorithm;
  /** Key id for the header; default the chosen key's own id. */
  kid?: string;
}

const DEFAULT_MAX_ACTIVITY_BYTES = 100 * 1024;
const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

function checkPositive(name: string, value: number, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new RangeError(`Invalid ${name} ${value}: expected a whole number of at least ${minimum}.`);
  }
  return value;
}

export class TeamsSimulator {
  /** Base URL of the server, such as http://127.0.0.1:41234. */
  readonly url: string;
  /** The serviceUrl in activities, such as http://127.0.0.1:41234/amer/; the Connector routes are under it. */
  readonly serviceUrl: string;
  /** Replaces https://login.botframework.com/v1/.well-known/openidconfiguration. */
  readonly openIdMetadataUrl: string;
  readonly jwksUrl: string;
  readonly bot: SimBot;

  constructor(
    private readonly app: FastifyInstance,
    private readonly context: SimContext,
  ) {
    this.url = context.baseUrl;
    this.serviceUrl = serviceUrlOf(context);
    this.openIdMetadataUrl = `${context.baseUrl}${OPENID_METADATA_PATH}`;
    this.jwksUrl = `${context.baseUrl}${JWKS_PATH}`;
    const bot = context.directory.bot;
    this.bot = { appId: bot.appId, password: bot.password, id: bot.id, name: bot.name };
  }

  /** Token endpoint URL; replaces https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token. */
  tokenUrl(tenant = BOTFRAMEWORK_TENANT): string {
    return `${this.url}/${tenant}/oauth2/v2.0/token`;
  }

  tenants(): TeamsTenant[] {
    return [...this.context.directory.tenants.values()].map((tenant) => ({ ...tenant }));
  }

  users(): TeamsUser[] {
    return [...this.context.directory.users.values()].map((user) => ({ ...user }));
  }

  /** Finds a user by Teams id, aadObjectId, email or userPrincipalName. */
  user(reference: string): TeamsUser {
    return { ...this.context.directory.requireUser(reference) };
  }

  addUser(tenantId: string, input: TeamsUserInput): TeamsUser {
    return { ...this.context.directory.addUser(tenantId, input) };
  }

  setMessagingEndpoint(url: string | undefined): void {
    this.context.directory.bot.messagingEndpoint = url;
  }

  /** Sets the lifetime of access tokens issued from now on, in seconds. */
  setTokenLifetime(seconds: number): void {
    this.context.tokens.lifetimeSeconds = checkPositive('token lifetime', seconds, 1);
  }

  /**
   * Signs a token like the ones Teams sends with activities (iss, aud = app id, serviceurl, nbf,
   * exp), with `claims` merged over the defaults; a claim set to undefined is left out. The key
   * choice and `alg` let tests forge tokens a bot must reject.
   */
  signToken(claims: Record<string, unknown> = {}, options: SignTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const merged: Record<string, unknown> = {
      serviceurl: this.serviceUrl,
      nbf: now - 300,
      exp: now + 3600,
      iss: BOT_FRAMEWORK_ISSUER,
      aud: this.bot.appId,
      ...claims,
    };
    const payload = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
    return this.context.keys.sign(payload, options);
  }

  /** Adds a new signing key (new kid) and signs with it from now on; see KeyRing.rotate. */
  rotateKeys(options: { retirePrevious?: boolean } = {}): Promise<string> {
    return this.context.keys.rotate(options);
  }

  /** Key id of a key: the current signing key by default. */
  keyId(choice: SigningKeyChoice = 'published'): string {
    return this.context.keys.kidOf(choice);
  }

  /** Returns a valid Connector access token without a token request; not counted in tokenRequests. */
  issueAccessToken(options: { lifetimeSeconds?: number } = {}): Promise<string> {
    return this.context.tokens.issue(undefined, options.lifetimeSeconds);
  }

  /** Installs the bot for a user; returns the id of the conversationUpdate sent to the bot. */
  installApp(userRef: string): string {
    return installApp(this.context, userRef);
  }

  uninstallApp(userRef: string): string {
    return uninstallApp(this.context, userRef);
  }

  /** Sends a message as the user to the bot; returns the activity id. Delivery runs in the background. */
  sendMessage(userRef: string, text: string, options: SendMessageOptions = {}): string {
    return sendMessage(this.context, userRef, text, options);
  }

  editMessage(userRef: string, activityId: string, text: string): void {
    editMessage(this.context, userRef, activityId, text);
  }

  deleteMessage(userRef: string, activityId: string): void {
    deleteMessage(this.context, userRef, activityId);
  }

  /** Adds or removes a reaction (like, heart, laugh, ...); returns the messageReaction's id. */
  react(userRef: string, activityId: string, type: string, change: 'added' | 'removed'): string {
    return react(this.context, userRef, activityId, type, change);
  }

  typing(userRef: string): string {
    return typing(this.context, userRef);
  }

  sendFile(userRef: string, file: SharedFileInput): SentFile {
    return sendFile(this.context, userRef, file);
  }

  acceptFileConsent(userRef: string, activityId: string): Promise<InvokeResult> {
    return respondToFileConsent(this.context, userRef, activityId, 'accept');
  }

  declineFileConsent(userRef: string, activityId: string): Promise<InvokeResult> {
    return respondToFileConsent(this.context, userRef, activityId, 'decline');
  }

  /** Id of the user's personal conversation with the bot, if it exists. */
  conversationId(userRef: string): string | undefined {
    return this.context.state.conversationOfUser(this.context.directory.requireUser(userRef).id)?.id;
  }

  /** Returns all messages of a conversation (by id, or by a reference to its user), oldest first. */
  messages(conversationOrUser: string): ChatMessage[] {
    const { state, directory } = this.context;
    const byId = state.conversations.get(conversationOrUser);
    if (byId !== undefined) {
      return byId.activities.map(messageView);
    }

    const user = directory.findUser(conversationOrUser);
    if (user === undefined) {
      throw new Error(`No conversation or user ${conversationOrUser}; pass a conversation id, or a user's id, aadObjectId or email.`);
    }
    return (state.conversationOfUser(user.id)?.activities ?? []).map(messageView);
  }

  /** Returns the bot's messages to the user, oldest first, with edits and deletions applied. */
  botMessages(userRef: string): ChatMessage[] {
    return this.messages(this.context.directory.requireUser(userRef).id).filter((message) => message.role === 'bot');
  }

  /** Times of the typing activities the bot sent to the user. */
  botTyping(userRef: string): string[] {
    return [...(this.context.state.conversationOfUser(this.context.directory.requireUser(userRef).id)?.botTyping ?? [])];
  }

  /** Files the bot uploaded completely, oldest first. */
  uploadedFiles(): UploadedFile[] {
    return this.context.state.uploadedFiles.map((file) => ({ ...file, bytes: Buffer.from(file.bytes) }));
  }

  /** Deliveries to the bot with every attempt, oldest first. */
  deliveries(): Delivery[] {
    return structuredClone(this.context.delivery.deliveries());
  }

  stats(): SimulatorStats {
    return {
      tokenRequests: this.context.tokens.requests,
      tokensIssued: this.context.tokens.issued,
      metadataRequests: this.context.counters.metadataRequests,
      jwksRequests: this.context.counters.jwksRequests,
      rateLimited: this.context.limiter.rejected,
    };
  }

  /** Resolves once every queued delivery, with its resends, has finished. */
  settle(): Promise<void> {
    return this.context.delivery.settle();
  }

  /** Makes the next requests of `operation` ('*' for any) fail with `status` (412, 429, 502, 504, ...). */
  failNext(operation: ConnectorOperation | '*', status: number, options: FaultOptions = {}): void {
    this.context.faults.add(operation, status, options);
  }

  /** Stops delivery (requests in flight are aborted) and closes the server. */
  async close(): Promise<void> {
    this.context.delivery.stop();
    await this.app.close();
  }
}

function botRegistration(input: TeamsBotInput): BotRegistration {
  const appId = input.appId ?? randomUUID();
  return {
    appId,
    password: input.password ?? randomBytes(30).toString('base64url'),
    name: input.name ?? 'Parley',
    id: `28:${appId}`,
    messagingEndpoint: input.messagingEndpoint,
    homeTenantId: input.homeTenantId,
  };
}

export async function startTeamsSimulator(options: TeamsSimulatorOptions = {}): Promise<TeamsSimulator> {
  const maxActivityBytes = checkPositive('maxActivityBytes', options.maxActivityBytes ?? DEFAULT_MAX_ACTIVITY_BYTES, 1);
  const maxFileBytes = checkPositive('maxFileBytes', options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, 1);
  const servicePath = options.servicePath ?? 'amer';
  if (!/^[A-Za-z0-9-]+$/.test(servicePath)) {
    throw new RangeError(`Invalid servicePath ${servicePath}: expected one path segment of letters, digits and hyphens.`);
  }

  const bot = botRegistration(options.bot ?? {});
  const directory = new Directory(options.tenants ?? [], bot);
  if (bot.homeTenantId !== undefined && !directory.tenants.has(bot.homeTenantId)) {
    throw new Error(`Bot home tenant ${bot.homeTenantId} is not one of the simulator's tenants.`);
  }
  const state = new TeamsState(directory);
  for (const reference of options.bot?.installedFor ?? []) {
    state.openConversation(directory.requireUser(reference));
  }

  const keys = new KeyRing(options.keyMaterial ?? (await generateKeyMaterial()));
  const deliveryOptions = {
    resendAfterMs: checkPositive('resendAfterMs', options.resendAfterMs ?? 15_000, 1),
    maxResends: checkPositive('maxResends', options.maxResends ?? 1, 0),
  };
  const context: SimContext = {
    state,
    directory,
    keys,
    tokens: new TokenService(keys, directory, checkPositive('tokenLifetimeSeconds', options.tokenLifetimeSeconds ?? 3599, 1)),
    limiter: new RateLimiter(options.rateLimits ?? TEAMS_RATE_WINDOWS),
    faults: new FaultInjector(),
    delivery: new ActivityDelivery(keys, directory, deliveryOptions, options.logger),
    counters: { metadataRequests: 0, jwksRequests: 0 },
    maxActivityBytes,
    maxFileBytes,
    // Teams also serves the Connector on the global /teams/ path, which bots use for proactive messages.
    servicePaths: servicePath === 'teams' ? ['teams'] : [servicePath, 'teams'],
    baseUrl: '',
  };

  const http = buildApp(maxActivityBytes);
  registerIdentityRoutes(http.app, context, http);
  registerFileRoutes(http.app, context);
  for (const prefix of context.servicePaths) {
    registerConnectorRoutes(http.app, context, http, prefix);
  }
  registerConsoleRoutes(http.app, context);

  await http.app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = http.app.server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  context.baseUrl = `http://${urlHost}:${address.port}`;
  return new TeamsSimulator(http.app, context);
}
