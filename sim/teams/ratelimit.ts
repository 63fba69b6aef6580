// Sliding-window rate limits per bot per conversation. The Teams page "Optimize your bot with
// rate limiting" (learn.microsoft.com, bots/how-to/rate-limit) lists, per bot per thread, 7
// operations per 1 s, 8 per 2 s, 60 per 30 s and 1800 per hour. It states that every request
// (sends, roster fetches, and so on) is subject to rate limiting.

/** At most `limit` requests in any `windowMs` span. */
export interface RateWindow {
  windowMs: number;
  limit: number;
}

export const TEAMS_RATE_WINDOWS: readonly RateWindow[] = [
  { windowMs: 1000, limit: 7 },
  { windowMs: 2000, limit: 8 },
  { windowMs: 30_000, limit: 60 },
  { windowMs: 3_600_000, limit: 1800 },
];

/**
 * Groups of Connector operations that count against separate budgets: writes (send, reply,
 * update, delete), reads (the members routes) and conversation creation.
 * NOTE: Teams lists its limits per operation and may allow reads more than writes; the
 * simulator applies the same windows to every group.
 */
export type RateGroup = 'write' | 'read' | 'create';

export class RateLimiter {
  private readonly accepted = new Map<string, number[]>();
  private readonly windows: readonly RateWindow[];
  /** Requests the limiter rejected with 429. */
  rejected = 0;

  constructor(windows: readonly RateWindow[] = TEAMS_RATE_WINDOWS) {
    for (const window of windows) {
      if (!(window.limit >= 1) || !(window.windowMs >= 1)) {
        throw new RangeError(`Invalid rate window ${JSON.stringify(window)}: limit and windowMs must be at least 1.`);
      }
    }
    this.windows = windows;
  }

  /**
   * Counts one request under `key` and returns undefined, or, when a window is full, counts
   * nothing and returns the whole seconds until a slot frees up (at least 1), for Retry-After.
   */
  take(key: string, now = Date.now()): number | undefined {
    const longest = Math.max(...this.windows.map((w) => w.windowMs));
    const times = (this.accepted.get(key) ?? []).filter((t) => t > now - longest);

    let waitMs = 0;
    for (const window of this.windows) {
      const inWindow = times.filter((t) => t > now - window.windowMs);
      if (inWindow.length >= window.limit) {
        // The slot frees when the request that fills the window to its limit leaves it.
        const freeing = inWindow[inWindow.length - window.limit] ?? now;
        waitMs = Math.max(waitMs, freeing + window.windowMs - now);
      }
    }

    if (waitMs > 0) {
      this.accepted.set(key, times);
      this.rejected += 1;
      return Math.max(1, Math.ceil(waitMs / 1000));
    }
    times.push(now);
    this.accepted.set(key, times);
    return undefined;
  }
}
