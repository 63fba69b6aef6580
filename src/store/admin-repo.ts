// Queries for admin accounts and their sessions. Session ids are stored only as SHA-256
// hashes, so a copy of the database does not hand out live sessions.

import { sql, type Kysely } from 'kysely';

import type { OrgId } from '../core/ids.js';
import type { Database } from './schema.js';

export type AdminRole = 'operator' | 'org_admin' | 'auditor';

export interface AdminRecord {
  id: string;
  email: string;
  role: AdminRole;
  /** The organisation of an org admin or auditor; null for the operator. */
  orgId: OrgId | null;
  passwordHash: string;
  totpSecret: string;
  /** The last TOTP time step used, so a code cannot be used twice. */
  totpLastStep: number;
  recoveryHashes: string[];
  failedLogins: number;
  lockedUntil: number;
  /** Logs in only through the organisation's single sign-on; has no password or TOTP. */
  ssoOnly: boolean;
}

export interface AdminSessionRecord {
  adminId: string;
  csrfToken: string;
  source: string;
  createdAt: number;
  lastSeenAt: number;
}

export type TokenScope = 'read' | 'write';

export interface ApiTokenRecord {
  id: string;
  name: string;
  /** The admin who created it; requests with it act as `token <name> by <admin>`. */
  createdBy: string;
  /** The organisation it is confined to; null for an operator's token over the whole hub. */
  orgId: OrgId | null;
  scopes: TokenScope[];
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export class AdminRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(admin: Omit<AdminRecord, 'totpLastStep' | 'failedLogins' | 'lockedUntil'>, at: number): Promise<void> {
    await this.db
      .insertInto('admins')
      .values({
        id: admin.id,
        email: admin.email,
        role: admin.role,
        org_id: admin.orgId,
        password_hash: admin.passwordHash,
        totp_secret: admin.totpSecret,
        recovery_hashes: JSON.stringify(admin.recoveryHashes),
        created_at: at,
        sso_only: admin.ssoOnly ? 1 : 0,
      })
      .execute();
  }

  async setTotpSecret(id: string, totpSecret: string): Promise<void> {
    await this.db.updateTable('admins').set({ totp_secret: totpSecret }).where('id', '=', id).execute();
  }

  /**
   * Keeps a single sign-on login in progress until `expiresAt`, after removing expired ones;
   * returns false, storing nothing, when the organisation already has `maxPending` open.
   */
  async saveSsoState(stateHash: string, state: { orgId: OrgId; nonce: string; verifier: string; expiresAt: number }, now: number, maxPending: number): Promise<boolean> {
    await this.db.deleteFrom('sso_states').where('expires_at', '<', now).execute();
    const open = await this.db.selectFrom('sso_states').select(sql<number>`count(*)`.as('n')).where('org_id', '=', state.orgId).executeTakeFirst();
    if (Number(open?.n ?? 0) >= maxPending) return false;
    await this.db
      .insertInto('sso_states')
      .values({ state_hash: stateHash, org_id: state.orgId, nonce: state.nonce, verifier: state.verifier, expires_at: state.expiresAt })
      .execute();
    return true;
  }

  /** Takes a login in progress, once: a second callback with the same state finds nothing. */
  async takeSsoState(stateHash: string, now: number): Promise<{ orgId: OrgId; nonce: string; verifier: string } | undefined> {
    const row = await this.db.selectFrom('sso_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
    if (!row) return undefined;
    const deleted = await this.db.deleteFrom('sso_states').where('state_hash', '=', stateHash).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0 || Number(row.expires_at) < now) return undefined;
    return { orgId: row.org_id as OrgId, nonce: row.nonce, verifier: row.verifier };
  }

  async byEmail(email: string): Promise<AdminRecord | undefined> {
    const row = await this.db.selectFrom('admins').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    return row ? toAdmin(row) : undefined;
  }

  async byId(id: string): Promise<AdminRecord | undefined> {
    const row = await this.db.selectFrom('admins').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAdmin(row) : undefined;
  }

  /** Counts one more failed login in the database itself and returns the new count. */
  async countFailure(id: string): Promise<number> {
    const row = await this.db
      .updateTable('admins')
      .set({ failed_logins: sql<number>`failed_logins + 1` })
      .where('id', '=', id)
      .returning('failed_logins')
      .executeTakeFirst();
    return Number(row?.failed_logins ?? 0);
  }

  async lockUntil(id: string, lockedUntil: number): Promise<void> {
    await this.db.updateTable('admins').set({ locked_until: lockedUntil }).where('id', '=', id).execute();
  }

  /** Sets failures and lock directly, for an operator who unlocks an account. */
  async recordFailure(id: string, failedLogins: number, lockedUntil: number): Promise<void> {
    await this.db.updateTable('admins').set({ failed_logins: failedLogins, locked_until: lockedUntil }).where('id', '=', id).execute();
  }

  /**
   * Records a successful login: clears failures and stores the TOTP step used or the
   * remaining recovery codes, but only if no other login used them since `seen` was read.
   * Returns false when one did, so a code works once even across nodes.
   */
  async consumeCode(id: string, seen: Pick<AdminRecord, 'totpLastStep' | 'recoveryHashes'>, totpLastStep: number, recoveryHashes: string[]): Promise<boolean> {
    const result = await this.db
      .updateTable('admins')
      .set({ failed_logins: 0, locked_until: 0, totp_last_step: totpLastStep, recovery_hashes: JSON.stringify(recoveryHashes) })
      .where('id', '=', id)
      .where('totp_last_step', '=', seen.totpLastStep)
      .where('recovery_hashes', '=', JSON.stringify(seen.recoveryHashes))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async createSession(idHash: string, session: AdminSessionRecord): Promise<void> {
    await this.db
      .insertInto('admin_sessions')
      .values({
        id_hash: idHash,
        admin_id: session.adminId,
        csrf_token: session.csrfToken,
        source: session.source,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
      })
      .execute();
  }

  async session(idHash: string): Promise<AdminSessionRecord | undefined> {
    const row = await this.db.selectFrom('admin_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row
      ? { adminId: row.admin_id, csrfToken: row.csrf_token, source: row.source, createdAt: Number(row.created_at), lastSeenAt: Number(row.last_seen_at) }
      : undefined;
  }

  async touchSession(idHash: string, at: number): Promise<void> {
    await this.db.updateTable('admin_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where('id_hash', '=', idHash).execute();
  }

  async createToken(tokenHash: string, token: ApiTokenRecord): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: token.id,
        token_hash: tokenHash,
        name: token.name,
        created_by: token.createdBy,
        org_id: token.orgId,
        scopes: JSON.stringify(token.scopes),
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        revoked_at: null,
      })
      .execute();
  }

  async tokenByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toToken(row) : undefined;
  }

  /** Tokens of one organisation, or every token when `orgId` is null (the operator's view). */
  async tokens(orgId: OrgId | null): Promise<ApiTokenRecord[]> {
    let query = this.db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc');
    if (orgId !== null) query = query.where('org_id', '=', orgId);
    return (await query.execute()).map(toToken);
  }

  async revokeToken(id: string, at: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
  }
}

function toToken(row: { id: string; name: string; created_by: string; org_id: string | null; scopes: string; created_at: number; expires_at: number; revoked_at: number | null }): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    createdBy: row.created_by,
    orgId: row.org_id as OrgId | null,
    scopes: JSON.parse(row.scopes) as TokenScope[],
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

function toAdmin(row: {
  id: string;
  email: string;
  role: string;
  org_id: string | null;
  password_hash: string;
  totp_secret: string;
  totp_last_step: number;
  recovery_hashes: string;
  failed_logins: number;
  locked_until: number;
  sso_only: number;
}): AdminRecord {
  return {
    id: row.id,
    email: row.email,
    role: row.role as AdminRole,
    orgId: row.org_id as OrgId | null,
    passwordHash: row.password_hash,
    totpSecret: row.totp_secret,
    totpLastStep: Number(row.totp_last_step),
    recoveryHashes: JSON.parse(row.recovery_hashes) as string[],
    failedLogins: Number(row.failed_logins),
    lockedUntil: Number(row.locked_until),
    ssoOnly: Number(row.sso_only) === 1,
  };
}
