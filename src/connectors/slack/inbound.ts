// Verifies and parses Slack Events API requests.
// Signing v0: X-Slack-Signature = "v0=" + hex HMAC-SHA256(signing secret,
// "v0:" + X-Slack-Request-Timestamp + ":" + raw body); requests older than 300 s are
// rejected (api.slack.com/authentication/verifying-requests-from-slack).

import { createHmac } from 'node:crypto';

import { z } from 'zod';

import { PayloadInvalidError, RequestStaleError, SignatureInvalidError } from '../../core/errors.js';
import { safeEqual } from '../shared/http.js';

export const signatureWindowSeconds = 300;

export function verifySlackSignature(
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  signingSecret: string,
  nowMs: number,
): void {
  const timestamp = headers['x-slack-request-timestamp'];
  const signature = headers['x-slack-signature'];
  if (!timestamp || !signature) {
    throw new SignatureInvalidError('Slack request has no X-Slack-Signature or X-Slack-Request-Timestamp header.');
  }

  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) throw new SignatureInvalidError(`Slack request timestamp "${timestamp.slice(0, 20)}" is not a number.`);
  if (Math.abs(nowMs / 1000 - seconds) > signatureWindowSeconds) {
    throw new RequestStaleError(`Slack request timestamp is outside the ${signatureWindowSeconds} s window.`);
  }

  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
  if (!safeEqual(signature, expected)) {
    throw new SignatureInvalidError('Slack request signature does not match the configured signingSecret.');
  }
}

const nestedMessage = z.object({
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
});

/** The message and reaction events the hub subscribes to; other fields are ignored. */
const messageEvent = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  /** message_changed: the message after and before the edit. */
  message: nestedMessage.optional(),
  previous_message: nestedMessage.optional(),
  /** message_deleted: the ts of the deleted message. */
  deleted_ts: z.string().optional(),
  /** reaction_added and reaction_removed. */
  reaction: z.string().optional(),
  item: z.object({ type: z.string(), channel: z.string().optional(), ts: z.string().optional() }).optional(),
  /** file_share: the files shared with the message. */
  files: z
    .array(z.object({ id: z.string(), name: z.string().optional(), mimetype: z.string().optional(), size: z.number().optional() }))
    .max(100)
    .optional(),
});

export const slackRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('url_verification'), challenge: z.string() }),
  z.object({
    type: z.literal('event_callback'),
    team_id: z.string(),
    event_id: z.string(),
    event_time: z.number(),
    event: messageEvent,
  }),
  z.object({ type: z.literal('app_rate_limited') }),
]);

export type SlackRequest = z.infer<typeof slackRequest>;
export type SlackMessageEvent = z.infer<typeof messageEvent>;

export function parseSlackRequest(rawBody: Buffer): SlackRequest {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new PayloadInvalidError('Slack request body is not JSON.', { cause: error });
  }
  const parsed = slackRequest.safeParse(json);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new PayloadInvalidError(`Slack request body is missing or has an invalid field ${path}.`);
  }
  return parsed.data;
}
