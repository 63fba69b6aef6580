// Store factories for tests: a fresh SQLite file, and a fresh PostgreSQL schema when
// PARLEY_TEST_POSTGRES_URL is set. Contract suites run once per factory.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { Store } from '../../src/store/store.js';

export interface StoreFactory {
  name: string;
  /** Opens a migrated, empty store; `dispose` closes it and removes its data. */
  create(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

export const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-store-'));
    const store = await Store.open({ kind: 'sqlite', path: path.join(dir, 'parley.db') });
    await store.migrate();
    return {
      store,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export function postgresFactory(url: string): StoreFactory {
  return {
    name: 'postgres',
    async create() {
      const schema = `parley_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();

      const store = await Store.open({ kind: 'postgres', url, schema, poolSize: 4 });
      await store.migrate();
      return {
        store,
        async dispose() {
          await store.close();
          const cleanup = new pg.Client({ connectionString: url });
          await cleanup.connect();
          await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
          await cleanup.end();
        },
      };
    },
  };
}

/** SQLite always; PostgreSQL too when PARLEY_TEST_POSTGRES_URL is set. */
export function storeFactories(): StoreFactory[] {
  const url = process.env.PARLEY_TEST_POSTGRES_URL;
  return url ? [sqliteFactory, postgresFactory(url)] : [sqliteFactory];
}
