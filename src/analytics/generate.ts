// Synthetic traffic for tests, benchmarks and the sandbox: metadata records spread over the
// last months between several organisations, dozens of partner domains and every platform,
// from a seeded generator so that a run can be repeated. Records only, never content.

import type { OrgId } from '../core/ids.js';
import { platforms, type Platform } from '../core/platform.js';
import type { Store } from '../store/store.js';
import type { MetadataInsert } from '../store/types.js';

export interface TrafficOptions {
  records: number;
  /** How far back the traffic goes. */
  months: number;
  /** Organisations on the hub and their domains; their users send and receive. */
  orgs: Array<{ id: string; domains: string[]; platform: Platform }>;
  /** Partner domains outside the hub's organisations, reached over open federation. */
  partnerDomains?: number;
  usersPerDomain?: number;
  seed?: number;
  now?: number;
  /** Records per insert statement. */
  batch?: number;
}

/** Mulberry32: small, fast and good enough to spread synthetic traffic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the records and returns how many; they are appended to the store's metadata log. */
export async function generateTraffic(store: Store, options: TrafficOptions): Promise<number> {
  const next = random(options.seed ?? 42);
  const now = options.now ?? Date.now();
  const span = options.months * 30 * 24 * 60 * 60 * 1000;
  const usersPerDomain = options.usersPerDomain ?? 40;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const partners = Array.from({ length: options.partnerDomains ?? 30 }, (_, i) => `partner${i + 1}.example`);
  const local = options.orgs.flatMap((org) => org.domains.map((domain) => ({ org, domain })));
  // About one delivery in fifty fails, as a rough picture of a healthy hub.
  const outcome = () => {
    const roll = next();
    return roll < 0.98 ? 'delivered' : roll < 0.99 ? 'dead_letter' : 'policy_denied';
  };
  const batchSize = options.batch ?? 2000;

  // Like people, each user writes to a few contacts: two in three at another organisation on
  // the hub, the rest at partners reached over open federation.
  const contacts = new Map<string, Array<{ address: string; local?: (typeof local)[number] }>>();
  const contactsOf = (sender: string, from: (typeof local)[number]) => {
    let list = contacts.get(sender);
    if (!list) {
      list = Array.from({ length: 1 + Math.floor(next() * 4) }, () => {
        const toLocal = next() < 0.66 ? pick(local.filter((l) => l.org.id !== from.org.id)) : undefined;
        const domain = toLocal?.domain ?? pick(partners);
        return { address: `user${Math.floor(next() * usersPerDomain) + 1}@${domain}`, ...(toLocal ? { local: toLocal } : {}) };
      });
      contacts.set(sender, list);
    }
    return list;
  };

  let written = 0;
  let batch: MetadataInsert[] = [];
  for (let i = 0; i < options.records; i++) {
    const from = pick(local);
    const sender = `user${Math.floor(next() * usersPerDomain) + 1}@${from.domain}`;
    const contact = pick(contactsOf(sender, from));
    const toLocal = contact.local;
    const receiver = contact.address;
    // Traffic grows over the months, so the charts have a shape.
    const age = Math.floor(Math.pow(next(), 0.8) * span);
    batch.push({
      at: now - age,
      type: next() < 0.9 ? 'im' : 'file',
      eventKind: 'message',
      sender,
      receiver,
      sessionId: null,
      sourcePlatform: from.org.platform,
      targetPlatform: toLocal ? toLocal.org.platform : pick(platforms),
      sourceOrg: from.org.id as OrgId,
      targetOrg: (toLocal?.org.id ?? null) as OrgId | null,
      outcome: outcome(),
    });
    if (batch.length >= batchSize) {
      await store.appendMetadata(batch);
      written += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await store.appendMetadata(batch);
    written += batch.length;
  }
  return written;
}
