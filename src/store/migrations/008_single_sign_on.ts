import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/**
 * Single sign-on: admins who log in only through their organisation's identity provider,
 * and the logins in progress (state, nonce and PKCE verifier), kept in the database so that
 * any node can finish a login another node started.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('admins').addColumn('sso_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('sso_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
