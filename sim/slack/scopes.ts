// Scope and rate-tier table of the Web API methods the simulator implements, taken from
// the docs.slack.dev method reference (2026). A conformance test compares it with the
// reference files when they are present; the simulator never reads them at run time.

import { SlackApiError } from './errors.js';
import type { ConversationType, InstalledApp } from './model.js';

/** Rate-limit tier: 1..4 as documented, `special` for methods with their own rule. */
export type RateTier = 1 | 2 | 3 | 4 | 'special';

export interface MethodSpec {
  tier: RateTier;
  /** Bot-token scopes the reference lists; the token needs at least one of them. */
  scopes: readonly string[];
  /** Narrower any-of scopes by conversation type, checked once the channel is known. */
  scopesByType?: Partial<Record<ConversationType, readonly string[]>>;
  /** The reference documents GET (a read method); POST is accepted for every method. */
  get: boolean;
}

const READ_BY_TYPE = {
  public: ['channels:read'],
  private: ['groups:read'],
  im: ['im:read'],
  mpim: ['mpim:read'],
} as const;

const READ_SCOPES = ['groups:read', 'im:read', 'mpim:read', 'channels:read'];

export const METHOD_SPECS: Readonly<Record<string, MethodSpec>> = {
  'auth.test': { tier: 'special', scopes: [], get: false },
  'bots.info': { tier: 3, scopes: ['users:read'], get: true },
  'users.info': { tier: 4, scopes: ['users:read'], get: true },
  'users.getPresence': { tier: 3, scopes: ['users:read'], get: true },
  'users.lookupByEmail': { tier: 3, scopes: ['users:read.email'], get: true },
  'users.list': { tier: 2, scopes: ['users:read'], get: true },
  'users.profile.get': { tier: 4, scopes: ['users.profile:read'], get: true },
  'conversations.open': {
    tier: 3,
    scopes: ['channels:manage', 'groups:write', 'im:write', 'mpim:write'],
    scopesByType: { im: ['im:write'], mpim: ['mpim:write'] },
    get: false,
  },
  'conversations.create': {
    tier: 2,
    scopes: ['groups:write', 'im:write', 'mpim:write', 'channels:write', 'channels:manage'],
    scopesByType: { private: ['groups:write'], public: ['channels:manage', 'channels:write'] },
    get: false,
  },
  'conversations.invite': {
    tier: 3,
    scopes: ['channels:write.invites', 'groups:write.invites', 'channels:manage', 'groups:write', 'im:write', 'mpim:write'],
    scopesByType: {
      public: ['channels:write.invites', 'channels:manage'],
      private: ['groups:write.invites', 'groups:write'],
    },
    get: false,
  },
  'conversations.kick': {
    tier: 3,
    scopes: ['groups:write', 'channels:manage'],
    scopesByType: { public: ['channels:manage'], private: ['groups:write'] },
    get: false,
  },
  'conversations.info': { tier: 3, scopes: READ_SCOPES, scopesByType: READ_BY_TYPE, get: true },
  'conversations.members': { tier: 4, scopes: READ_SCOPES, scopesByType: READ_BY_TYPE, get: true },
  'conversations.history': {
    tier: 3,
    scopes: ['groups:history', 'im:history', 'mpim:history', 'channels:history'],
    scopesByType: {
      public: ['channels:history'],
      private: ['groups:history'],
      im: ['im:history'],
      mpim: ['mpim:history'],
    },
    get: true,
  },
  'chat.postMessage': { tier: 'special', scopes: ['chat:write'], get: false },
  'chat.update': { tier: 3, scopes: ['chat:write'], get: false },
  'chat.delete': { tier: 3, scopes: ['chat:write'], get: false },
  'chat.postEphemeral': { tier: 4, scopes: ['chat:write'], get: false },
  'reactions.add': { tier: 3, scopes: ['reactions:write'], get: false },
  'reactions.remove': { tier: 2, scopes: ['reactions:write'], get: false },
  'files.getUploadURLExternal': { tier: 4, scopes: ['files:write'], get: false },
  'files.completeUploadExternal': { tier: 4, scopes: ['files:write'], get: false },
  'files.info': { tier: 4, scopes: ['files:read'], get: true },
};

/** Throws `missing_scope` unless the app holds at least one of `anyOf`. */
export function requireAnyScope(app: InstalledApp, anyOf: readonly string[]): void {
  if (anyOf.length === 0 || anyOf.some((scope) => app.scopes.has(scope))) {
    return;
  }

  throw new SlackApiError('missing_scope', {
    needed: anyOf.join(','),
    provided: [...app.scopes].join(','),
  });
}

/** Applies a method's per-conversation-type scope rule, if it has one. */
export function requireScopeForType(app: InstalledApp, method: string, type: ConversationType): void {
  const anyOf = METHOD_SPECS[method]?.scopesByType?.[type];
  if (anyOf !== undefined) {
    requireAnyScope(app, anyOf);
  }
}
