// The portal's numbers checked against the raw metadata log. 12 months of synthetic traffic go
// in. The overview's unique users, deliveries and failures, overall and per partner domain and
// platform, must equal what this test counts from the records itself. Runs on SQLite and, when
// PARLEY_TEST_POSTGRES_URL is set, on PostgreSQL.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { generateTraffic } from '../../src/analytics/generate.js';
import { AnalyticsService } from '../../src/analytics/overview.js';
import { asId, type OrgId } from '../../src/core/ids.js';
import type { Store } from '../../src/store/store.js';
import type { MetadataRecord } from '../../src/store/types.js';
import { storeFactories } from '../kit/stores.js';

const now = Date.UTC(2026, 11, 4, 12, 0, 0);
const orgs = [
  { id: 'acme', domains: ['acme.example', 'acme-labs.example'], platform: 'webex' as const },
  { id: 'globex', domains: ['globex.example'], platform: 'slack' as const },
  { id: 'initech', domains: ['initech.example'], platform: 'xmpp' as const },
];
const failedOutcomes = new Set(['dead_letter', 'rejected', 'policy_denied']);

interface Row {
  month: string;
  day: string;
  user: string;
  partner: string;
  platform: string;
  delivered: number;
  failed: number;
}

/** Lists the organisation's view of each record, counted here from the definitions, not the SQL. */
function rowsFor(org: string, records: MetadataRecord[]): Row[] {
  const rows: Row[] = [];
  for (const r of records) {
    if (r.type !== 'im' && r.type !== 'file') continue;
    const month = new Date(r.at).toISOString().slice(0, 7);
    const day = new Date(r.at).toISOString().slice(0, 10);
    const delivered = r.outcome === 'delivered' ? 1 : 0;
    const failed = failedOutcomes.has(r.outcome) ? 1 : 0;
    if (r.sourceOrg === org) rows.push({ month, day, user: r.sender.toLowerCase(), partner: r.receiver.split('@')[1]!, platform: r.sourcePlatform, delivered, failed });
    if (r.targetOrg === org) {
      const internal = r.sourceOrg === r.targetOrg;
      rows.push({ month, day, user: r.receiver.toLowerCase(), partner: r.sender.split('@')[1]!, platform: r.targetPlatform ?? r.sourcePlatform, delivered: internal ? 0 : delivered, failed: internal ? 0 : failed });
    }
  }
  return rows;
}

function monthly(rows: Row[]): Map<string, { users: number; delivered: number; failed: number }> {
  const out = new Map<string, { users: Set<string>; delivered: number; failed: number }>();
  for (const row of rows) {
    const entry = out.get(row.month) ?? { users: new Set<string>(), delivered: 0, failed: 0 };
    entry.users.add(row.user);
    entry.delivered += row.delivered;
    entry.failed += row.failed;
    out.set(row.month, entry);
  }
  return new Map([...out].map(([month, e]) => [month, { users: e.users.size, delivered: e.delivered, failed: e.failed }]));
}

for (const factory of storeFactories()) {
  describe(`usage analytics (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let records: MetadataRecord[];
    let analytics: AnalyticsService;

    before(async () => {
      ({ store, dispose } = await factory.create());
      for (const org of orgs) await store.ensureOrg(asId<OrgId>(org.id), org.id, 1);
      await generateTraffic(store, { records: 6000, months: 12, orgs, partnerDomains: 12, usersPerDomain: 25, seed: 7, now, batch: 500 });
      records = await store.queryMetadata({ limit: 100_000 });
      analytics = new AnalyticsService(store);
    });
    after(() => dispose());

    test('monthly numbers equal raw records', async () => {
      for (const org of orgs) {
        const overview = await analytics.overview(asId<OrgId>(org.id), {}, now);
        const expected = monthly(rowsFor(org.id, records).filter((r) => r.month >= overview.months[0]!.period));
        assert.equal(overview.months.length, 12);
        for (const month of overview.months) {
          const want = expected.get(month.period) ?? { users: 0, delivered: 0, failed: 0 };
          assert.deepEqual({ users: month.users, delivered: month.delivered, failed: month.failed }, want, `${org.id} ${month.period}`);
        }
        // The last 30 days, day by day.
        const byDay = monthly(rowsFor(org.id, records).map((r) => ({ ...r, month: r.day })));
        assert.equal(overview.days.length, 30);
        for (const day of overview.days) {
          const want = byDay.get(day.period) ?? { users: 0, delivered: 0, failed: 0 };
          assert.deepEqual({ users: day.users, delivered: day.delivered, failed: day.failed }, want, `${org.id} ${day.period}`);
        }
        const all = rowsFor(org.id, records).filter((r) => r.month >= overview.months[0]!.period);
        assert.equal(overview.totals.users, new Set(all.map((r) => r.user)).size);
        assert.equal(overview.totals.delivered, all.reduce((s, r) => s + r.delivered, 0));
      }
    });

    test('filters narrow the numbers exactly', async () => {
      const acme = asId<OrgId>('acme');
      for (const filter of [{ partnerDomain: 'globex.example' }, { partnerDomain: 'partner3.example' }, { platform: 'webex' }]) {
        const overview = await analytics.overview(acme, filter, now);
        const rows = rowsFor('acme', records).filter(
          (r) => (filter.partnerDomain === undefined || r.partner === filter.partnerDomain) && (filter.platform === undefined || r.platform === filter.platform),
        );
        const expected = monthly(rows);
        for (const month of overview.months) {
          const want = expected.get(month.period) ?? { users: 0, delivered: 0, failed: 0 };
          assert.deepEqual({ users: month.users, delivered: month.delivered, failed: month.failed }, want, `${JSON.stringify(filter)} ${month.period}`);
        }
      }
    });

    test('shorter period shows its months', async () => {
      const acme = asId<OrgId>('acme');
      const year = await analytics.overview(acme, {}, now);
      const quarter = await analytics.overview(acme, { months: 3 }, now);
      assert.deepEqual(quarter.months, year.months.slice(9));
      assert.equal(quarter.totals.delivered, year.months.slice(9).reduce((s, m) => s + m.delivered, 0));
      const rows = rowsFor('acme', records).filter((r) => r.month >= quarter.months[0]!.period);
      assert.equal(quarter.totals.users, new Set(rows.map((r) => r.user)).size);
    });

    test('breakdowns add up with first and last days', async () => {
      const overview = await analytics.overview(asId<OrgId>('acme'), {}, now);
      const partners = overview.byPartnerDomain;
      assert.ok(partners.length > 5);
      const rows = rowsFor('acme', records).filter((r) => r.month >= overview.months[0]!.period);
      for (const partner of partners.slice(0, 5)) {
        const mine = rows.filter((r) => r.partner === partner.key);
        assert.equal(partner.delivered, mine.reduce((s, r) => s + r.delivered, 0), partner.key);
        assert.equal(partner.users, new Set(mine.map((r) => r.user)).size, partner.key);
        assert.ok(partner.firstDay <= partner.lastDay);
      }
      assert.deepEqual(overview.byLocalDomain.map((d) => d.key).sort(), ['acme-labs.example', 'acme.example']);
      assert.equal(
        overview.byPlatform.reduce((s, p) => s + p.delivered, 0),
        overview.totals.delivered,
      );
    });

    test('retention prunes only expired, rolled-up records', async () => {
      const day = 24 * 3600 * 1000;
      const retention: Record<string, number> = { acme: 30, globex: 200, initech: 30 };
      const cutoff = (org: string | null) => now - (org === null ? 90 : retention[org]!) * day;
      const keep = (r: MetadataRecord) => r.at >= Math.min(cutoff(r.sourceOrg), cutoff(r.targetOrg));
      await analytics.catchUp();
      const before = await analytics.overview(asId<OrgId>('acme'), {}, now);
      const removed = await store.analytics.pruneMetadata(cutoff);
      const left = await store.queryMetadata({ limit: 100_000 });
      assert.equal(removed, records.filter((r) => !keep(r)).length);
      assert.equal(left.length, records.filter(keep).length);
      assert.ok(left.every(keep));
      assert.ok(left.some((r) => r.sourceOrg === 'acme' && r.targetOrg === 'globex' && r.at < now - 100 * day), "globex's longer retention keeps shared records");
      // The charts read rollups, so they do not change.
      assert.deepEqual((await analytics.overview(asId<OrgId>('acme'), {}, now)).months, before.months);
      records = await store.queryMetadata({ limit: 100_000 });
    });

    test('new records folded in once', async () => {
      const acme = asId<OrgId>('acme');
      const before = await analytics.overview(acme, {}, now);
      await store.appendMetadata([
        { at: now - 1000, type: 'im', eventKind: 'message', sender: 'New.User@acme.example', receiver: 'x@globex.example', sessionId: null, sourcePlatform: 'webex', targetPlatform: 'slack', sourceOrg: acme, targetOrg: asId<OrgId>('globex'), outcome: 'delivered' },
      ]);
      await Promise.all([analytics.overview(acme, {}, now), analytics.overview(acme, {}, now)]);
      const after = await analytics.overview(acme, {}, now);
      assert.equal(after.months[11]!.delivered, before.months[11]!.delivered + 1);
      assert.equal(after.months[11]!.users, before.months[11]!.users + 1);
      assert.equal(after.days[29]!.delivered, before.days[29]!.delivered + 1);
    });
  });
}
