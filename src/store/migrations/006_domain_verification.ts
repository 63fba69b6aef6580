import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/** Domains an org admin adds: the DNS TXT token that proves ownership, and when it was added. */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('domains').addColumn('verification_token', 'text').execute();
  await db.schema.alterTable('domains').addColumn('added_at', 'bigint').execute();
}
