// The hub's config schema: the single source of truth for validation, the environment
// overrides and the generated example (`parley config example`).

import { z } from 'zod';

import { dnsDomain } from '../connectors/shared/config.js';
import { slackConfigSchema } from '../connectors/slack/config.js';
import { teamsConfigSchema } from '../connectors/teams/config.js';
import { webexConfigSchema } from '../connectors/webex/config.js';
import { xmppConfigSchema } from '../connectors/xmpp/config.js';
import { orgPolicySchema } from '../policy/model.js';
import { secret } from '../core/secret.js';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and hyphens, such as acme-webex');

const domain = dnsDomain('acme.example');

export const serverSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Address the HTTP server listens on.'),
    port: z.number().int().min(0).max(65535).default(8080).describe('TCP port of the HTTP server.'),
    publicUrl: z
      .url()
      .optional()
      .describe('URL at which the platforms reach the hub (webhooks, events); defaults to http://host:port.'),
    metricsToken: secret
      .optional()
      .describe('Bearer token that Prometheus must send to read /metrics; without it /metrics is open to whoever reaches the port.'),
  })
  .strict();

export const storeSchema = z
  .object({
    kind: z.enum(['sqlite', 'postgres']).default('sqlite').describe('sqlite for one node, postgres for several.'),
    path: z.string().default('./data/parley.db').describe('SQLite database file.'),
    url: z.string().optional().describe('PostgreSQL connection URL, for kind: postgres.'),
  })
  .strict();

export const logSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info').describe('Log level.'),
  })
  .strict();

export const deliverySchema = z
  .object({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('Attempts before a delivery moves to the dead letters and the sender is told.'),
    baseDelayMs: z.number().int().min(1).default(1000).describe('First retry delay, in milliseconds; doubles each time.'),
    maxDelayMs: z.number().int().min(1).default(300000).describe('Longest retry delay, in milliseconds.'),
    concurrency: z.number().int().min(1).max(256).default(16).describe('Conversations delivered to at the same time.'),
    sendTimeoutMs: z.number().int().min(100).default(30000).describe('Time one platform call may take, in milliseconds.'),
    fileTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(600_000)
      .describe('Time one file may take to cross, download and upload together, in milliseconds.'),
  })
  .strict();

export const invitationsSchema = z
  .object({
    expiryDays: z.number().positive().default(7).describe('Days a pending invitation stays open.'),
    perUserPerDay: z.number().int().min(1).default(50).describe('Invitations one user may send in 24 hours.'),
  })
  .strict();

export const commandsSchema = z
  .object({
    perUserPerMinute: z.number().int().min(1).default(20).describe('Bot commands one user may send per minute.'),
  })
  .strict();

export const presenceSchema = z
  .object({
    pollSeconds: z
      .number()
      .min(0)
      .default(60)
      .describe('How often the hub reads the presence of users whose contacts can see it (XMPP), in seconds; 0 turns it off.'),
  })
  .strict();

export const retentionSchema = z
  .object({
    metadataDays: z
      .number()
      .int()
      .min(1)
      .default(400)
      .describe("Days the raw metadata log is kept; an organisation's metadataRetentionDays replaces it for its records. Usage rollups are kept 14 months."),
  })
  .strict();

export const domainVerificationSchema = z
  .object({
    resolver: z
      .string()
      .regex(/^[0-9a-f.:[\]]+$/i, 'an IP address with an optional port, such as 10.0.0.53 or 10.0.0.53:5353')
      .optional()
      .describe("DNS server that checks domain verification TXT records; the system's resolvers when absent."),
  })
  .strict();

export const ssoSchema = z
  .object({
    issuer: z.url().describe("The identity provider's issuer URL; its /.well-known/openid-configuration is read from it."),
    clientId: z.string().min(1).describe('The client id of the Parley application registered at the identity provider.'),
    clientSecret: secret.describe('Its client secret.'),
    requireMfa: z
      .boolean()
      .default(true)
      .describe("Accept a login only when the ID token's amr claim says the admin used a second factor (mfa, otp, hwk, swk, sms, fpt, face)."),
  })
  .strict();

export const orgSchema = z
  .object({
    id: id.describe('Organisation id.'),
    name: z.string().min(1).describe('Display name.'),
    domains: z.array(domain).min(1).describe("The organisation's email domains."),
    policy: orgPolicySchema.optional().describe('Federation policy; open to every domain, user and feature when absent.'),
    sso: ssoSchema.optional().describe("Single sign-on for the organisation's admins through its OpenID Connect identity provider."),
    metadataRetentionDays: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Days the organisation's metadata records are kept; a record naming two organisations goes when both have let it go."),
  })
  .strict();

const connectionBase = {
  id: id.describe('Connection id; also the path of its webhook route.'),
  org: id.describe('The organisation that owns this platform connection.'),
};

export const connectionSchema = z.discriminatedUnion('platform', [
  z.object({ ...connectionBase, platform: z.literal('webex'), webex: webexConfigSchema }).strict(),
  z.object({ ...connectionBase, platform: z.literal('slack'), slack: slackConfigSchema }).strict(),
  z.object({ ...connectionBase, platform: z.literal('xmpp'), xmpp: xmppConfigSchema }).strict(),
  z.object({ ...connectionBase, platform: z.literal('teams'), teams: teamsConfigSchema }).strict(),
]);

export const configSchema = z
  .object({
    server: serverSchema.prefault({}),
    store: storeSchema.prefault({}),
    log: logSchema.prefault({}),
    delivery: deliverySchema.prefault({}),
    invitations: invitationsSchema.prefault({}),
    commands: commandsSchema.prefault({}),
    presence: presenceSchema.prefault({}),
    domainVerification: domainVerificationSchema.prefault({}),
    retention: retentionSchema.prefault({}),
    orgs: z.array(orgSchema).default([]).describe('Organisations using the hub.'),
    connections: z.array(connectionSchema).default([]).describe('Platform connections, one per workspace or org.'),
  })
  .strict();

export type HubConfig = z.infer<typeof configSchema>;
export type ConnectionConfig = HubConfig['connections'][number];

/** Sections whose scalar keys can be overridden with PARLEY_<SECTION>_<KEY> variables. */
export const overridableSections = {
  server: serverSchema,
  store: storeSchema,
  log: logSchema,
  delivery: deliverySchema,
  invitations: invitationsSchema,
  commands: commandsSchema,
  presence: presenceSchema,
  domainVerification: domainVerificationSchema,
  retention: retentionSchema,
} as const;
