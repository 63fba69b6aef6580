// The hub's running connections: those from the config, started once, and those admins
// add through the API, started, replaced and stopped while the hub runs. Webhook routes are
// looked up here on each request, so a connection added at run time is reachable at once.

import type { Logger } from 'pino';

import type { Connector, ConnectorContext, InboundRoute } from '../core/connector.js';
import type { ConnectionId, OrgId } from '../core/ids.js';
import type { Directory } from '../pipeline/directory.js';
import { CredentialsUnreadableError, type CredentialSealer } from '../store/credentials.js';
import type { StoredConnection } from '../store/connection-repo.js';
import type { Store } from '../store/store.js';
import { connectionSchema } from './config-schema.js';
import type { ResolvedConfig } from './config.js';
import { createConnector } from './registry.js';

interface Running {
  connector: Connector;
  orgId: OrgId;
  source: 'config' | 'api';
  routes: InboundRoute[];
  /** For API connections: the stored version that is running. */
  updatedAt?: number;
}

/** Builds a resolved connection from a stored one, its credentials opened. */
export function resolveStored(stored: StoredConnection, credentials: Record<string, string>): ResolvedConfig['connections'][number] {
  return connectionSchema.parse({
    id: stored.id,
    org: stored.orgId,
    platform: stored.platform,
    [stored.platform]: { ...stored.settings, ...credentials },
  }) as ResolvedConfig['connections'][number];
}

export class ConnectionManager {
  private readonly running = new Map<ConnectionId, Running>();
  private readonly routes = new Map<string, InboundRoute>();
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly logger: Logger,
    private readonly contextFor: (id: ConnectionId, connector: Connector) => ConnectorContext,
    private readonly sealer: CredentialSealer | undefined,
  ) {}

  /** Lists the connectors running now. */
  connectors(): Connector[] {
    return [...this.running.values()].map((r) => r.connector);
  }

  route(path: string): InboundRoute | undefined {
    return this.routes.get(path);
  }

  /** Registers a connection's routes and directory entry; `start` connects it. */
  add(connector: Connector, orgId: OrgId, source: 'config' | 'api', updatedAt?: number): void {
    const routes = connector.routes();
    for (const route of routes) this.routes.set(route.path, route);
    this.running.set(connector.connectionId, { connector, orgId, source, routes, ...(updatedAt !== undefined ? { updatedAt } : {}) });
    this.directory.addConnection({ id: connector.connectionId, orgId, platform: connector.platform, connector });
  }

  async start(connector: Connector): Promise<void> {
    await connector.start(this.contextFor(connector.connectionId, connector));
  }

  /** Stops a connection and takes away its routes; deliveries to it wait or fail as for any lost connection. */
  async remove(id: ConnectionId): Promise<void> {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    for (const route of running.routes) this.routes.delete(route.path);
    this.directory.removeConnection(id);
    await running.connector.stop();
  }

  /**
   * Brings the API connections in line with the store: starts new ones, restarts changed
   * ones and stops removed ones. Runs at start and every few seconds, so a change made on
   * another node applies here too. Concurrent calls share one run.
   */
  sync(): Promise<void> {
    this.syncing ??= this.syncOnce().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const stored = await this.store.connections.list();
    const storedIds = new Set(stored.map((s) => s.id));
    for (const [id, running] of this.running) {
      if (running.source === 'api' && !storedIds.has(id)) {
        await this.remove(id);
        this.logger.info({ connection: id }, 'Connection removed through the admin API; stopped.');
      }
    }
    for (const connection of stored) {
      const running = this.running.get(connection.id);
      if (running?.source === 'config') {
        this.logger.error({ connection: connection.id }, 'A stored connection has the id of a connection in the config file; the config one runs. Delete the stored one.');
        continue;
      }
      if (running && running.updatedAt === connection.updatedAt) continue;
      if (!this.sealer) {
        if (!running) this.logger.error({ connection: connection.id }, 'A stored connection cannot start: PARLEY_CREDENTIALS_KEY is not set.');
        continue;
      }
      let connector: Connector;
      try {
        connector = createConnector(resolveStored(connection, this.sealer.open(connection.sealedCredentials, connection.id)));
      } catch (error) {
        const message = error instanceof CredentialsUnreadableError ? error.message : 'its stored settings no longer pass validation';
        this.logger.error({ connection: connection.id, reason: message }, 'A stored connection cannot start.');
        continue;
      }
      if (running) await this.remove(connection.id);
      this.add(connector, connection.orgId, 'api', connection.updatedAt);
      try {
        await this.start(connector);
      } catch (error) {
        // One connection that cannot start must not stop the others; it shows as failed.
        this.logger.error({ connection: connection.id, err_message: (error as Error).message }, 'A stored connection failed to start; it is stopped.');
        await this.remove(connection.id);
        continue;
      }
      this.logger.info({ connection: connection.id, platform: connection.platform }, running ? 'Connection changed through the admin API; restarted.' : 'Connection added through the admin API; started.');
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.connectors().map((c) => c.stop().catch(() => undefined)));
  }
}
