import { randomBytes, randomUUID } from 'node:crypto';

/** Tenant id of botframework.com, the issuer tenant of tokens that multi-tenant bots request. */
export const BOTFRAMEWORK_TENANT_ID = 'd6d49420-f39b-4df7-a1dc-d59a935871db';

/** Creates a user id in the `29:<opaque>` form Teams gives people in bot conversations. */
export function newUserId(): string {
  return `29:1${randomBytes(30).toString('base64url')}`;
}

/** Creates a personal (1:1) conversation id in the `a:<opaque>` form Teams uses for chats with a bot. */
export function newConversationId(): string {
  return `a:1${randomBytes(36).toString('base64url')}`;
}

export function newAadObjectId(): string {
  return randomUUID();
}

/** Creates a key id like the ones in the Bot Framework JWKS: 27 base64url characters (a SHA-1 size). */
export function newKeyId(): string {
  return randomBytes(20).toString('base64url');
}

/** Creates an opaque secret for pre-authenticated download and upload URLs. */
export function newUrlSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Hands out activity ids. Teams uses the creation time in epoch milliseconds as the id of a
 * message in a personal chat, so ids here are such times, bumped by 1 ms where two would clash.
 */
export class ActivityIdClock {
  private last = 0;

  next(now = Date.now()): string {
    const value = Math.max(now, this.last + 1);
    this.last = value;
    return String(value);
  }
}
