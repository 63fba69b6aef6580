import { z } from 'zod';

import { secret } from '../../core/secret.js';

export const slackConfigSchema = z
  .object({
    apiUrl: z.url().default('https://slack.com/api/').describe('Slack Web API base URL, ending in /api/.'),
    botToken: secret.describe('Bot user OAuth token (xoxb-...) of the Parley app in this workspace.'),
    signingSecret: secret.describe('Signing secret of the Parley app, for X-Slack-Signature.'),
    channelPrefix: z
      .string()
      .regex(/^[a-z0-9_-]{1,20}$/)
      .default('ext-')
      .describe('Prefix of the private channel the hub opens for each external contact.'),
    presencePolling: z
      .boolean()
      .default(false)
      .describe('Read users\' presence with users.getPresence for contacts on platforms that show it (XMPP); costs one Tier 3 call per user and poll.'),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024 * 1024)
      .describe('Largest file the hub sends to Slack, in bytes; Slack takes up to 1 GB.'),
    presenceCallsPerPoll: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(40)
      .describe('Most users.getPresence calls in one presence poll; Tier 3 allows about 50 a minute. Larger sets are read in turns.'),
  })
  .strict();

export type SlackConfig = z.infer<typeof slackConfigSchema>;
