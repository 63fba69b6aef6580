// The store: one Kysely database, SQLite (embedded default) or PostgreSQL (several nodes),
// with the same queries on both.

import { mkdirSync } from 'node:fs';
import path from 'node:path';

import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely';
import pg from 'pg';

import type { SqlDialect } from './dialect.js';
import { AdminRepo } from './admin-repo.js';
import { AnalyticsRepo } from './analytics-repo.js';
import { ConnectionRepo } from './connection-repo.js';
import { DomainRepo } from './domain-repo.js';
import { OrgViews } from './org-views.js';
import { migrationProvider } from './migrations/index.js';
import { Repo } from './repo.js';
import type { Database } from './schema.js';

export type StoreOptions =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

// PostgreSQL returns int8 (bigint) as a string by default; every bigint here is a time in
// milliseconds or a sequence number, both far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export class Store extends Repo {
  readonly dialect: SqlDialect;
  /** Admin accounts and sessions. */
  readonly admins: AdminRepo;
  /** One organisation's users, contacts, metadata and dead letters, for the admin API. */
  readonly views: OrgViews;
  /** Organisations' domains and their verification. */
  readonly domains: DomainRepo;
  /** Platform connections added through the admin API. */
  readonly connections: ConnectionRepo;
  /** Usage rollups for the portal's charts and reports. */
  readonly analytics: AnalyticsRepo;
  private readonly sqlite: SqliteDatabase.Database | undefined;

  private constructor(db: Kysely<Database>, dialect: SqlDialect, sqlite?: SqliteDatabase.Database) {
    super(db);
    this.dialect = dialect;
    this.admins = new AdminRepo(db);
    this.views = new OrgViews(db);
    this.domains = new DomainRepo(db);
    this.connections = new ConnectionRepo(db);
    this.analytics = new AnalyticsRepo(db, dialect);
    this.sqlite = sqlite;
  }

  static async open(options: StoreOptions): Promise<Store> {
    if (options.kind === 'sqlite') {
      if (options.path !== ':memory:') mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
      const sqlite = new SqliteDatabase(options.path);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
      // Deleted outbox rows held message text: overwrite freed pages instead of leaving
      // the bytes in the file.
      sqlite.pragma('secure_delete = ON');
      const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
      return new Store(db, 'sqlite', sqlite);
    }

    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return new Store(db, 'postgres');
  }

  /** Applies pending numbered migrations; throws with the failing migration's name. */
  async migrate(): Promise<string[]> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider(this.dialect) });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error !== undefined) {
      const name = failed?.migrationName ?? 'unknown';
      throw new Error(`Database migration ${name} failed. The database was left at the previous migration.`, {
        cause: error,
      });
    }
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  /** Runs `work` in one transaction; everything it writes commits together or not at all. */
  async transaction<T>(work: (repo: Repo) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Repo(trx)));
  }

  /**
   * Folds the SQLite write-ahead log back into the database file and truncates it, so
   * bytes of deleted outbox rows do not linger in the WAL. No-op on PostgreSQL.
   */
  async compact(): Promise<void> {
    this.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
