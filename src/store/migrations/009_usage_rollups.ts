import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/**
 * Usage rollups for the portal, per organisation: deliveries and failures per day, local
 * domain, partner domain, platform and type; and the users active per month and per day,
 * one row per user, so that unique users are counted exactly. The cursor says how far into
 * the metadata log the rollups have read.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('usage_counts_daily')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('user_domain', 'text', (c) => c.notNull())
    .addColumn('partner_domain', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('delivered', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_counts_daily_pk', ['org_id', 'day', 'user_domain', 'partner_domain', 'platform', 'type'])
    .execute();
  for (const [table, period] of [
    ['usage_users_monthly', 'month'],
    ['usage_users_daily', 'day'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn(period, 'text', (c) => c.notNull())
      .addColumn('user_address', 'text', (c) => c.notNull())
      .addColumn('user_domain', 'text', (c) => c.notNull())
      .addColumn('partner_domain', 'text', (c) => c.notNull())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['org_id', period, 'user_address', 'partner_domain', 'platform'])
      .execute();
  }
  await db.schema
    .createTable('usage_cursor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
}
