// Platform connections an admin added through the API. Their credentials are stored only
// sealed; this repository never sees them in the clear.

import type { Kysely } from 'kysely';

import type { ConnectionId, OrgId } from '../core/ids.js';
import type { Platform } from '../core/platform.js';
import type { Database } from './schema.js';

export interface StoredConnection {
  id: ConnectionId;
  orgId: OrgId;
  platform: Platform;
  /** The platform section's settings, without credentials. */
  settings: Record<string, unknown>;
  /** The credentials, sealed. */
  sealedCredentials: string;
  createdAt: number;
  updatedAt: number;
}

export class ConnectionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<StoredConnection[]> {
    const rows = await this.db.selectFrom('connections').selectAll().where('source', '=', 'api').orderBy('id').execute();
    return rows.map(toStored);
  }

  async get(id: ConnectionId): Promise<StoredConnection | undefined> {
    const row = await this.db.selectFrom('connections').selectAll().where('id', '=', id).where('source', '=', 'api').executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /** Returns where a connection id is in use (`config`, `api`, `removed`), or undefined when it is free. */
  async sourceOf(id: ConnectionId): Promise<string | undefined> {
    const row = await this.db.selectFrom('connections').select('source').where('id', '=', id).executeTakeFirst();
    return row?.source;
  }

  /** Adds an API connection; returns false when the id is taken. */
  async add(connection: Omit<StoredConnection, 'updatedAt'>): Promise<boolean> {
    const inserted = await this.db
      .insertInto('connections')
      .values({
        id: connection.id,
        org_id: connection.orgId,
        platform: connection.platform,
        created_at: connection.createdAt,
        source: 'api',
        settings: JSON.stringify(connection.settings),
        credentials: connection.sealedCredentials,
        updated_at: connection.createdAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(id: ConnectionId, settings: Record<string, unknown>, sealedCredentials: string, at: number): Promise<void> {
    await this.db
      .updateTable('connections')
      .set({ settings: JSON.stringify(settings), credentials: sealedCredentials, updated_at: at })
      .where('id', '=', id)
      .where('source', '=', 'api')
      .execute();
  }

  /**
   * Removes an API connection's settings and credentials. The row stays, marked removed, since
   * users, proxies and the metadata log refer to the connection id.
   */
  async remove(id: ConnectionId, at: number): Promise<void> {
    await this.db
      .updateTable('connections')
      .set({ source: 'removed', settings: null, credentials: null, updated_at: at })
      .where('id', '=', id)
      .where('source', '=', 'api')
      .execute();
  }
}

function toStored(row: { id: string; org_id: string; platform: string; settings: string | null; credentials: string | null; created_at: number; updated_at: number | null }): StoredConnection {
  return {
    id: row.id as ConnectionId,
    orgId: row.org_id as OrgId,
    platform: row.platform as Platform,
    settings: JSON.parse(row.settings ?? '{}') as Record<string, unknown>,
    sealedCredentials: row.credentials ?? '',
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at ?? row.created_at),
  };
}
