// The portal's numbers for one organisation: the trailing 12 months by month and the last
// 30 days by day (unique users, deliveries, failures), the split by platform and by local
// and partner domain, the invitation funnel and active contacts. Everything comes from the
// usage rollups and the domain tables, never from message content.

import type { OrgId } from '../core/ids.js';
import type { Store } from '../store/store.js';
import type { UsageBreakdown, UsageFilter, UsagePoint } from '../store/analytics-repo.js';

export interface OverviewFilter {
  partnerDomain?: string;
  platform?: string;
  /** The period: this many calendar months up to this one, 1 to 12; 12 by default. */
  months?: number;
}

export interface Overview {
  org: string;
  generatedAt: string;
  /** The calendar months of the period (12 by default) up to and including the current one, oldest first; months without traffic have zeros. */
  months: Array<UsagePoint & { activeContacts: number; invitations: Record<string, number> }>;
  /** The last 30 days, oldest first. */
  days: UsagePoint[];
  /** Totals over the period. */
  totals: { users: number; delivered: number; failed: number };
  byPlatform: UsageBreakdown[];
  byPartnerDomain: UsageBreakdown[];
  byLocalDomain: UsageBreakdown[];
  /** Every partner domain of the period, the other filters aside, for a filter picker. */
  partnerDomains: string[];
}

/** Invitation statuses as the overview counts them; a held one is pending, a withdrawn one cancelled. */
const funnelStatus: Record<string, string> = {
  pending: 'pending',
  awaiting_approval: 'pending',
  accepted: 'accepted',
  declined: 'declined',
  expired: 'expired',
};

const dayMs = 24 * 60 * 60 * 1000;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first day of the month `back` months before the month of `now`, in UTC. */
function monthStart(now: number, back: number): Date {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - back, 1));
}

export class AnalyticsService {
  constructor(private readonly store: Store) {}

  /** Folds in what the metadata log gained since the last call, then builds the overview. */
  async overview(orgId: OrgId, options: OverviewFilter = {}, now = Date.now()): Promise<Overview> {
    await this.catchUp();
    const { months: period = 12, ...filter } = options;
    const count = Math.min(12, Math.max(1, Math.floor(period)));
    const first = monthStart(now, count - 1);
    const range: UsageFilter = { fromDay: isoDay(first.getTime()), toDay: isoDay(now), ...filter };
    const lastDays: UsageFilter = { ...range, fromDay: isoDay(now - 29 * dayMs) };
    const [monthly, daily, totals, byPlatform, byPartnerDomain, byLocalDomain, funnel, spans] = await Promise.all([
      this.store.analytics.series(orgId, range, 'month'),
      this.store.analytics.series(orgId, lastDays, 'day'),
      this.store.analytics.total(orgId, range),
      this.store.analytics.breakdown(orgId, range, 'platform'),
      this.store.analytics.breakdown(orgId, range, 'partner_domain', 200),
      this.store.analytics.breakdown(orgId, range, 'user_domain', 50),
      this.store.analytics.inviteFunnel(orgId, first.getTime()),
      this.store.analytics.contactSpans(orgId),
    ]);
    const partnerDomains =
      filter.partnerDomain === undefined && filter.platform === undefined
        ? byPartnerDomain.map((p) => p.key)
        : (await this.store.analytics.breakdown(orgId, { fromDay: range.fromDay, toDay: range.toDay }, 'partner_domain', 1000)).map((p) => p.key);

    const months = Array.from({ length: count }, (_, i) => {
      const start = monthStart(now, count - 1 - i);
      const end = monthStart(now, count - 2 - i).getTime();
      const period = start.toISOString().slice(0, 7);
      const point = monthly.find((m) => m.period === period) ?? { period, users: 0, delivered: 0, failed: 0 };
      const invitations: Record<string, number> = { sent: 0, accepted: 0, declined: 0, expired: 0, pending: 0, cancelled: 0 };
      for (const row of funnel.filter((f) => f.month === period)) {
        const status = funnelStatus[row.status] ?? 'cancelled';
        invitations.sent! += row.count;
        invitations[status]! += row.count;
      }
      const activeContacts = spans.filter((c) => c.createdAt < end && (c.endedAt === null || c.endedAt >= start.getTime())).length;
      return { ...point, activeContacts, invitations };
    });
    const days = Array.from({ length: 30 }, (_, i) => {
      const period = isoDay(now - (29 - i) * dayMs);
      return daily.find((d) => d.period === period) ?? { period, users: 0, delivered: 0, failed: 0 };
    });
    return {
      org: orgId,
      generatedAt: new Date(now).toISOString(),
      months,
      days,
      totals,
      byPlatform,
      byPartnerDomain,
      byLocalDomain,
      partnerDomains: [...partnerDomains].sort(),
    };
  }

  /** Usage per partner domain, local domain or platform over a range of days, for reports. */
  async usage(orgId: OrgId, by: 'partner_domain' | 'user_domain' | 'platform', range: UsageFilter): Promise<UsageBreakdown[]> {
    await this.catchUp();
    return this.store.analytics.breakdown(orgId, range, by);
  }

  /** Reads the metadata log into the rollups until they are current. */
  async catchUp(): Promise<void> {
    while ((await this.store.analytics.rollUp()) > 0) {
      // Each round folds one batch; large backlogs take several.
    }
  }
}
