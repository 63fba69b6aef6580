import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/** Each user's last known presence, for presence relays and the `contacts` command. */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('presence', 'text').execute();
  await db.schema.alterTable('users').addColumn('presence_at', 'bigint').execute();
}
