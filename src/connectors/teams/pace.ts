// Per-conversation pacing of a bot's posts, within the limits Microsoft publishes for Teams
// bots (bots/how-to/rate-limit.md): 7 in 1 s, 8 in 2 s, 60 in 30 s and 1800 in an hour.

export interface RateWindow {
  limit: number;
  ms: number;
}

export const teamsRateWindows: readonly RateWindow[] = [
  { limit: 7, ms: 1000 },
  { limit: 8, ms: 2000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
];

/**
 * Each window is kept this much longer than published: a post is counted when it leaves the hub,
 * but the service counts it when it arrives, a little later.
 */
const marginMs = 150;

export class ConversationPacer {
  private readonly sent = new Map<string, number[]>();
  private readonly longest: number;

  constructor(private readonly windows: readonly RateWindow[] = teamsRateWindows) {
    this.longest = Math.max(...windows.map((w) => w.ms)) + marginMs;
  }

  /** Milliseconds to wait before the next post to this conversation keeps within every window. */
  delay(conversation: string, now = Date.now()): number {
    const times = (this.sent.get(conversation) ?? []).filter((t) => now - t < this.longest);
    this.sent.set(conversation, times);
    let wait = 0;
    for (const window of this.windows) {
      const span = window.ms + marginMs;
      const recent = times.filter((t) => now - t < span);
      if (recent.length >= window.limit) {
        // The post may go when the oldest post that fills the window leaves it.
        const oldest = recent[recent.length - window.limit]!;
        wait = Math.max(wait, oldest + span - now);
      }
    }
    return wait;
  }

  /** Records a post to this conversation. */
  record(conversation: string, now = Date.now()): void {
    const times = this.sent.get(conversation) ?? [];
    times.push(now);
    this.sent.set(conversation, times);
  }
}
