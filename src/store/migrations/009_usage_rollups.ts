import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/**
 * Usage rollups for the portal: per organisation, day, local user, partner domain, platform
 * and record type, the deliveries and failures. One row per user and day keeps monthly unique
 * users exact. The cursor says how far into the metadata log the rollups have read.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('usage_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_address', 'text', (c) => c.notNull())
    .addColumn('user_domain', 'text', (c) => c.notNull())
    .addColumn('partner_domain', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('delivered', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_daily_pk', ['org_id', 'day', 'user_address', 'partner_domain', 'platform', 'type'])
    .execute();
  await db.schema.createIndex('usage_daily_org_day').on('usage_daily').columns(['org_id', 'day']).execute();
  await db.schema
    .createTable('usage_cursor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
}
