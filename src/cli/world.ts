// The simulated world behind the sandbox and the end-to-end tests: a Webex org
// (acme.example), a Slack workspace (globex.example), the Parley bot and app in each,
// and the hub config that connects them.

import { randomBytes } from 'node:crypto';

import { startSlackSimulator, type SlackSimulator } from '../../sim/slack/index.js';
import { startTeamsSimulator, type TeamsSimulator } from '../../sim/teams/index.js';
import { startWebexSimulator, type WebexSimulator } from '../../sim/webex/index.js';
import { buildConfig, type ResolvedConfig } from '../server/config.js';

/** The Slack scopes the Parley app needs; docs/platforms/slack.md says why each one. */
export const slackScopes = [
  'chat:write',
  'chat:write.customize',
  'im:write',
  'im:history',
  'groups:write',
  'groups:history',
  'groups:read',
  'channels:history',
  'channels:read',
  'users:read',
  'users:read.email',
  'reactions:read',
  'reactions:write',
  'files:read',
  'files:write',
];

export interface WorldOptions {
  hubPort: number;
  webexPort: number;
  slackPort: number;
  dataPath: string;
  /** Multiplies the Slack simulator's rate limits; the sandbox and tests raise them. */
  slackRateLimitScale?: number;
  slackRetryDelaysMs?: number[];
  /** Further top-level config sections, such as `domains`. */
  configExtra?: Record<string, unknown>;
  /** Turns on users.getPresence polling in the Slack connection. */
  slackPresencePolling?: boolean;
  /** More keys of the organisations' entries, by org id, such as `sso`. */
  orgSettings?: Record<string, Record<string, unknown>>;
  /** Organisations beyond Acme and Globex, without connections, for tests that add them through the API. */
  extraOrgs?: Array<{ id: string; name: string; domains: string[] }>;
  /** Other keys of the Webex and Slack connections' sections, such as maxFileBytes. */
  webexExtra?: Record<string, unknown>;
  slackExtra?: Record<string, unknown>;
  delivery?: Partial<ResolvedConfig['delivery']>;
  /** An XMPP partner organisation, reached through a component on a real XMPP server. */
  xmpp?: WorldXmpp;
  /** A Microsoft Teams organisation (hooli.example) behind the Teams simulator. */
  teams?: { port?: number; extra?: Record<string, unknown>; resendAfterMs?: number; maxActivityBytes?: number };
}

export interface WorldXmpp {
  /** The partner's XMPP domain, such as xmpp.initech.example; its users are invited by JID. */
  partnerDomain: string;
  host: string;
  port: number;
  componentDomain: string;
  serverDomain: string;
  secret: string;
  /** Other keys of the connection's xmpp section, such as stanza limits. */
  extra?: Record<string, unknown>;
}

export interface World {
  webex: WebexSimulator;
  slack: SlackSimulator;
  people: {
    alice: { id: string; email: string; token: string };
    carol: { id: string; email: string; token: string };
    webexBot: { id: string; email: string; token: string };
    bob: { id: string; email: string };
    dana: { id: string; email: string };
  };
  slackApp: Awaited<ReturnType<SlackSimulator['installApp']>>;
  /** The Teams simulator, with Ivy and Jack at hooli.example, when the world has Teams. */
  teams?: TeamsSimulator;
  /** Builds the hub config; `hubUrl` is where the simulators send webhooks and events. */
  config(hubUrl?: string): ResolvedConfig;
  /** Points the Slack app's event subscription at the hub (Slack checks it with url_verification). */
  connectSlack(hubUrl: string): Promise<void>;
  /** Points the Teams bot's messaging endpoint at the hub. */
  connectTeams(hubUrl: string): void;
  stop(): Promise<void>;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const webex = await startWebexSimulator({ port: options.webexPort });
  const slack = await startSlackSimulator({
    port: options.slackPort,
    rateLimitScale: options.slackRateLimitScale ?? 1,
    ...(options.slackRetryDelaysMs ? { retryDelaysMs: options.slackRetryDelaysMs } : {}),
  });

  const acme = webex.addOrg({ domain: 'acme.example', name: 'Acme' });
  const alice = webex.addPerson(acme, { email: 'alice@acme.example', displayName: 'Alice Anders', title: 'Buyer' });
  const carol = webex.addPerson(acme, { email: 'carol@acme.example', displayName: 'Carol Chen', title: 'Engineer' });
  const webexBot = webex.addBot(acme, { email: 'parley@webex.bot', displayName: 'Parley' });
  const operator = webex.addOrg({ domain: 'parley-operator.example', name: 'Parley operator' });
  const guestApp = webex.addServiceApp(operator, { scopes: ['guest-issuer:write', 'guest-issuer:read'] });

  const globex = slack.addWorkspace({ domain: 'globex.example', name: 'Globex' });
  const bob = slack.addUser(globex, { email: 'bob@globex.example', realName: 'Bob Builder', title: 'Sales' });
  const dana = slack.addUser(globex, { email: 'dana@globex.example', realName: 'Dana Diaz', title: 'Support' });
  const slackApp = slack.installApp(globex, { scopes: slackScopes, name: 'Parley' });
  const webhookSecret = randomBytes(24).toString('hex');
  const teams = options.teams
    ? await startTeamsSimulator({
        ...(options.teams.port !== undefined ? { port: options.teams.port } : {}),
        ...(options.teams.resendAfterMs !== undefined ? { resendAfterMs: options.teams.resendAfterMs } : {}),
        ...(options.teams.maxActivityBytes !== undefined ? { maxActivityBytes: options.teams.maxActivityBytes } : {}),
        tenants: [
          {
            name: 'Hooli',
            domain: 'hooli.example',
            users: [
              { name: 'Ivy Ito', email: 'ivy@hooli.example', jobTitle: 'Architect' },
              { name: 'Jack Jones', email: 'jack@hooli.example', jobTitle: 'Analyst' },
            ],
          },
        ],
        bot: { name: 'Parley' },
      })
    : undefined;

  return {
    webex,
    slack,
    people: { alice, carol, webexBot, bob, dana },
    slackApp,
    ...(teams ? { teams } : {}),
    config(hubUrl) {
      return buildConfig(
        {
          server: { host: '127.0.0.1', port: options.hubPort, ...(hubUrl ? { publicUrl: hubUrl } : {}) },
          store: { kind: 'sqlite', path: options.dataPath },
          delivery: options.delivery ?? {},
          ...options.configExtra,
          orgs: [
            { id: 'acme', name: 'Acme', domains: ['acme.example'], ...options.orgSettings?.acme },
            { id: 'globex', name: 'Globex', domains: ['globex.example'], ...options.orgSettings?.globex },
            ...(options.xmpp ? [{ id: 'initech', name: 'Initech', domains: [options.xmpp.partnerDomain] }] : []),
            ...(teams ? [{ id: 'hooli', name: 'Hooli', domains: ['hooli.example'] }] : []),
            ...(options.extraOrgs ?? []),
          ],
          connections: [
            {
              id: 'acme-webex',
              org: 'acme',
              platform: 'webex',
              webex: { apiBaseUrl: webex.apiUrl, botToken: webexBot.token, webhookSecret, guestToken: guestApp.token, ...options.webexExtra },
            },
            {
              id: 'globex-slack',
              org: 'globex',
              platform: 'slack',
              slack: {
                apiUrl: `${slack.url}/api/`,
                botToken: slackApp.botToken,
                signingSecret: slackApp.signingSecret,
                ...(options.slackPresencePolling ? { presencePolling: true } : {}),
                ...options.slackExtra,
              },
            },
            ...(teams
              ? [
                  {
                    id: 'hooli-teams',
                    org: 'hooli',
                    platform: 'teams',
                    teams: {
                      appId: teams.bot.appId,
                      appPassword: teams.bot.password,
                      openIdMetadataUrl: teams.openIdMetadataUrl,
                      tokenUrl: teams.tokenUrl(),
                      allowPrivateFileUrls: true,
                      ...options.teams?.extra,
                    },
                  },
                ]
              : []),
            ...(options.xmpp
              ? [
                  {
                    id: 'initech-xmpp',
                    org: 'initech',
                    platform: 'xmpp',
                    xmpp: {
                      host: options.xmpp.host,
                      port: options.xmpp.port,
                      componentDomain: options.xmpp.componentDomain,
                      serverDomain: options.xmpp.serverDomain,
                      secret: options.xmpp.secret,
                      ...options.xmpp.extra,
                    },
                  },
                ]
              : []),
          ],
        },
        {},
      );
    },
    async connectSlack(hubUrl) {
      await slack.setRequestUrl(slackApp, `${hubUrl}/hooks/slack/globex-slack`);
    },
    connectTeams(hubUrl) {
      teams?.setMessagingEndpoint(`${hubUrl}/hooks/teams/hooli-teams`);
    },
    async stop() {
      await Promise.allSettled([webex.stop(), slack.stop(), teams?.close()]);
    },
  };
}
