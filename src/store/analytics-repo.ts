// Usage rollups: the metadata log folded into one row per organisation, day, local user,
// partner domain, platform and type, in SQL on both databases. The portal's charts read
// these rows; a count of distinct users over them is exact, per day or per month.

import { sql, type Kysely, type RawBuilder } from 'kysely';

import type { OrgId } from '../core/ids.js';
import type { SqlDialect } from './dialect.js';
import type { Database } from './schema.js';

/** Outcomes that count as a failed delivery in the charts. */
const failedOutcomes = ['dead_letter', 'rejected', 'policy_denied'] as const;
/** Metadata types that count as messages. */
export const messageTypes = ['im', 'file'] as const;

export interface UsageFilter {
  /** Inclusive UTC days, YYYY-MM-DD. */
  fromDay: string;
  toDay: string;
  partnerDomain?: string;
  platform?: string;
}

export interface UsagePoint {
  period: string;
  users: number;
  delivered: number;
  failed: number;
}

export interface UsageBreakdown {
  key: string;
  users: number;
  delivered: number;
  failed: number;
  firstDay: string;
  lastDay: string;
}

export class AnalyticsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  /** Returns the UTC day (`YYYY-MM-DD`) or month (`YYYY-MM`) of a millisecond time column. */
  private period(column: string, by: 'day' | 'month'): RawBuilder<string> {
    if (this.dialect === 'postgres') {
      const format = by === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM';
      return sql<string>`to_char(to_timestamp(${sql.ref(column)} / 1000.0) at time zone 'UTC', ${sql.lit(format)})`;
    }
    const format = by === 'day' ? '%Y-%m-%d' : '%Y-%m';
    return sql<string>`strftime(${sql.lit(format)}, ${sql.ref(column)} / 1000, 'unixepoch')`;
  }

  /** Returns the part of an address after the @, lowercased. */
  private domain(column: string): RawBuilder<string> {
    return this.dialect === 'postgres'
      ? sql<string>`lower(split_part(${sql.ref(column)}, '@', 2))`
      : sql<string>`lower(substr(${sql.ref(column)}, instr(${sql.ref(column)}, '@') + 1))`;
  }

  /**
   * Folds up to `batch` new metadata records into the rollups and moves the cursor past them,
   * in one transaction; returns how many records it read. Several nodes may call it: on
   * PostgreSQL the cursor row is locked, so each record is counted once.
   */
  async rollUp(batch = 200_000): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx.insertInto('usage_cursor').values({ id: 'metadata', seq: 0 }).onConflict((oc) => oc.column('id').doNothing()).execute();
      let cursorQuery = trx.selectFrom('usage_cursor').select('seq').where('id', '=', 'metadata');
      if (this.dialect === 'postgres') cursorQuery = cursorQuery.forUpdate();
      const cursor = Number((await cursorQuery.executeTakeFirstOrThrow()).seq);
      const last = await trx.selectFrom('metadata_log').select(sql<number>`max(seq)`.as('seq')).executeTakeFirst();
      const upto = Math.min(Number(last?.seq ?? 0), cursor + batch);
      if (upto <= cursor) return 0;

      const counted = sql.join(messageTypes.map((t) => sql.lit(t)));
      const failed = sql.join(failedOutcomes.map((o) => sql.lit(o)));
      // Each record seen from both sides: the sending organisation (its user is the sender)
      // and the receiving one (its user is the receiver). Traffic inside one organisation
      // counts once, on the sending side, while both users count as active.
      const sides = sql`
        with sides as (
          select source_org as org_id, at, lower(sender) as user_address, ${this.domain('sender')} as user_domain,
            ${this.domain('receiver')} as partner_domain, source_platform as platform, type, outcome, 1 as counted
          from metadata_log
          where seq > ${cursor} and seq <= ${upto} and source_org is not null and type in (${counted})
          union all
          select target_org, at, lower(receiver), ${this.domain('receiver')}, ${this.domain('sender')},
            coalesce(target_platform, source_platform), type, outcome, case when source_org is distinct from target_org then 1 else 0 end
          from metadata_log
          where seq > ${cursor} and seq <= ${upto} and target_org is not null and type in (${counted})
        )`;
      await sql`${sides}
        insert into usage_counts_daily (org_id, day, user_domain, partner_domain, platform, type, delivered, failed)
        select org_id, ${this.period('at', 'day')}, user_domain, partner_domain, platform, type,
          sum(case when outcome = 'delivered' then counted else 0 end), sum(case when outcome in (${failed}) then counted else 0 end)
        from sides where true
        group by 1, 2, 3, 4, 5, 6
        on conflict (org_id, day, user_domain, partner_domain, platform, type)
        do update set delivered = usage_counts_daily.delivered + excluded.delivered, failed = usage_counts_daily.failed + excluded.failed
      `.execute(trx);
      await sql`${sides}
        insert into usage_users_monthly (org_id, month, user_address, user_domain, partner_domain, platform)
        select distinct org_id, ${this.period('at', 'month')}, user_address, user_domain, partner_domain, platform
        from sides where true
        on conflict do nothing
      `.execute(trx);
      await sql`${sides}
        insert into usage_users_daily (org_id, day, user_address, user_domain, partner_domain, platform)
        select distinct org_id, ${this.period('at', 'day')}, user_address, user_domain, partner_domain, platform
        from sides where true
        on conflict do nothing
      `.execute(trx);
      await trx.updateTable('usage_cursor').set({ seq: upto }).where('id', '=', 'metadata').execute();
      return upto - cursor;
    });
  }

  /** Counts the raw metadata records: the baseline the benchmark sets the overview against. */
  async countMetadata(): Promise<number> {
    const row = await this.db.selectFrom('metadata_log').select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async countRollupRows(): Promise<number> {
    let total = 0;
    for (const table of ['usage_counts_daily', 'usage_users_monthly', 'usage_users_daily'] as const) {
      const row = await this.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirst();
      total += Number(row?.n ?? 0);
    }
    return total;
  }

  /** Returns the last metadata sequence number the rollups include. */
  async cursor(): Promise<number> {
    const row = await this.db.selectFrom('usage_cursor').select('seq').where('id', '=', 'metadata').executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  private counts(orgId: OrgId, filter: UsageFilter) {
    let query = this.db.selectFrom('usage_counts_daily').where('org_id', '=', orgId).where('day', '>=', filter.fromDay).where('day', '<=', filter.toDay);
    if (filter.partnerDomain !== undefined) query = query.where('partner_domain', '=', filter.partnerDomain);
    if (filter.platform !== undefined) query = query.where('platform', '=', filter.platform);
    return query;
  }

  /** Users by month over the months the range touches; ranges are whole months where users matter. */
  private monthlyUsers(orgId: OrgId, filter: UsageFilter) {
    let query = this.db
      .selectFrom('usage_users_monthly')
      .where('org_id', '=', orgId)
      .where('month', '>=', filter.fromDay.slice(0, 7))
      .where('month', '<=', filter.toDay.slice(0, 7));
    if (filter.partnerDomain !== undefined) query = query.where('partner_domain', '=', filter.partnerDomain);
    if (filter.platform !== undefined) query = query.where('platform', '=', filter.platform);
    return query;
  }

  private dailyUsers(orgId: OrgId, filter: UsageFilter) {
    let query = this.db.selectFrom('usage_users_daily').where('org_id', '=', orgId).where('day', '>=', filter.fromDay).where('day', '<=', filter.toDay);
    if (filter.partnerDomain !== undefined) query = query.where('partner_domain', '=', filter.partnerDomain);
    if (filter.platform !== undefined) query = query.where('platform', '=', filter.platform);
    return query;
  }

  /** Unique users, deliveries and failures per day or per month (YYYY-MM). */
  async series(orgId: OrgId, filter: UsageFilter, by: 'day' | 'month'): Promise<UsagePoint[]> {
    const period = by === 'day' ? sql<string>`day` : sql<string>`substr(day, 1, 7)`;
    const counts = await this.counts(orgId, filter)
      .select([period.as('period'), sql<number>`sum(delivered)`.as('delivered'), sql<number>`sum(failed)`.as('failed')])
      .groupBy(period)
      .execute();
    const users =
      by === 'day'
        ? await this.dailyUsers(orgId, filter).select(['day as period', sql<number>`count(distinct user_address)`.as('users')]).groupBy('day').execute()
        : await this.monthlyUsers(orgId, filter).select(['month as period', sql<number>`count(distinct user_address)`.as('users')]).groupBy('month').execute();
    const points = new Map<string, UsagePoint>();
    for (const row of counts) points.set(row.period, { period: row.period, users: 0, delivered: Number(row.delivered), failed: Number(row.failed) });
    for (const row of users) {
      const point = points.get(row.period) ?? { period: row.period, users: 0, delivered: 0, failed: 0 };
      point.users = Number(row.users);
      points.set(row.period, point);
    }
    return [...points.values()].sort((a, b) => a.period.localeCompare(b.period));
  }

  /** Unique users, deliveries and failures over the whole range (users over its whole months). */
  async total(orgId: OrgId, filter: UsageFilter): Promise<{ users: number; delivered: number; failed: number }> {
    const counts = await this.counts(orgId, filter)
      .select([sql<number>`coalesce(sum(delivered), 0)`.as('delivered'), sql<number>`coalesce(sum(failed), 0)`.as('failed')])
      .executeTakeFirst();
    const users = await this.monthlyUsers(orgId, filter).select(sql<number>`count(distinct user_address)`.as('users')).executeTakeFirst();
    return { users: Number(users?.users ?? 0), delivered: Number(counts?.delivered ?? 0), failed: Number(counts?.failed ?? 0) };
  }

  /** Sums the same totals per partner domain, local domain or platform, with the first and last day seen. */
  async breakdown(orgId: OrgId, filter: UsageFilter, by: 'partner_domain' | 'user_domain' | 'platform', limit = 1000): Promise<UsageBreakdown[]> {
    const counts = await this.counts(orgId, filter)
      .select([
        sql.ref<string>(by).as('key'),
        sql<number>`sum(delivered)`.as('delivered'),
        sql<number>`sum(failed)`.as('failed'),
        sql<string>`min(day)`.as('first_day'),
        sql<string>`max(day)`.as('last_day'),
      ])
      .groupBy(by)
      .execute();
    const users = await this.monthlyUsers(orgId, filter)
      .select([sql.ref<string>(by).as('key'), sql<number>`count(distinct user_address)`.as('users')])
      .groupBy(by)
      .execute();
    const usersOf = new Map(users.map((u) => [u.key, Number(u.users)]));
    return counts
      .map((r) => ({
        key: r.key,
        users: usersOf.get(r.key) ?? 0,
        delivered: Number(r.delivered),
        failed: Number(r.failed),
        firstDay: r.first_day,
        lastDay: r.last_day,
      }))
      .sort((a, b) => b.delivered - a.delivered || a.key.localeCompare(b.key))
      .slice(0, limit);
  }

  /** Invitations the organisation's users sent, per month of sending, by status. */
  async inviteFunnel(orgId: OrgId, fromMs: number): Promise<Array<{ month: string; status: string; count: number }>> {
    const month = this.period('i.created_at', 'month');
    const rows = await this.db
      .selectFrom('invitations as i')
      .innerJoin('users as u', 'u.id', 'i.from_user_id')
      .select([month.as('month'), 'i.status', sql<number>`count(*)`.as('count')])
      .where('u.org_id', '=', orgId)
      .where('i.created_at', '>=', fromMs)
      .groupBy([month, 'i.status'])
      .execute();
    return rows.map((r) => ({ month: r.month, status: r.status, count: Number(r.count) }));
  }

  /** Start and end times of the contacts that involve the organisation's users. */
  async contactSpans(orgId: OrgId): Promise<Array<{ createdAt: number; endedAt: number | null }>> {
    const rows = await this.db
      .selectFrom('contacts as c')
      .innerJoin('users as a', 'a.id', 'c.user_a_id')
      .innerJoin('users as b', 'b.id', 'c.user_b_id')
      .select(['c.created_at', 'c.ended_at'])
      .where((eb) => eb.or([eb('a.org_id', '=', orgId), eb('b.org_id', '=', orgId)]))
      .execute();
    return rows.map((r) => ({ createdAt: Number(r.created_at), endedAt: r.ended_at === null ? null : Number(r.ended_at) }));
  }

  /**
   * Removes rollups before `beforeDay`; the portal shows 12 months and keeps 13 at least.
   */
  async pruneRollups(beforeDay: string): Promise<number> {
    const counts = await this.db.deleteFrom('usage_counts_daily').where('day', '<', beforeDay).executeTakeFirst();
    const months = await this.db.deleteFrom('usage_users_monthly').where('month', '<', beforeDay.slice(0, 7)).executeTakeFirst();
    const days = await this.db.deleteFrom('usage_users_daily').where('day', '<', beforeDay).executeTakeFirst();
    return Number(counts.numDeletedRows) + Number(months.numDeletedRows) + Number(days.numDeletedRows);
  }

  /**
   * Removes raw metadata records older than the retention of every organisation they name,
   * and only those the rollups have read.
   */
  async pruneMetadata(cutoffFor: (orgId: string | null) => number): Promise<number> {
    const cursor = await this.cursor();
    const pairs = await this.db.selectFrom('metadata_log').select(['source_org', 'target_org']).distinct().where('seq', '<=', cursor).execute();
    let removed = 0;
    for (const { source_org: source, target_org: target } of pairs) {
      const cutoff = Math.min(cutoffFor(source), cutoffFor(target));
      const result = await this.db
        .deleteFrom('metadata_log')
        .where('seq', '<=', cursor)
        .where('at', '<', cutoff)
        .where((eb) => (source === null ? eb('source_org', 'is', null) : eb('source_org', '=', source)))
        .where((eb) => (target === null ? eb('target_org', 'is', null) : eb('target_org', '=', target)))
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }
}
