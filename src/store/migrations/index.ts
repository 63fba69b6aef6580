// Numbered migrations, applied in order; one file per change, never edited once released.

import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';

import type { SqlDialect } from '../dialect.js';
import * as m001 from './001_initial.js';
import * as m002 from './002_presence.js';
import * as m003 from './003_admin_controls.js';
import * as m004 from './004_admin_accounts.js';
import * as m005 from './005_api_tokens.js';
import * as m006 from './006_domain_verification.js';
import * as m007 from './007_stored_connections.js';
import * as m008 from './008_single_sign_on.js';
import * as m009 from './009_usage_rollups.js';
import * as m010 from './010_shared_channels.js';

type MigrationModule = { up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> };

const migrations: Record<string, MigrationModule> = {
  '001_initial': m001,
  '002_presence': m002,
  '003_admin_controls': m003,
  '004_admin_accounts': m004,
  '005_api_tokens': m005,
  '006_domain_verification': m006,
  '007_stored_connections': m007,
  '008_single_sign_on': m008,
  '009_usage_rollups': m009,
  '010_shared_channels': m010,
};

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      const result: Record<string, Migration> = {};
      for (const [name, module] of Object.entries(migrations)) {
        result[name] = { up: (db) => module.up(db, dialect) };
      }
      return result;
    },
  };
}
