import type { Kysely } from 'kysely';

import type { SqlDialect } from '../dialect.js';

/**
 * Shared channels: a space or channel on one platform that its members opened to external
 * contacts. Each channel has one mirror per platform connection of its invitees, and one row
 * per invitee, kept when they leave so that the history of who was in it stays readable.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  const time = 'bigint';
  await db.schema
    .createTable('channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addUniqueConstraint('channels_origin', ['connection_id', 'conversation_id'])
    .execute();

  await db.schema
    .createTable('channel_mirrors')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_mirrors_pk', ['channel_id', 'connection_id'])
    .execute();
  await db.schema.createIndex('channel_mirrors_conversation').on('channel_mirrors').columns(['connection_id', 'conversation_id']).execute();

  await db.schema
    .createTable('channel_members')
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', time, (c) => c.notNull())
    .addColumn('updated_at', time, (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_members_pk', ['channel_id', 'user_id'])
    .execute();
  await db.schema.createIndex('channel_members_contact').on('channel_members').columns(['contact_id']).execute();
}
