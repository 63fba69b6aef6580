// The composition root: config in, a running hub out. Only this file wires the store,
// the connectors, the pipeline and the HTTP server together.

import { fileURLToPath } from 'node:url';

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

import { AccountService } from '../admin/accounts.js';
import { registerAdminApi } from '../admin/api.js';
import { ConnectionService } from '../admin/connections.js';
import { SsoService } from '../admin/sso.js';
import { AnalyticsService } from '../analytics/overview.js';
import { DomainService } from '../admin/domains.js';
import { AdminService } from '../admin/service.js';
import { canOpenFiles, type Connector } from '../core/connector.js';
import { FileNotDeliverableError } from '../core/errors.js';
import type { FileRef } from '../core/events.js';
import { platformNames } from '../core/platform.js';
import type { ConnectionId, OrgId } from '../core/ids.js';
import { DeliveryWorker } from '../pipeline/delivery.js';
import { HealthTracker } from '../pipeline/health.js';
import { openForDelivery, sweepSpools } from '../pipeline/files.js';
import { Directory } from '../pipeline/directory.js';
import { PolicyBook } from '../policy/book.js';
import { policyHook } from '../pipeline/policy.js';
import { PresenceRelay } from '../pipeline/presence.js';
import { InboundPipeline } from '../pipeline/inbound.js';
import { CredentialSealer } from '../store/credentials.js';
import { Store } from '../store/store.js';
import { storeOptions, type ResolvedConfig } from './config.js';
import { ConnectionManager } from './connections.js';
import { createMetrics } from './metrics.js';
import { buildHttpServer, listen } from './http.js';
import { createConnector } from './registry.js';

export interface Hub {
  url: string;
  store: Store;
  worker: DeliveryWorker;
  /** The connectors running now, from the config and from the admin API. */
  readonly connectors: Connector[];
  /** The running connections; API changes go through it. */
  connections: ConnectionManager;
  presence: PresenceRelay;
  /** The federation policies in force; a change applies from the next event. */
  policies: PolicyBook;
  /** Admin actions (policy, suspension, revocation), each audited. */
  admin: AdminService;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Replaces the registry, for tests that bring their own connectors. */
  connectors?: Connector[];
  /** Environment for the credentials key; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

const dayMs = 24 * 60 * 60 * 1000;

export async function startHub(config: ResolvedConfig, logger: Logger, options: StartOptions = {}): Promise<Hub> {
  const store = await Store.open(storeOptions(config));
  let app: FastifyInstance | undefined;
  let housekeeping: NodeJS.Timeout | undefined;
  let presenceTimer: NodeJS.Timeout | undefined;
  let policyTimer: NodeJS.Timeout | undefined;
  let worker: DeliveryWorker | undefined;
  let connectionTimer: NodeJS.Timeout | undefined;
  let manager: ConnectionManager | undefined;
  const connectors = options.connectors ?? config.connections.map(createConnector);
  const sealer = CredentialSealer.fromEnv(options.env ?? process.env);

  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ migrations: applied }, 'Database migrations applied.');

    const now = Date.now();
    const orgDomains: [string, OrgId][] = [];
    for (const org of config.orgs) {
      await store.ensureOrg(org.id as OrgId, org.name, now);
      for (const domain of org.domains) {
        await store.ensureDomain(domain, org.id as OrgId);
        orgDomains.push([domain, org.id as OrgId]);
      }
    }

    const configured: Array<{ connector: Connector; orgId: OrgId }> = [];
    for (const connector of connectors) {
      const connection = config.connections.find((c) => c.id === connector.connectionId);
      const orgId = (connection?.org ?? 'unknown') as OrgId;
      await store.ensureConnection(connector.connectionId, orgId, connector.platform, now);
      configured.push({ connector, orgId });
    }
    const directory = new Directory([], orgDomains);
    // Domains org admins added and verified through the API route invitations too.
    for (const record of await store.domains.verified()) directory.addDomain(record.domain, record.orgId);

    const policies = new PolicyBook(config.orgs.filter((org) => org.policy).map((org) => [org.id, org.policy!]));
    const health = new HealthTracker();
    const metrics = createMetrics(
      store,
      () => (manager?.connectors() ?? []).map((c) => ({ id: c.connectionId, platform: c.platform, status: c.state().status })),
      health,
    );
    const decide = policyHook(policies);
    const policy: typeof decide = async (input) => {
      const decision = await decide(input);
      if (!decision.allowed) metrics.denied(input.kind);
      return decision;
    };
    const admin = new AdminService(store, directory, policies, () => worker?.wake(), config.invitations.expiryDays * dayMs);
    await admin.loadStoredPolicies();
    worker = new DeliveryWorker(store, directory, logger.child({ component: 'delivery' }), config.delivery, policy, metrics);
    const pipeline = new InboundPipeline(
      store,
      directory,
      logger.child({ component: 'inbound' }),
      {
        expiryMs: config.invitations.expiryDays * dayMs,
        invitesPerDay: config.invitations.perUserPerDay,
        invitationLimits: (orgId) => {
          const own = policies.get(orgId).invitations;
          return {
            ...(own.expiryDays !== undefined ? { expiryMs: own.expiryDays * dayMs } : {}),
            ...(own.perUserPerDay !== undefined ? { invitesPerDay: own.perUserPerDay } : {}),
          };
        },
        commandsPerMinute: config.commands.perUserPerMinute,
      },
      () => worker?.wake(),
      policy,
      metrics,
    );

    let publicUrl = '';
    const contextFor = (id: ConnectionId, connector: Connector) => ({
      logger: logger.child({ connection: id, platform: connector.platform }),
      publicUrl,
      receive: async (events: Parameters<InboundPipeline['receive']>[1]) => {
        await pipeline.receive(id, events);
      },
      isHubMessage: (messageId: Parameters<Store['isHubMessage']>[1]) => store.isHubMessage(id, messageId),
      listProxies: async () => {
        const active = await store.activeProxyContacts(id);
        return (await store.proxiesOnConnection(id)).map((p) => ({
          contactId: p.contactId,
          conversationId: p.conversationId,
          ...(p.proxyUserId ? { proxyUserId: p.proxyUserId } : {}),
          data: p.data,
          active: active.has(p.contactId),
        }));
      },
      openFile: async (ref: FileRef, maxBytes: number, signal: AbortSignal) => {
        const source = directory.connection(ref.connectionId)?.connector;
        if (!source || !canOpenFiles(source)) {
          throw new FileNotDeliverableError('file_source_gone', 'the platform it was sent from is no longer connected to Parley');
        }
        return openForDelivery(source, ref, { platformBytes: maxBytes, platformName: platformNames[connector.platform], policyDenies: async () => undefined }, signal);
      },
      getState: (key: string) => store.getState(id, key),
      setState: (key: string, value: string) => store.setState(id, key, value),
    });
    const connections = new ConnectionManager(store, directory, logger.child({ component: 'connections' }), contextFor, sealer);
    manager = connections;
    for (const { connector, orgId } of configured) connections.add(connector, orgId, 'config');

    const analytics = new AnalyticsService(store);
    app = buildHttpServer({
      logger,
      route: (path) => connections.route(path),
      portalDir: fileURLToPath(new URL('../../web/dist', import.meta.url)),
      ready: async () => connections.connectors().every((c) => c.state().status === 'connected'),
      metrics: {
        read: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
        ...(config.server.metricsToken !== undefined ? { token: config.server.metricsToken } : {}),
      },
    });
    await registerAdminApi(app, {
      accounts: new AccountService(store, logger.child({ component: 'admin' }), sealer),
      domains: new DomainService(store, directory, config.domainVerification.resolver),
      admin,
      store,
      policies,
      directory,
      connections: new ConnectionService(store, connections, sealer, directory, health),
      sso: new SsoService(
        store,
        new Map(config.orgs.filter((org) => org.sso).map((org) => [org.id as OrgId, org.sso!])),
        () => `${publicUrl}/api/v1/sso/callback`,
        logger.child({ component: 'sso' }),
      ),
      publicUrl: () => publicUrl,
      analytics,
    });
    const url = await listen(app, config.server.host, config.server.port);
    publicUrl = (config.server.publicUrl ?? url).replace(/\/$/, '');

    for (const { connector } of configured) await connections.start(connector);
    await connections.sync();
    // Connections added, changed or removed on another node apply here within five seconds.
    connectionTimer = setInterval(
      () => void connections.sync().catch((error: unknown) => logger.error({ err: error }, 'Reading stored connections failed; trying again in 5 s.')),
      5000,
    );
    connectionTimer.unref();

    worker.start();
    const retention = new Map(config.orgs.map((org) => [org.id, org.metadataRetentionDays ?? config.retention.metadataDays]));
    const metadataCutoff = (orgId: string | null) => Date.now() - (orgId === null ? config.retention.metadataDays : (retention.get(orgId) ?? config.retention.metadataDays)) * dayMs;
    housekeeping = setInterval(() => void runHousekeeping(store, pipeline, analytics, metadataCutoff, logger), 60_000);
    housekeeping.unref();
    // Policies stored by `parley admin` or another node apply within five seconds.
    policyTimer = setInterval(
      () => void admin.loadStoredPolicies().catch((error: unknown) => logger.error({ err: error }, 'Reloading stored policies failed; trying again in 5 s.')),
      5000,
    );
    policyTimer.unref();
    const presence = new PresenceRelay(store, directory, logger.child({ component: 'presence' }), () => worker?.wake(), policy);
    if (config.presence.pollSeconds > 0) {
      const pollPresence = () =>
        void presence.poll(Date.now()).catch((error: unknown) => logger.error({ err: error }, 'Presence poll failed; it runs again later.'));
      presenceTimer = setInterval(pollPresence, config.presence.pollSeconds * 1000);
      presenceTimer.unref();
    }
    logger.info({ url, public_url: publicUrl, connections: connections.connectors().length }, 'Parley hub started.');

    const started = worker;
    const server = app;
    return {
      url,
      store,
      worker: started,
      get connectors() {
        return connections.connectors();
      },
      connections,
      presence,
      policies,
      admin,
      async stop() {
        clearInterval(housekeeping);
        clearInterval(presenceTimer);
        clearInterval(policyTimer);
        clearInterval(connectionTimer);
        await server.close();
        await started.stop();
        await connections.stopAll();
        await store.close();
        logger.info('Parley hub stopped.');
      },
    };
  } catch (error) {
    clearInterval(housekeeping);
    clearInterval(presenceTimer);
    clearInterval(policyTimer);
    clearInterval(connectionTimer);
    await app?.close();
    await worker?.stop();
    await Promise.all(connectors.map((c) => c.stop().catch(() => undefined)));
    await manager?.stopAll();
    await store.close();
    throw error;
  }
}

async function runHousekeeping(
  store: Store,
  pipeline: InboundPipeline,
  analytics: AnalyticsService,
  metadataCutoff: (orgId: string | null) => number,
  logger: Logger,
): Promise<void> {
  try {
    // Rollups first: raw records go only once the rollups have read them.
    await analytics.catchUp();
    const fourteenMonthsAgo = new Date(Date.now() - 14 * 31 * dayMs).toISOString().slice(0, 10);
    await store.analytics.pruneRollups(fourteenMonthsAgo);
    const pruned = await store.analytics.pruneMetadata(metadataCutoff);
    if (pruned > 0) logger.info({ records: pruned }, 'Removed metadata records past their retention.');
    await pipeline.expireInvitations(Date.now());
    await store.pruneInbound(Date.now() - 7 * dayMs);
    // A file transfer takes at most delivery.fileTimeoutMs; a day-old temporary file is an orphan.
    const swept = await sweepSpools(dayMs);
    if (swept > 0) logger.info({ files: swept }, 'Removed temporary files that an earlier run left behind.');
  } catch (error) {
    logger.error({ err: error }, 'Housekeeping failed; it runs again in a minute.');
  }
}
