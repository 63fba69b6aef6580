// Slack request signing, version v0: `v0=` + hex HMAC-SHA256(signing secret,
// `v0:<unix seconds>:<raw body>`), sent in X-Slack-Signature beside X-Slack-Request-Timestamp.
// Source: api.slack.com/authentication/verifying-requests-from-slack.

import { createHmac, timingSafeEqual } from 'node:crypto';

export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
  return `v0=${digest}`;
}

/** Checks a signature the way a receiver must: constant-time compare, at most 300 s of clock skew. */
export function verifySlackSignature(
  signingSecret: string,
  timestamp: string,
  rawBody: string,
  signature: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) {
    return false;
  }

  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
