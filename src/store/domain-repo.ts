// Organisations' email domains: those from the config (trusted, verified at start) and
// those org admins add, which count only once DNS or an operator has verified them.

import type { Kysely } from 'kysely';

import type { OrgId } from '../core/ids.js';
import type { Database } from './schema.js';

export interface DomainRecord {
  domain: string;
  orgId: OrgId;
  verified: boolean;
  /** The token to publish in DNS; null for domains from the config. */
  verificationToken: string | null;
}

export class DomainRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(domain: string): Promise<DomainRecord | undefined> {
    const row = await this.db.selectFrom('domains').selectAll().where('domain', '=', domain).executeTakeFirst();
    return row ? toDomain(row) : undefined;
  }

  async ofOrg(orgId: OrgId): Promise<DomainRecord[]> {
    const rows = await this.db.selectFrom('domains').selectAll().where('org_id', '=', orgId).orderBy('domain').execute();
    return rows.map(toDomain);
  }

  async verified(): Promise<DomainRecord[]> {
    const rows = await this.db.selectFrom('domains').selectAll().where('verified', '=', 1).execute();
    return rows.map(toDomain);
  }

  /** Adds an unverified domain; returns false when any organisation has it already. */
  async add(domain: string, orgId: OrgId, token: string, at: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto('domains')
      .values({ domain, org_id: orgId, verified: 0, verification_token: token, added_at: at })
      .onConflict((oc) => oc.column('domain').doNothing())
      .returning('domain')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async markVerified(domain: string): Promise<void> {
    await this.db.updateTable('domains').set({ verified: 1 }).where('domain', '=', domain).execute();
  }
}

function toDomain(row: { domain: string; org_id: string; verified: number; verification_token: string | null }): DomainRecord {
  return { domain: row.domain, orgId: row.org_id as OrgId, verified: Number(row.verified) === 1, verificationToken: row.verification_token };
}
