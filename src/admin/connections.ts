// Platform connections through the admin API: an org admin connects their organisation's
// Webex, Slack or XMPP once, with the credentials written once and never read back. The
// credentials are sealed (AES-256-GCM) before they reach the database, every change is
// audited without them, and the connection starts, restarts or stops at once.

import { z } from 'zod';

import { canCheck } from '../core/connector.js';
import { ErrorCode, NotFoundError, ParleyError, PlatformRejectedError } from '../core/errors.js';
import type { ConnectionId, OrgId } from '../core/ids.js';
import { platforms, type Platform } from '../core/platform.js';
import type { Directory } from '../pipeline/directory.js';
import type { ConnectionHealth, HealthTracker } from '../pipeline/health.js';
import { credentialsKeyVariable, type CredentialSealer } from '../store/credentials.js';
import type { Store } from '../store/store.js';
import { connectionSchema } from '../server/config-schema.js';
import type { ConnectionManager } from '../server/connections.js';
import type { Actor } from './service.js';

/** The keys of each platform's section that are credentials: write-only, sealed at rest. */
export const credentialKeys: Record<Platform, readonly string[]> = {
  webex: ['botToken', 'webhookSecret', 'guestToken'],
  slack: ['botToken', 'signingSecret'],
  xmpp: ['secret'],
  teams: ['appPassword'],
};

const idPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Settings that decide where the hub connects and sends the credentials. Only the operator sets
 * them: from an org admin they would let the hub be pointed at its own network. Without
 * them, a connection uses the platform's public API.
 */
export const operatorOnlySettings: Record<Platform, readonly string[]> = {
  webex: ['apiBaseUrl'],
  slack: ['apiUrl'],
  xmpp: ['host', 'port', 'allowPrivateFileUrls', 'uploadService'],
  teams: ['openIdMetadataUrl', 'tokenUrl', 'allowPrivateFileUrls'],
};

const createBody = z
  .object({
    id: z.string().regex(idPattern, 'lowercase letters, digits and hyphens, such as acme-webex'),
    platform: z.enum(platforms),
    settings: z.record(z.string(), z.unknown()).default({}),
    credentials: z.record(z.string(), z.string().min(1).max(4096)),
  })
  .strict();

const updateBody = z
  .object({
    settings: z.record(z.string(), z.unknown()).optional(),
    credentials: z.record(z.string(), z.string().min(1).max(4096)).optional(),
  })
  .strict();

export interface ConnectionView {
  id: string;
  platform: Platform;
  /** `config` for connections from the config file, `api` for those added here. */
  source: 'config' | 'api';
  state: ReturnType<ReturnType<ConnectionManager['connectors']>[number]['state']> | { status: 'stopped'; code: string };
  settings?: Record<string, unknown>;
  /** The names of the credentials that are set; their values are never returned. */
  credentials?: string[];
  /** Deliveries through it as this node saw them. */
  health?: ConnectionHealth;
  /** Deliveries waiting for it in the outbox, and since when the oldest waits. */
  queue: { waiting: number; oldestQueuedAt: string | null };
}

function invalid(message: string): ParleyError {
  return new ParleyError(ErrorCode.PayloadInvalid, 400, message);
}

export class ConnectionService {
  constructor(
    private readonly store: Store,
    private readonly manager: ConnectionManager,
    private readonly sealer: CredentialSealer | undefined,
    private readonly directory: Directory,
    private readonly health?: HealthTracker,
  ) {}

  /**
   * Makes one authenticated call to the platform through the connection, for an admin's
   * "test connection". Returns the outcome rather than throwing it.
   */
  async test(orgId: OrgId, id: ConnectionId): Promise<{ id: string; ok: boolean; durationMs: number; error?: string }> {
    const info = this.directory.connectionsOfOrg(orgId).find((c) => c.id === id);
    if (!info) throw new NotFoundError(`No running connection ${id} in organisation ${orgId}.`);
    const started = Date.now();
    if (!canCheck(info.connector)) return { id, ok: info.connector.state().status === 'connected', durationMs: 0 };
    try {
      await info.connector.check();
      return { id, ok: true, durationMs: Date.now() - started };
    } catch (error) {
      const code = error instanceof PlatformRejectedError ? `${error.code}:${error.platformCode}` : error instanceof ParleyError ? error.code : 'check_failed';
      return { id, ok: false, durationMs: Date.now() - started, error: code };
    }
  }

  async list(orgId: OrgId): Promise<ConnectionView[]> {
    const stored = new Map((await this.store.connections.list()).filter((c) => c.orgId === orgId).map((c) => [c.id as string, c]));
    const queues = await this.store.views.queue(orgId);
    const queueOf = (id: string) => {
      const queue = queues.get(id);
      return { waiting: queue?.waiting ?? 0, oldestQueuedAt: queue ? new Date(queue.oldestAt).toISOString() : null };
    };
    const views: ConnectionView[] = [];
    for (const info of this.directory.connectionsOfOrg(orgId)) {
      const api = stored.get(info.id);
      stored.delete(info.id);
      views.push({
        id: info.id,
        platform: info.platform,
        source: api ? 'api' : 'config',
        state: info.connector.state(),
        queue: queueOf(info.id),
        ...(this.health ? { health: this.health.of(info.id) } : {}),
        ...(api ? { settings: api.settings, credentials: [...credentialKeys[api.platform]] } : {}),
      });
    }
    // Stored connections that are not running: their credentials did not open, or they wait for the next sync.
    for (const api of stored.values()) {
      views.push({
        id: api.id,
        platform: api.platform,
        source: 'api',
        state: { status: 'stopped', code: 'not_started' },
        queue: queueOf(api.id),
        settings: api.settings,
        credentials: [...credentialKeys[api.platform]],
      });
    }
    return views.sort((a, b) => a.id.localeCompare(b.id));
  }

  async create(actor: Actor, orgId: OrgId, input: unknown, now = Date.now()): Promise<ConnectionView> {
    const sealer = this.requireSealer();
    const body = parse(createBody, input);
    const id = body.id as ConnectionId;
    checkKeys(body.platform, body.settings, body.credentials, true);
    checkOperatorOnly(actor, body.platform, body.settings, {});
    validate(id, orgId, body.platform, body.settings, body.credentials);
    if ((await this.store.connections.sourceOf(id)) !== undefined) {
      throw new ParleyError(ErrorCode.PayloadInvalid, 409, `A connection with the id ${id} exists already, or existed; choose another id.`);
    }
    // Two creates with one id can both pass the check above; the database lets one in.
    if (!(await this.store.connections.add({ id, orgId, platform: body.platform, settings: body.settings, sealedCredentials: sealer.seal(body.credentials, id), createdAt: now }))) {
      throw new ParleyError(ErrorCode.PayloadInvalid, 409, `A connection with the id ${id} exists already, or existed; choose another id.`);
    }
    await this.store.appendAudit({
      at: now,
      actor: actor.id,
      source: actor.source,
      action: 'connection.create',
      orgId,
      target: `connection ${id}`,
      oldValue: null,
      newValue: JSON.stringify({ platform: body.platform, settings: body.settings, credentials: Object.keys(body.credentials).sort() }),
    });
    await this.manager.sync();
    return this.view(orgId, id);
  }

  async update(actor: Actor, orgId: OrgId, id: ConnectionId, input: unknown, now = Date.now()): Promise<ConnectionView> {
    const sealer = this.requireSealer();
    const body = parse(updateBody, input);
    const current = await this.owned(orgId, id);
    const credentials = { ...sealer.open(current.sealedCredentials, id), ...body.credentials };
    const settings = body.settings ?? current.settings;
    checkKeys(current.platform, settings, body.credentials ?? {}, false);
    checkOperatorOnly(actor, current.platform, settings, current.settings);
    validate(id, orgId, current.platform, settings, credentials);
    await this.store.connections.update(id, settings, sealer.seal(credentials, id), now);
    await this.store.appendAudit({
      at: now,
      actor: actor.id,
      source: actor.source,
      action: 'connection.update',
      orgId,
      target: `connection ${id}`,
      oldValue: JSON.stringify({ settings: current.settings }),
      newValue: JSON.stringify({ settings, credentialsReplaced: Object.keys(body.credentials ?? {}).sort() }),
    });
    await this.manager.sync();
    return this.view(orgId, id);
  }

  async remove(actor: Actor, orgId: OrgId, id: ConnectionId, now = Date.now()): Promise<{ id: string; status: 'removed' }> {
    const current = await this.owned(orgId, id);
    await this.store.connections.remove(id, now);
    await this.store.appendAudit({
      at: now,
      actor: actor.id,
      source: actor.source,
      action: 'connection.remove',
      orgId,
      target: `connection ${id}`,
      oldValue: JSON.stringify({ platform: current.platform, settings: current.settings }),
      newValue: null,
    });
    await this.manager.sync();
    return { id, status: 'removed' };
  }

  private async view(orgId: OrgId, id: ConnectionId): Promise<ConnectionView> {
    const view = (await this.list(orgId)).find((v) => v.id === id);
    if (!view) throw new NotFoundError(`No connection ${id} in organisation ${orgId}.`);
    return view;
  }

  /** Returns an API connection of this organisation, and rejects a config one or another organisation's. */
  private async owned(orgId: OrgId, id: ConnectionId) {
    const stored = await this.store.connections.get(id);
    if (stored && stored.orgId === orgId) return stored;
    if (this.directory.connectionsOfOrg(orgId).some((c) => c.id === id)) {
      throw new ParleyError(ErrorCode.PayloadInvalid, 409, `Connection ${id} is defined in the config file; change or remove it there.`);
    }
    throw new NotFoundError(`No connection ${id} in organisation ${orgId}.`);
  }

  private requireSealer(): CredentialSealer {
    if (!this.sealer) {
      throw new ParleyError(
        ErrorCode.SecretMissing,
        503,
        `This hub cannot store platform credentials: ${credentialsKeyVariable} is not set. The operator sets it to 32 random bytes in base64 (openssl rand -base64 32) and restarts the hub.`,
      );
    }
    return this.sealer;
  }
}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw invalid(`Invalid ${issue.path.join('.') || 'body'}: ${issue.message}.`);
}

/** Refuses an org admin's change to a setting only the operator may make. */
function checkOperatorOnly(actor: Actor, platform: Platform, settings: Record<string, unknown>, before: Record<string, unknown>): void {
  if (actor.operator || actor.orgId === undefined) return;
  const changed = operatorOnlySettings[platform].find((key) => key in settings && JSON.stringify(settings[key]) !== JSON.stringify(before[key]));
  if (changed) {
    throw new ParleyError(
      ErrorCode.Forbidden,
      403,
      `Only the hub's operator may set settings.${changed}: it decides where the hub connects and sends the credentials. Leave it out to use the platform's public API, or ask your operator.`,
    );
  }
}

/** Credentials go in `credentials` and nowhere else; on create, all of them are needed. */
function checkKeys(platform: Platform, settings: Record<string, unknown>, credentials: Record<string, string>, complete: boolean): void {
  const secretKeys = credentialKeys[platform];
  const misplaced = Object.keys(settings).find((key) => secretKeys.includes(key));
  if (misplaced) throw invalid(`Invalid settings.${misplaced}: it is a credential; send it in credentials, which are stored sealed.`);
  const unknown = Object.keys(credentials).find((key) => !secretKeys.includes(key));
  if (unknown) throw invalid(`Invalid credentials.${unknown}: a ${platform} connection's credentials are ${secretKeys.join(', ')}.`);
  const missing = complete ? secretKeys.find((key) => credentials[key] === undefined) : undefined;
  if (missing) throw invalid(`Invalid credentials: ${missing} is missing; a ${platform} connection needs ${secretKeys.join(', ')}.`);
}

/** Checks the whole connection as the config would; messages name the key, never a credential's value. */
function validate(id: string, orgId: string, platform: Platform, settings: Record<string, unknown>, credentials: Record<string, string>): void {
  const result = connectionSchema.safeParse({ id, org: orgId, platform, [platform]: { ...settings, ...credentials } });
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const key = issue.path.slice(1).join('.');
  const where = credentialKeys[platform].includes(String(issue.path[1])) ? `credentials.${key}` : `settings.${key}`;
  throw invalid(`Invalid ${where}: ${issue.message}.`);
}
