// The composition root: config in, a running hub out. Only this file wires the store,
// the connectors, the pipeline and the HTTP server together.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

import { AccountService } from '../admin/accounts.js';
import { registerAdminApi } from '../admin/api.js';
import { DomainService } from '../admin/domains.js';
import { AdminService } from '../admin/service.js';
import type { Connector } from '../core/connector.js';
import type { ConnectionId, OrgId } from '../core/ids.js';
import { DeliveryWorker } from '../pipeline/delivery.js';
import { Directory, type ConnectionInfo } from '../pipeline/directory.js';
import { PolicyBook } from '../policy/book.js';
import { policyHook } from '../pipeline/policy.js';
import { PresenceRelay } from '../pipeline/presence.js';
import { InboundPipeline } from '../pipeline/inbound.js';
import { Store } from '../store/store.js';
import { storeOptions, type ResolvedConfig } from './config.js';
import { buildHttpServer, listen } from './http.js';
import { createConnector } from './registry.js';

export interface Hub {
  url: string;
  store: Store;
  worker: DeliveryWorker;
  connectors: Connector[];
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
}

const dayMs = 24 * 60 * 60 * 1000;

export async function startHub(config: ResolvedConfig, logger: Logger, options: StartOptions = {}): Promise<Hub> {
  const store = await Store.open(storeOptions(config));
  let app: FastifyInstance | undefined;
  let housekeeping: NodeJS.Timeout | undefined;
  let presenceTimer: NodeJS.Timeout | undefined;
  let policyTimer: NodeJS.Timeout | undefined;
  let worker: DeliveryWorker | undefined;
  const connectors = options.connectors ?? config.connections.map(createConnector);

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

    const infos: ConnectionInfo[] = [];
    for (const connector of connectors) {
      const connection = config.connections.find((c) => c.id === connector.connectionId);
      const orgId = (connection?.org ?? 'unknown') as OrgId;
      await store.ensureConnection(connector.connectionId, orgId, connector.platform, now);
      infos.push({ id: connector.connectionId, orgId, platform: connector.platform, connector });
    }
    const directory = new Directory(infos, orgDomains);
    // Domains org admins added and verified through the API route invitations too.
    for (const record of await store.domains.verified()) directory.addDomain(record.domain, record.orgId);

    const policies = new PolicyBook(config.orgs.filter((org) => org.policy).map((org) => [org.id, org.policy!]));
    const policy = policyHook(policies);
    const admin = new AdminService(store, directory, policies, () => worker?.wake(), config.invitations.expiryDays * dayMs);
    await admin.loadStoredPolicies();
    worker = new DeliveryWorker(store, directory, logger.child({ component: 'delivery' }), config.delivery, policy);
    const pipeline = new InboundPipeline(
      store,
      directory,
      logger.child({ component: 'inbound' }),
      {
        expiryMs: config.invitations.expiryDays * dayMs,
        invitesPerDay: config.invitations.perUserPerDay,
        commandsPerMinute: config.commands.perUserPerMinute,
      },
      () => worker?.wake(),
      policy,
    );

    app = buildHttpServer({
      logger,
      routes: connectors.flatMap((c) => c.routes()),
      ready: async () => connectors.every((c) => c.state().status === 'connected'),
    });
    await registerAdminApi(app, {
      accounts: new AccountService(store, logger.child({ component: 'admin' })),
      domains: new DomainService(store, directory, config.domainVerification.resolver),
      admin,
      store,
      policies,
      directory,
    });
    const url = await listen(app, config.server.host, config.server.port);
    const publicUrl = (config.server.publicUrl ?? url).replace(/\/$/, '');

    for (const connector of connectors) {
      const id = connector.connectionId as ConnectionId;
      await connector.start({
        logger: logger.child({ connection: id, platform: connector.platform }),
        publicUrl,
        receive: async (events) => {
          await pipeline.receive(id, events);
        },
        isHubMessage: (messageId) => store.isHubMessage(id, messageId),
        listProxies: async () =>
          (await store.proxiesOnConnection(id)).map((p) => ({
            contactId: p.contactId,
            conversationId: p.conversationId,
            ...(p.proxyUserId ? { proxyUserId: p.proxyUserId } : {}),
            data: p.data,
          })),
        getState: (key) => store.getState(id, key),
        setState: (key, value) => store.setState(id, key, value),
      });
    }

    worker.start();
    housekeeping = setInterval(() => void runHousekeeping(store, pipeline, logger), 60_000);
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
    logger.info({ url, public_url: publicUrl, connections: connectors.length }, 'Parley hub started.');

    const started = worker;
    const server = app;
    return {
      url,
      store,
      worker: started,
      connectors,
      presence,
      policies,
      admin,
      async stop() {
        clearInterval(housekeeping);
        clearInterval(presenceTimer);
        clearInterval(policyTimer);
        await server.close();
        await started.stop();
        await Promise.all(connectors.map((c) => c.stop()));
        await store.close();
        logger.info('Parley hub stopped.');
      },
    };
  } catch (error) {
    clearInterval(housekeeping);
    clearInterval(presenceTimer);
    clearInterval(policyTimer);
    await app?.close();
    await worker?.stop();
    await Promise.all(connectors.map((c) => c.stop().catch(() => undefined)));
    await store.close();
    throw error;
  }
}

async function runHousekeeping(store: Store, pipeline: InboundPipeline, logger: Logger): Promise<void> {
  try {
    await pipeline.expireInvitations(Date.now());
    await store.pruneInbound(Date.now() - 7 * dayMs);
  } catch (error) {
    logger.error({ err: error }, 'Housekeeping failed; it runs again in a minute.');
  }
}
