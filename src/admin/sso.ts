// Single sign-on for org admins through their organisation's OpenID Connect identity
// provider: the authorization code flow with PKCE, state and nonce, through openid-client.
// The provider vouches for the admin's email address; the hub still decides who is an admin.

import { createHash } from 'node:crypto';

import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Logger } from 'pino';

import { ErrorCode, ParleyError } from '../core/errors.js';
import type { OrgId } from '../core/ids.js';
import type { Store } from '../store/store.js';
import { LoginError } from './accounts.js';

export interface SsoSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  requireMfa: boolean;
}

/** A login in progress may take this long at the identity provider. */
const loginWindowMs = 10 * 60 * 1000;
/** Logins one organisation may have in progress at once; more would only fill the database. */
const maxPendingLogins = 500;

/** `amr` values (RFC 8176) that stand for a second factor. */
const secondFactors = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'fpt', 'face', 'iris', 'retina', 'vbm', 'sc']);

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Returns whether a URL is on this machine, where a test or sandbox identity provider may use plain http. */
function isLoopback(url: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

export class SsoService {
  private readonly configurations = new Map<OrgId, Promise<oidc.Configuration>>();
  private readonly keySets = new Map<OrgId, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly store: Store,
    private readonly settings: ReadonlyMap<OrgId, SsoSettings>,
    private readonly callbackUrl: () => string,
    private readonly logger: Logger,
  ) {}

  enabled(orgId: OrgId): boolean {
    return this.settings.has(orgId);
  }

  /**
   * Returns the identity provider's authorization URL for a new login and the state that the
   * browser must bring back (the hub keeps only its hash).
   */
  async start(orgId: OrgId, now = Date.now()): Promise<{ url: string; state: string }> {
    const config = await this.configuration(orgId);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const verifier = oidc.randomPKCECodeVerifier();
    if (!(await this.store.admins.saveSsoState(sha256(state), { orgId, nonce, verifier, expiresAt: now + loginWindowMs }, now, maxPendingLogins))) {
      throw new ParleyError(ErrorCode.LoginLocked, 429, `Too many sign-ins to ${orgId} are in progress; try again in a few minutes.`);
    }
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl(),
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state };
  }

  /**
   * Finishes a login: the callback's state must be the one this browser started with and
   * still open, then the code is exchanged and the ID token checked (signature, issuer,
   * audience, expiry, nonce). Returns the organisation and the verified email address.
   */
  async finish(callback: URL, browserState: string | undefined, now = Date.now()): Promise<{ orgId: OrgId; email: string }> {
    const state = callback.searchParams.get('state') ?? '';
    if (browserState === undefined || state === '' || state !== browserState) {
      throw new LoginError('Login failed: this sign-in was not started in this browser, or it was finished already. Start again from the login page.');
    }
    const pending = await this.store.admins.takeSsoState(sha256(state), now);
    if (!pending) throw new LoginError('Login failed: this sign-in expired or was finished already. Start again from the login page.');
    const settings = this.settings.get(pending.orgId)!;
    const config = await this.configuration(pending.orgId);

    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      // openid-client trusts an ID token from the token endpoint on the strength of TLS, as
      // OpenID Connect Core allows. The hub checks its signature against the provider's keys too.
      await jwtVerify(tokens.id_token ?? '', this.keySet(pending.orgId, config), { issuer: config.serverMetadata().issuer, audience: settings.clientId });
    } catch (error) {
      this.logger.warn({ org: pending.orgId, err_message: (error as Error).message }, 'Single sign-on failed at the code exchange or the ID token check.');
      throw new LoginError('Login failed: the identity provider did not confirm the sign-in. Start again, or ask your IT team to check the Parley application at the identity provider.');
    }
    const email = typeof claims?.email === 'string' ? claims.email.toLowerCase() : '';
    if (email === '' || claims?.email_verified !== true) {
      throw new LoginError('Login failed: the identity provider gave no verified email address. Ask your IT team to release the email and email_verified claims to Parley.');
    }
    const amr = Array.isArray(claims.amr) ? claims.amr.map(String) : [];
    if (settings.requireMfa && !amr.some((method) => secondFactors.has(method))) {
      throw new LoginError('Login failed: this organisation requires a second factor at sign-in, and the identity provider reports none (amr). Sign in again with your second factor.');
    }
    return { orgId: pending.orgId, email };
  }

  private keySet(orgId: OrgId, config: oidc.Configuration): ReturnType<typeof createRemoteJWKSet> {
    let keys = this.keySets.get(orgId);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      this.keySets.set(orgId, keys);
    }
    return keys;
  }

  private configuration(orgId: OrgId): Promise<oidc.Configuration> {
    const settings = this.settings.get(orgId);
    if (!settings) throw new ParleyError(ErrorCode.NotFound, 404, `Organisation ${orgId} has no single sign-on; log in with password and TOTP.`);
    let config = this.configurations.get(orgId);
    if (!config) {
      const issuer = new URL(settings.issuer);
      config = oidc
        .discovery(issuer, settings.clientId, settings.clientSecret, undefined, isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined)
        .catch((error: unknown) => {
          // Not cached: the next login tries the identity provider again.
          this.configurations.delete(orgId);
          this.logger.error({ org: orgId, err_message: (error as Error).message }, 'Reading the identity provider configuration failed.');
          throw new ParleyError(ErrorCode.PlatformUnavailable, 503, `The identity provider of ${orgId} could not be reached; try again shortly, or log in with password and TOTP.`);
        });
      this.configurations.set(orgId, config);
    }
    return config;
  }
}
