import { z } from 'zod';

import { secret } from '../../core/secret.js';

export const webexConfigSchema = z
  .object({
    apiBaseUrl: z.url().default('https://webexapis.com/v1').describe('Webex REST API base URL.'),
    botToken: secret.describe("The customer's Parley bot access token (developer.webex.com, My Apps)."),
    webhookSecret: secret.describe('Secret for X-Spark-Signature on webhooks the hub registers; at least 16 characters.'),
    guestToken: secret.describe(
      "Access token of the operator's Service App with guest-issuer:write; proxies are its guest identities.",
    ),
    maxTextBytes: z.number().int().positive().default(7439).describe('Largest message text Webex accepts, in bytes.'),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(100 * 1024 * 1024)
      .describe('Largest file the hub sends to Webex, in bytes; Webex takes up to 100 MB.'),
    webhookCheckSeconds: z
      .number()
      .int()
      .positive()
      .default(300)
      .describe('How often the hub checks that its webhooks are active, in seconds.'),
  })
  .strict();

export type WebexConfig = z.infer<typeof webexConfigSchema>;
