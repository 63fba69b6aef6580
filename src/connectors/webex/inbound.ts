// Verifies and parses Webex webhook deliveries.
// Signature: X-Spark-Signature is the lowercase hex HMAC-SHA1 of the raw body, keyed with
// the webhook's secret (developer.webex.com, "Webhooks", Handling Requests from Webex).

import { createHmac } from 'node:crypto';

import { z } from 'zod';

import { PayloadInvalidError, RequestStaleError, SignatureInvalidError } from '../../core/errors.js';
import { safeEqual } from '../shared/http.js';

export const webhookEnvelope = z.object({
  id: z.string(),
  resource: z.string(),
  event: z.string(),
  createdBy: z.string().optional(),
  actorId: z.string().optional(),
  data: z.object({
    id: z.string(),
    roomId: z.string().optional(),
    roomType: z.string().optional(),
    personId: z.string().optional(),
    personEmail: z.string().optional(),
    created: z.string().optional(),
    mentionedPeople: z.array(z.string()).max(1000).optional(),
  }),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelope>;

export function verifyWebexSignature(rawBody: Buffer, header: string | undefined, secret: string): void {
  if (!header) throw new SignatureInvalidError('Webex webhook has no X-Spark-Signature header.');
  const expected = createHmac('sha1', secret).update(rawBody).digest('hex');
  if (!safeEqual(header.toLowerCase(), expected)) {
    throw new SignatureInvalidError('Webex webhook signature does not match the configured webhookSecret.');
  }
}

export function parseEnvelope(rawBody: Buffer): WebhookEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new PayloadInvalidError('Webex webhook body is not JSON.', { cause: error });
  }
  const parsed = webhookEnvelope.safeParse(json);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new PayloadInvalidError(`Webex webhook body is missing or has an invalid field ${path}.`);
  }
  return parsed.data;
}

/**
 * Rejects an event created longer ago than the window allows. Webex sends no request
 * timestamp, so the message's own `created` time bounds how old a replayed delivery can be.
 */
export function checkFreshness(envelope: WebhookEnvelope, now: number, windowMs: number): void {
  const created = envelope.data.created ? Date.parse(envelope.data.created) : Number.NaN;
  if (Number.isNaN(created)) return;
  if (Math.abs(now - created) > windowMs) {
    throw new RequestStaleError(
      `Webex webhook event was created ${Math.round((now - created) / 1000)} s ago, outside the ${windowMs / 1000} s window.`,
    );
  }
}
