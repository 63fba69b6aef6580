// Per-connection health for the portal: when a delivery last succeeded and failed, the last
// error code, and the deliveries and failures of the last hour, kept in memory per node.

const minuteMs = 60_000;
const windowMinutes = 60;

export interface ConnectionHealth {
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** The platform's error code of the last failure, such as `platform_rejected:404`. */
  lastError: string | null;
  lastHour: { delivered: number; failed: number };
}

interface Entry {
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  /** Counts per minute: minute number → [delivered, failed]. */
  minutes: Map<number, [number, number]>;
}

export class HealthTracker {
  private readonly entries = new Map<string, Entry>();

  private entry(connectionId: string): Entry {
    let entry = this.entries.get(connectionId);
    if (!entry) {
      entry = { lastSuccessAt: null, lastFailureAt: null, lastError: null, minutes: new Map() };
      this.entries.set(connectionId, entry);
    }
    return entry;
  }

  private count(entry: Entry, now: number, index: 0 | 1): void {
    const minute = Math.floor(now / minuteMs);
    const counts = entry.minutes.get(minute) ?? [0, 0];
    counts[index] += 1;
    entry.minutes.set(minute, counts);
    for (const key of entry.minutes.keys()) if (key <= minute - windowMinutes) entry.minutes.delete(key);
  }

  succeeded(connectionId: string, now = Date.now()): void {
    const entry = this.entry(connectionId);
    entry.lastSuccessAt = now;
    this.count(entry, now, 0);
  }

  failed(connectionId: string, code: string, now = Date.now()): void {
    const entry = this.entry(connectionId);
    entry.lastFailureAt = now;
    entry.lastError = code;
    this.count(entry, now, 1);
  }

  of(connectionId: string, now = Date.now()): ConnectionHealth {
    const entry = this.entries.get(connectionId);
    const since = Math.floor(now / minuteMs) - windowMinutes;
    let delivered = 0;
    let failed = 0;
    for (const [minute, counts] of entry?.minutes ?? []) {
      if (minute <= since) continue;
      delivered += counts[0];
      failed += counts[1];
    }
    const iso = (at: number | null | undefined) => (at === null || at === undefined ? null : new Date(at).toISOString());
    return { lastSuccessAt: iso(entry?.lastSuccessAt), lastFailureAt: iso(entry?.lastFailureAt), lastError: entry?.lastError ?? null, lastHour: { delivered, failed } };
  }
}
