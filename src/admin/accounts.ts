// Admin accounts: Argon2id password hashes, a password policy, TOTP two-factor login with
// one-time recovery codes, lockout with back-off after failed logins, and sessions with an
// idle and an absolute expiry. Every admin must use TOTP; there is no login without it.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

import { hash, verify } from '@node-rs/argon2';
import { Secret, TOTP } from 'otpauth';

import type { Logger } from 'pino';

import { ErrorCode, ParleyError } from '../core/errors.js';
import type { OrgId } from '../core/ids.js';
import type { AdminRecord, AdminRole, TokenScope } from '../store/admin-repo.js';
import type { CredentialSealer } from '../store/credentials.js';
import type { Store } from '../store/store.js';
import type { Actor } from './service.js';

const commonPasswords = createRequire(import.meta.url)('fxa-common-password-list') as { test(password: string): boolean };

export const minPasswordLength = 12;
/** Failed logins allowed before the account locks; each further one doubles the lock. */
const freeFailures = 5;
const baseLockMs = 60_000;
const maxLockMs = 60 * 60_000;
const sessionIdleMs = 30 * 60_000;
const sessionMaxMs = 12 * 60 * 60_000;
let dummyHash: string | undefined;

export class LoginError extends ParleyError {
  constructor(message: string, locked = false) {
    super(locked ? ErrorCode.LoginLocked : ErrorCode.LoginFailed, locked ? 429 : 401, message);
  }
}

export class AccountInvalidError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.PayloadInvalid, 400, message);
  }
}

/** Checks a new password against the policy; throws with what to change. */
export function checkPassword(password: string, email: string): void {
  const characters = [...password];
  if (characters.length < minPasswordLength) {
    throw new AccountInvalidError(`The password has ${characters.length} characters; use at least ${minPasswordLength}.`);
  }
  if (new Set(characters.filter((c) => c.trim() !== '')).size < 4) {
    throw new AccountInvalidError('The password uses fewer than 4 different characters; choose a less repetitive one.');
  }
  const lower = password.toLowerCase();
  // The word under added digits and symbols counts too, as in "Password123456".
  const core = lower.replace(/[^a-z]+$/g, '').replace(/^[^a-z]+/g, '');
  if ([password, lower, core].some((candidate) => candidate.length > 0 && commonPasswords.test(candidate))) {
    throw new AccountInvalidError('The password is, or is built on, a common password; choose one that is not.');
  }
  const name = (email.split('@')[0] ?? '').toLowerCase();
  if (name.length >= 3 && lower.includes(name)) {
    throw new AccountInvalidError('The password contains the account name; choose one that does not.');
  }
}

/** When a lock after `failures` failed logins ends; 0 while failures are still allowed. */
function lockEnd(failures: number, now: number): number {
  if (failures < freeFailures) return 0;
  return now + Math.min(maxLockMs, baseLockMs * 2 ** (failures - freeFailures));
}

function lockedError(lockedUntil: number, now: number): LoginError {
  return new LoginError(`Login is locked after repeated failures; try again in ${Math.ceil((lockedUntil - now) / 1000)} s.`, true);
}

function totpFor(admin: { email: string; totpSecret: string }): TOTP {
  return new TOTP({ issuer: 'Parley', label: admin.email, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(admin.totpSecret) });
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface NewAdmin {
  email: string;
  role: AdminRole;
  orgId?: OrgId;
  /** Required unless `sso` is set. */
  password?: string;
  /** Logs in only through the organisation's single sign-on: no password, no TOTP. */
  sso?: boolean;
}

export interface CreatedAdmin {
  id: string;
  /** The otpauth:// URI for an authenticator app; shown once. */
  totpUri: string;
  /** One-time codes for when the authenticator is lost; shown once. */
  recoveryCodes: string[];
}

export interface Session {
  /** The cookie value; only its hash is stored. */
  id: string;
  csrfToken: string;
  admin: AdminRecord;
}

export class AccountService {
  /** The login in progress per address, so parallel attempts cannot reuse a code or race the lockout. */
  private readonly pending = new Map<string, Promise<void>>();
  /** Failures per address that has no account, so a lockout does not reveal which ones exist. */
  private readonly unknown = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(
    private readonly store: Store,
    private readonly logger?: Logger,
    /** Seals TOTP secrets at rest when the hub has a credentials key. */
    private readonly sealer?: CredentialSealer,
  ) {}

  /** Seals a TOTP secret, bound to its admin, when a key is configured; stores it as is otherwise. */
  private sealTotp(adminId: string, secret: string): string {
    return this.sealer ? `sealed:${this.sealer.seal({ totp: secret }, `admin:${adminId}`)}` : secret;
  }

  /** Opens a stored TOTP secret; undefined when it is sealed and the key is missing or wrong. */
  private totpSecretOf(admin: AdminRecord): string | undefined {
    if (!admin.totpSecret.startsWith('sealed:')) return admin.totpSecret;
    try {
      return this.sealer?.open(admin.totpSecret.slice('sealed:'.length), `admin:${admin.id}`).totp;
    } catch (error) {
      this.logger?.error({ admin: admin.email, err_message: (error as Error).message }, 'The TOTP secret of an admin does not open; check PARLEY_CREDENTIALS_KEY.');
      return undefined;
    }
  }

  async create(input: NewAdmin, now = Date.now()): Promise<CreatedAdmin> {
    const email = input.email.toLowerCase();
    if (!/^[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(email)) {
      throw new AccountInvalidError(`"${input.email.slice(0, 100)}" is not an email address; give one such as admin@acme.example.`);
    }
    if (input.role === 'operator' && input.orgId !== undefined) {
      throw new AccountInvalidError('An operator acts for the whole hub and belongs to no organisation; leave out the organisation.');
    }
    if (input.role !== 'operator' && input.orgId === undefined) {
      throw new AccountInvalidError(`A ${input.role} belongs to an organisation; give its id.`);
    }
    if (await this.store.admins.byEmail(email)) throw new AccountInvalidError(`An admin with the address ${email} exists already.`);
    if (input.sso) {
      if (input.role === 'operator') throw new AccountInvalidError('Single sign-on is for org admins and auditors; an operator logs in with a password and TOTP.');
      const id = randomUUID();
      // No password or TOTP secret: a password login for this account always fails.
      await this.store.admins.create({ id, email, role: input.role, orgId: input.orgId!, passwordHash: '', totpSecret: '', recoveryHashes: [], ssoOnly: true }, now);
      return { id, totpUri: '', recoveryCodes: [] };
    }
    if (input.password === undefined) throw new AccountInvalidError('A password is required for an admin who does not log in through single sign-on.');
    checkPassword(input.password, email);

    const secret = new Secret({ size: 20 }).base32;
    const recoveryCodes = Array.from({ length: 10 }, () => randomBytes(5).toString('hex'));
    const id = randomUUID();
    await this.store.admins.create(
      {
        id,
        email,
        role: input.role,
        orgId: input.role === 'operator' ? null : (input.orgId ?? null),
        passwordHash: await hash(input.password),
        totpSecret: this.sealTotp(id, secret),
        recoveryHashes: recoveryCodes.map(sha256),
        ssoOnly: false,
      },
      now,
    );
    return { id, totpUri: totpFor({ email, totpSecret: secret }).toString(), recoveryCodes };
  }

  /**
   * Logs in with password and a TOTP code (or a recovery code). Every failure gives the same
   * message, and after five failures the address locks for a minute, doubling each time,
   * whether or not an account has it. Attempts on one address run one at a time.
   */
  login(email: string, password: string, code: string, source: string, now = Date.now()): Promise<Session> {
    const key = email.trim().toLowerCase();
    const previous = this.pending.get(key) ?? Promise.resolve();
    const attempt = previous.then(
      () => this.attempt(key, password, code, source, now),
      () => this.attempt(key, password, code, source, now),
    );
    const settled = attempt.then(() => undefined, () => undefined);
    this.pending.set(key, settled);
    void settled.then(() => {
      if (this.pending.get(key) === settled) this.pending.delete(key);
    });
    return attempt;
  }

  private async attempt(email: string, password: string, code: string, source: string, now: number): Promise<Session> {
    const admin = await this.store.admins.byEmail(email);
    const refused = new LoginError('Login failed: the address, password or code is wrong.');
    if (!admin) {
      const throttle = this.unknown.get(email) ?? { failures: 0, lockedUntil: 0 };
      if (throttle.lockedUntil > now) throw lockedError(throttle.lockedUntil, now);
      // Spend the same time as a real check, so timing does not tell which addresses exist.
      dummyHash ??= await hash(randomBytes(16).toString('hex'));
      await verify(dummyHash, password).catch(() => false);
      throttle.failures++;
      throttle.lockedUntil = lockEnd(throttle.failures, now);
      this.unknown.delete(email);
      this.unknown.set(email, throttle);
      if (this.unknown.size > 10_000) this.unknown.delete(this.unknown.keys().next().value!);
      throw refused;
    }
    if (admin.lockedUntil > now) throw lockedError(admin.lockedUntil, now);

    const passwordOk = !admin.ssoOnly && (await verify(admin.passwordHash, password).catch(() => false));
    const step = Math.floor(now / 30_000);
    let totpStep: number | undefined;
    let recovery = admin.recoveryHashes;
    const totpSecret = passwordOk ? this.totpSecretOf(admin) : undefined;
    if (passwordOk && totpSecret !== undefined) {
      const delta = totpFor({ email: admin.email, totpSecret }).validate({ token: code.replace(/\s/g, ''), timestamp: now, window: 1 });
      if (delta !== null && step + delta > admin.totpLastStep) {
        totpStep = step + delta;
      } else {
        const used = admin.recoveryHashes.findIndex((h) => sameText(h, sha256(code.trim().toLowerCase())));
        if (used >= 0) {
          totpStep = admin.totpLastStep;
          recovery = admin.recoveryHashes.filter((_, i) => i !== used);
        }
      }
    }

    if (!passwordOk || totpStep === undefined || !(await this.store.admins.consumeCode(admin.id, admin, totpStep, recovery))) {
      const failures = await this.store.admins.countFailure(admin.id);
      const lockedUntil = lockEnd(failures, now);
      if (lockedUntil > 0) await this.store.admins.lockUntil(admin.id, lockedUntil);
      await this.audit(admin, source, 'admin.login_failed', now);
      this.logger?.warn({ admin: admin.email, source, failures, locked: lockedUntil > 0 }, 'Admin login failed.');
      throw refused;
    }

    // A secret stored before the hub had a key is sealed at its next use.
    if (this.sealer && totpSecret !== undefined && !admin.totpSecret.startsWith('sealed:')) {
      await this.store.admins.setTotpSecret(admin.id, this.sealTotp(admin.id, totpSecret));
    }
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await this.store.admins.createSession(sha256(id), { adminId: admin.id, csrfToken, source, createdAt: now, lastSeenAt: now });
    await this.audit(admin, source, 'admin.login', now);
    return { id, csrfToken, admin: { ...admin, failedLogins: 0, lockedUntil: 0 } };
  }

  /** Returns the session's admin, or undefined when it is unknown or expired (idle or absolute). */
  async session(id: string, now = Date.now()): Promise<{ admin: AdminRecord; csrfToken: string } | undefined> {
    const idHash = sha256(id);
    const session = await this.store.admins.session(idHash);
    if (!session) return undefined;
    if (now - session.lastSeenAt > sessionIdleMs || now - session.createdAt > sessionMaxMs) {
      await this.store.admins.deleteSession(idHash);
      return undefined;
    }
    const admin = await this.store.admins.byId(session.adminId);
    if (!admin) return undefined;
    await this.store.admins.touchSession(idHash, now);
    return { admin, csrfToken: session.csrfToken };
  }

  async logout(id: string): Promise<void> {
    await this.store.admins.deleteSession(sha256(id));
  }

  /**
   * Creates an API token for automation and returns it once. An org admin's tokens stay in
   * their organisation, and an auditor's may only read.
   */
  async createToken(
    admin: AdminRecord,
    input: { name: string; scopes: TokenScope[]; days: number; orgId?: OrgId | undefined },
    source: string,
    now = Date.now(),
  ): Promise<{ id: string; token: string }> {
    const orgId = admin.role === 'operator' ? (input.orgId ?? null) : admin.orgId;
    if (admin.role !== 'operator' && input.orgId !== undefined && input.orgId !== admin.orgId) {
      throw new AccountInvalidError('A token can only be for your own organisation; leave out orgId.');
    }
    if (admin.role === 'auditor' && input.scopes.includes('write')) throw new AccountInvalidError('An auditor can only create read tokens.');
    const token = `parley_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    await this.store.admins.createToken(sha256(token), {
      id,
      name: input.name,
      createdBy: admin.email,
      orgId,
      scopes: [...new Set(input.scopes)],
      createdAt: now,
      expiresAt: now + input.days * 24 * 60 * 60 * 1000,
      revokedAt: null,
    });
    await this.store.appendAudit({ at: now, actor: admin.email, source, action: 'token.create', orgId, target: `token ${input.name} (${id})`, oldValue: null, newValue: input.scopes.join(',') });
    return { id, token };
  }

  /** Returns the identity a bearer token acts as, or undefined when it is unknown, expired or revoked. */
  async tokenIdentity(token: string, now = Date.now()): Promise<AdminRecord | undefined> {
    const record = await this.store.admins.tokenByHash(sha256(token));
    if (!record || record.revokedAt !== null || record.expiresAt <= now) return undefined;
    // A read token acts as an auditor; a write token as an org admin, or as the operator when it covers the hub.
    let role: AdminRole = 'auditor';
    if (record.scopes.includes('write')) role = record.orgId === null ? 'operator' : 'org_admin';
    return {
      id: `token:${record.id}`,
      email: `token ${record.name} by ${record.createdBy}`,
      role,
      orgId: record.orgId,
      passwordHash: '',
      totpSecret: '',
      totpLastStep: 0,
      recoveryHashes: [],
      failedLogins: 0,
      lockedUntil: 0,
      ssoOnly: false,
    };
  }

  /**
   * Starts a session for an admin whom the organisation's identity provider vouched for. Only
   * an org admin or auditor of that organisation gets one; a locked account does not.
   */
  async ssoLogin(email: string, orgId: OrgId, source: string, now = Date.now()): Promise<Session> {
    const admin = await this.store.admins.byEmail(email.toLowerCase());
    if (!admin || admin.role === 'operator' || admin.orgId !== orgId || admin.lockedUntil > now) {
      this.logger?.warn({ org: orgId, source }, 'Single sign-on named no admin of the organisation; refused.');
      if (admin) await this.audit(admin, source, 'admin.sso_refused', now);
      throw new LoginError(`Login failed: your identity provider vouched for you, but you have no admin account at ${orgId} on this hub. Ask your operator to create one.`);
    }
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await this.store.admins.createSession(sha256(id), { adminId: admin.id, csrfToken, source, createdAt: now, lastSeenAt: now });
    await this.audit(admin, source, 'admin.login_sso', now);
    return { id, csrfToken, admin };
  }

  /** The actor an admin acts as: an org admin is confined to their organisation. */
  static actor(admin: AdminRecord, source: string): Actor {
    return admin.role === 'operator' ? { id: admin.email, source } : { id: admin.email, source, orgId: admin.orgId! };
  }

  private async audit(admin: AdminRecord, source: string, action: string, now: number): Promise<void> {
    await this.store.appendAudit({ at: now, actor: admin.email, source, action, orgId: admin.orgId, target: `admin ${admin.email}`, oldValue: null, newValue: null });
  }
}
