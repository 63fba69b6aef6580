import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/** Admin controls: stored policies, suspended users, and the audit log of admin changes. */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('users').addColumn('suspended_at', 'bigint').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .execute();
  await db.schema.createIndex('audit_log_org').on('audit_log').columns(['org_id', 'at']).execute();
}
