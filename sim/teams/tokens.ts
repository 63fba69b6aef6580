// The simulated Entra ID (Azure AD) token endpoint for the client credentials grant, and the
// check of its access tokens on the Connector routes. Error bodies follow the Microsoft
// identity platform's OAuth 2.0 error response: error, error_description (starting with the
// AADSTS code), error_codes, timestamp, trace_id and correlation_id.
import { randomUUID } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { Directory } from './directory.js';
import { BOTFRAMEWORK_TENANT_ID } from './ids.js';
import type { KeyRing } from './keys.js';

/** Audience of the tokens a bot sends to the Connector. */
export const CONNECTOR_AUDIENCE = 'https://api.botframework.com';
/** The only scope the token endpoint grants here. */
export const CONNECTOR_SCOPE = 'https://api.botframework.com/.default';
/** Tenant path segment that multi-tenant bots use. */
export const BOTFRAMEWORK_TENANT = 'botframework.com';

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface TokenRequestForm {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  scope?: string;
}

function stsIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export function aadError(status: number, error: string, code: number, description: string): TokenResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    },
  };
}

export class TokenService {
  /** Requests to the token endpoint, failed ones included. */
  requests = 0;
  /** Tokens the endpoint issued. */
  issued = 0;
  lifetimeSeconds: number;

  constructor(
    private readonly keys: KeyRing,
    private readonly directory: Directory,
    lifetimeSeconds: number,
  ) {
    this.lifetimeSeconds = lifetimeSeconds;
  }

  /** Runs one token request; `tenant` is the path segment before `/oauth2/v2.0/token`. */
  async handle(tenant: string, form: TokenRequestForm): Promise<TokenResponse> {
    this.requests += 1;
    const bot = this.directory.bot;

    const tenantId = this.resolveTenant(tenant);
    if (tenantId === undefined) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check the tenant id or use ${BOTFRAMEWORK_TENANT} for a multi-tenant bot.`);
    }
    if (form.grant_type === undefined || form.grant_type === '') {
      return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    }
    if (form.grant_type !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type}'; use client_credentials.`);
    }
    if (form.client_id === undefined || form.client_id === '') {
      return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    }
    if (form.client_id !== bot.appId || !this.registeredIn(tenantId)) {
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${form.client_id}' was not found in the directory '${tenant}'.`);
    }
    if (form.client_secret === undefined || form.client_secret === '') {
      return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (form.client_secret !== bot.password) {
      return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided for app '${bot.appId}'. Send the secret's value, not its id.`);
    }
    if (form.scope !== CONNECTOR_SCOPE) {
      return aadError(400, 'invalid_scope', 70011, `The provided value '${form.scope ?? ''}' for the input parameter 'scope' is not valid; use ${CONNECTOR_SCOPE}.`);
    }

    const token = await this.issue(tenantId);
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: this.lifetimeSeconds, ext_expires_in: this.lifetimeSeconds, access_token: token },
    };
  }

  /** Signs an access token for the bot as the token endpoint would, without counting a request. */
  async issue(tenantId = BOTFRAMEWORK_TENANT_ID, lifetimeSeconds = this.lifetimeSeconds): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const bot = this.directory.bot;
    this.issued += 1;
    return this.keys.signAccessToken({
      aud: CONNECTOR_AUDIENCE,
      iss: stsIssuer(tenantId),
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      appid: bot.appId,
      appidacr: '1',
      idp: stsIssuer(tenantId),
      tid: tenantId,
      ver: '1.0',
      uti: randomUUID(),
    });
  }

  /** Returns whether an Authorization header carries a valid, unexpired access token of the bot. */
  async verifyAuthorization(header: string | undefined): Promise<boolean> {
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    if (token === undefined) {
      return false;
    }

    const issuers = [BOTFRAMEWORK_TENANT_ID, ...this.directory.tenants.keys()].map(stsIssuer);
    try {
      const { payload } = await jwtVerify(token, await this.keys.accessTokenPublicKey(), {
        algorithms: ['RS256'],
        audience: CONNECTOR_AUDIENCE,
        issuer: issuers,
      });
      return payload.appid === this.directory.bot.appId;
    } catch {
      return false;
    }
  }

  private resolveTenant(segment: string): string | undefined {
    if (segment === BOTFRAMEWORK_TENANT || segment === BOTFRAMEWORK_TENANT_ID) {
      return BOTFRAMEWORK_TENANT_ID;
    }
    for (const tenant of this.directory.tenants.values()) {
      if (tenant.id === segment || tenant.domain === segment) {
        return tenant.id;
      }
    }
    return undefined;
  }

  // A single-tenant registration exists only in its home tenant; a multi-tenant one everywhere.
  private registeredIn(tenantId: string): boolean {
    const home = this.directory.bot.homeTenantId;
    return home === undefined || home === tenantId;
  }
}
