import { z } from 'zod';

import { secret } from '../../core/secret.js';

export const teamsConfigSchema = z
  .object({
    appId: z.string().min(1).max(100).describe('Microsoft app id of the Parley bot (the Azure Bot registration).'),
    appPassword: secret.describe('Client secret of the app registration.'),
    tenantId: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,100}$/)
      .optional()
      .describe('Tenant of a single-tenant app registration; tokens come from that tenant. Leave out for a multi-tenant app.'),
    allowedTenantIds: z
      .array(z.string().regex(/^[A-Za-z0-9.-]{1,100}$/))
      .min(1)
      .max(100)
      .optional()
      .describe('Tenants whose users the bot serves; activities from other tenants are ignored. By default tenantId alone, or every tenant for a multi-tenant app without tenantId.'),
    openIdMetadataUrl: z
      .url()
      .default('https://login.botframework.com/v1/.well-known/openidconfiguration')
      .describe('OpenID metadata that names the keys Bot Framework signs activities with.'),
    tokenUrl: z
      .url()
      .optional()
      .describe('Token endpoint for the bot\'s own tokens; by default the Microsoft identity platform endpoint of the tenant, or of botframework.com.'),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(262_144)
      .default(28_000)
      .describe('Largest message text the hub posts in one activity, in bytes; longer text is split. Microsoft documents about 28 KB to 100 KB.'),
    typingIntervalSeconds: z.number().int().min(3).max(60).default(3).describe('Shortest time between two typing indicators to one user.'),
    allowPrivateFileUrls: z
      .boolean()
      .default(false)
      .describe('Download files Teams users send from private or loopback addresses; for tests and the sandbox only.'),
    maxFileBytes: z.number().int().positive().default(250 * 1024 * 1024).describe('Largest file the hub offers to a Teams user, in bytes.'),
  })
  .strict();

export type TeamsConfig = z.infer<typeof teamsConfigSchema>;
