// The parts of a Bot Framework activity the Teams connector reads, checked with zod. Fields
// the hub does not use are let through unread. Shapes follow the Activity schema of the Bot
// Framework protocol (botframework-activity.schema.json) and the Teams samples.

import { z } from 'zod';

const account = z.object({ id: z.string().min(1).max(500), name: z.string().max(500).optional(), aadObjectId: z.string().max(100).optional() }).passthrough();

const attachment = z
  .object({
    contentType: z.string().max(200),
    contentUrl: z.string().max(4096).optional(),
    name: z.string().max(1024).optional(),
    content: z.unknown().optional(),
  })
  .passthrough();

const reaction = z.object({ type: z.string().min(1).max(64) }).passthrough();

export const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    id: z.string().max(500).optional(),
    timestamp: z.string().max(64).optional(),
    serviceUrl: z.url().max(2048),
    channelId: z.string().max(64),
    from: account,
    conversation: z.object({ id: z.string().min(1).max(1000), conversationType: z.string().max(64).optional(), tenantId: z.string().max(100).optional() }).passthrough(),
    recipient: account.optional(),
    // Teams caps a message near 28 KB; longer text is not from a Teams user.
    text: z.string().max(40_000).optional(),
    textFormat: z.string().max(32).optional(),
    attachments: z.array(attachment).max(50).optional(),
    entities: z.array(z.unknown()).max(100).optional(),
    replyToId: z.string().max(500).optional(),
    reactionsAdded: z.array(reaction).max(50).optional(),
    reactionsRemoved: z.array(reaction).max(50).optional(),
    membersAdded: z.array(account).max(1000).optional(),
    name: z.string().max(200).optional(),
    value: z.unknown().optional(),
    channelData: z.object({ tenant: z.object({ id: z.string().max(100) }).passthrough().optional() }).passthrough().optional(),
  })
  .passthrough();

export type Activity = z.infer<typeof activitySchema>;
