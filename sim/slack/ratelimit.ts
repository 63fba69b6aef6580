// Token buckets for Slack's Web API limits: per method per app installation by tier, and
// chat.postMessage per channel. Slack documents the tiers as "1+, 20+, 50+, 100+ per minute"
// with occasional bursts; each bucket here holds one minute's allowance, an estimate of
// what "bursts" means.

import type { RateTier } from './scopes.js';

const PER_MINUTE_BY_TIER: Record<Exclude<RateTier, 'special'>, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

/** Allowance of the special-tier methods other than chat.postMessage (auth.test). */
// NOTE: Slack documents auth.test as "special" without a number; tier 4 is an estimate.
const SPECIAL_PER_MINUTE = 100;

export interface RateLimitOptions {
  /** Multiplies every allowance; tests and the sandbox raise it to stay under the limits. */
  scale: number;
  /** chat.postMessage messages per second per channel before scaling (Slack: about 1). */
  channelPostsPerSecond: number;
  /** Messages a channel may take at once before the per-second rate applies (before scaling). */
  channelBurst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly options: RateLimitOptions;

  constructor(options: RateLimitOptions) {
    this.options = options;
  }

  /** Takes one call for `method` by app `appId`; returns Retry-After seconds when over the limit. */
  takeMethodCall(appId: string, method: string, tier: RateTier): number | undefined {
    const perMinute = tier === 'special' ? SPECIAL_PER_MINUTE : PER_MINUTE_BY_TIER[tier];
    const perMs = (perMinute * this.options.scale) / 60_000;
    const capacity = Math.max(1, Math.ceil(perMinute * this.options.scale));
    return this.take(`method:${appId}:${method}`, perMs, capacity);
  }

  /** Takes one chat.postMessage slot in `channel`; returns Retry-After seconds when over the limit. */
  takeChannelPost(channel: string): number | undefined {
    const perMs = (this.options.channelPostsPerSecond * this.options.scale) / 1000;
    const capacity = Math.max(1, Math.round(this.options.channelBurst * this.options.scale));
    return this.take(`post:${channel}`, perMs, capacity);
  }

  private take(key: string, perMs: number, capacity: number): number | undefined {
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }

    const waitMs = (1 - bucket.tokens) / perMs;
    return Math.max(1, Math.ceil(waitMs / 1000));
  }
}
