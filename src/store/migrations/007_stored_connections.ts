import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/**
 * Connections an admin adds through the API: where they came from, their settings, and
 * their credentials sealed with AES-256-GCM. Connections from the config keep only their id,
 * organisation and platform here.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('connections').addColumn('source', 'text', (c) => c.notNull().defaultTo('config')).execute();
  await db.schema.alterTable('connections').addColumn('settings', 'text').execute();
  await db.schema.alterTable('connections').addColumn('credentials', 'text').execute();
  await db.schema.alterTable('connections').addColumn('updated_at', 'bigint').execute();
}
