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

  /** The UTC day of a millisecond time column, as YYYY-MM-DD. */
  private day(column: string): RawBuilder<string> {
    return this.dialect === 'postgres'
      ? sql<string>`to_char(to_timestamp(${sql.ref(column)} / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`
      : sql<string>`strftime('%Y-%m-%d', ${sql.ref(column)} / 1000, 'unixepoch')`;
  }

  /** The part of an address after the @, lowercased. */
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
      // What each organisation sent: its user is the sender, the partner the receiver's domain.
      await sql`
        insert into usage_daily (day, org_id, user_address, user_domain, partner_domain, platform, type, delivered, failed)
        select ${this.day('at')}, source_org, lower(sender), ${this.domain('sender')}, ${this.domain('receiver')}, source_platform, type,
          sum(case when outcome = 'delivered' then 1 else 0 end), sum(case when outcome in (${failed}) then 1 else 0 end)
        from metadata_log
        where seq > ${cursor} and seq <= ${upto} and source_org is not null and type in (${counted})
        group by 1, 2, 3, 4, 5, 6, 7
        on conflict (org_id, day, user_address, partner_domain, platform, type)
        do update set delivered = usage_daily.delivered + excluded.delivered, failed = usage_daily.failed + excluded.failed
      `.execute(trx);
      // What each organisation received. Traffic inside one organisation (two of its platforms)
      // is counted once, on the sending side; the receiver still counts as an active user.
      await sql`
        insert into usage_daily (day, org_id, user_address, user_domain, partner_domain, platform, type, delivered, failed)
        select ${this.day('at')}, target_org, lower(receiver), ${this.domain('receiver')}, ${this.domain('sender')}, coalesce(target_platform, source_platform), type,
          sum(case when outcome = 'delivered' and source_org is distinct from target_org then 1 else 0 end),
          sum(case when outcome in (${failed}) and source_org is distinct from target_org then 1 else 0 end)
        from metadata_log
        where seq > ${cursor} and seq <= ${upto} and target_org is not null and type in (${counted})
        group by 1, 2, 3, 4, 5, 6, 7
        on conflict (org_id, day, user_address, partner_domain, platform, type)
        do update set delivered = usage_daily.delivered + excluded.delivered, failed = usage_daily.failed + excluded.failed
      `.execute(trx);
      await trx.updateTable('usage_cursor').set({ seq: upto }).where('id', '=', 'metadata').execute();
      return upto - cursor;
    });
  }

  /** The last metadata sequence number the rollups include. */
  async cursor(): Promise<number> {
    const row = await this.db.selectFrom('usage_cursor').select('seq').where('id', '=', 'metadata').executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  private filtered(orgId: OrgId, filter: UsageFilter) {
    let query = this.db.selectFrom('usage_daily').where('org_id', '=', orgId).where('day', '>=', filter.fromDay).where('day', '<=', filter.toDay);
    if (filter.partnerDomain !== undefined) query = query.where('partner_domain', '=', filter.partnerDomain);
    if (filter.platform !== undefined) query = query.where('platform', '=', filter.platform);
    return query;
  }

  /** Unique users, deliveries and failures per day or per month (YYYY-MM). */
  async series(orgId: OrgId, filter: UsageFilter, by: 'day' | 'month'): Promise<UsagePoint[]> {
    const period = by === 'day' ? sql<string>`day` : sql<string>`substr(day, 1, 7)`;
    const rows = await this.filtered(orgId, filter)
      .select([
        period.as('period'),
        sql<number>`count(distinct user_address)`.as('users'),
        sql<number>`sum(delivered)`.as('delivered'),
        sql<number>`sum(failed)`.as('failed'),
      ])
      .groupBy(period)
      .orderBy(period)
      .execute();
    return rows.map((r) => ({ period: r.period, users: Number(r.users), delivered: Number(r.delivered), failed: Number(r.failed) }));
  }

  /** Unique users, deliveries and failures over the whole range. */
  async total(orgId: OrgId, filter: UsageFilter): Promise<{ users: number; delivered: number; failed: number }> {
    const row = await this.filtered(orgId, filter)
      .select([sql<number>`count(distinct user_address)`.as('users'), sql<number>`coalesce(sum(delivered), 0)`.as('delivered'), sql<number>`coalesce(sum(failed), 0)`.as('failed')])
      .executeTakeFirst();
    return { users: Number(row?.users ?? 0), delivered: Number(row?.delivered ?? 0), failed: Number(row?.failed ?? 0) };
  }

  /** The same totals per partner domain, local domain or platform, with the first and last day seen. */
  async breakdown(orgId: OrgId, filter: UsageFilter, by: 'partner_domain' | 'user_domain' | 'platform', limit = 1000): Promise<UsageBreakdown[]> {
    const rows = await this.filtered(orgId, filter)
      .select([
        sql.ref<string>(by).as('key'),
        sql<number>`count(distinct user_address)`.as('users'),
        sql<number>`sum(delivered)`.as('delivered'),
        sql<number>`sum(failed)`.as('failed'),
        sql<string>`min(day)`.as('first_day'),
        sql<string>`max(day)`.as('last_day'),
      ])
      .groupBy(by)
      .orderBy(sql`sum(delivered)`, 'desc')
      .orderBy(by)
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      key: r.key,
      users: Number(r.users),
      delivered: Number(r.delivered),
      failed: Number(r.failed),
      firstDay: r.first_day,
      lastDay: r.last_day,
    }));
  }

  /** Invitations the organisation's users sent, per month of sending, by status. */
  async inviteFunnel(orgId: OrgId, fromMs: number): Promise<Array<{ month: string; status: string; count: number }>> {
    const month = this.dialect === 'postgres'
      ? sql<string>`to_char(to_timestamp(i.created_at / 1000.0) at time zone 'UTC', 'YYYY-MM')`
      : sql<string>`strftime('%Y-%m', i.created_at / 1000, 'unixepoch')`;
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

  /** Removes rollup days before `day`; the portal shows 12 months and keeps 13 at least. */
  async pruneRollups(beforeDay: string): Promise<number> {
    const result = await this.db.deleteFrom('usage_daily').where('day', '<', beforeDay).executeTakeFirst();
    return Number(result.numDeletedRows);
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
