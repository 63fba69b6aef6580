// The admin REST API under /api/v1: login with password and TOTP, then organisation-scoped
// routes for policies, suspensions, revocations, the audit log and explain. Sessions live
// in an HttpOnly, Secure, SameSite=Strict cookie; every change also needs the session's
// CSRF token in `x-csrf-token`. An org admin asking for another organisation gets 404, as
// if it did not exist, and an auditor may only read.

import { PassThrough } from 'node:stream';

import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { ErrorCode, NotFoundError, ParleyError } from '../core/errors.js';
import type { ConnectionId, DeliveryId, OrgId } from '../core/ids.js';
import type { Directory } from '../pipeline/directory.js';
import { csvField, exportRecords } from '../pipeline/metadata-export.js';
import type { PolicyBook } from '../policy/book.js';
import { parseFileFacts } from '../policy/evaluate.js';
import { features, type Feature } from '../policy/model.js';
import type { AdminRecord } from '../store/admin-repo.js';
import type { Store } from '../store/store.js';
import { AccountService } from './accounts.js';
import type { ConnectionService } from './connections.js';
import type { SsoService } from './sso.js';
import type { AnalyticsService } from '../analytics/overview.js';
import type { DomainService } from './domains.js';
import { openApiDocument } from './openapi.js';
import type { AdminService } from './service.js';

export const sessionCookie = 'parley_session';
/** Carries the state of a single sign-on login between the start and the callback. */
const ssoCookie = 'parley_sso_state';

export interface AdminApiDeps {
  accounts: AccountService;
  domains: DomainService;
  admin: AdminService;
  store: Store;
  policies: PolicyBook;
  directory: Directory;
  connections: ConnectionService;
  sso: SsoService;
  analytics: AnalyticsService;
  /** The hub's public base URL, which single sign-on callbacks come back to. */
  publicUrl: () => string;
}

class ForbiddenError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.Forbidden, 403, message);
  }
}

class UnauthenticatedError extends ParleyError {
  constructor() {
    super(ErrorCode.Unauthenticated, 401, 'Log in first: POST /api/v1/session with email, password and code, or send an API token.');
  }
}

interface Authenticated {
  admin: AdminRecord;
  csrfToken: string;
}

const authenticated = new WeakMap<FastifyRequest, Authenticated>();

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const emailPattern = /^[a-z0-9._%+'-]+@[a-z0-9.-]+\.[a-z]{2,}$/;
const email = z.string().trim().toLowerCase().regex(emailPattern, 'an email address such as alice@acme.example');
const loginBody = z.object({ email: z.string().max(320), password: z.string().max(1024), code: z.string().max(64) }).strict();
const suspensionBody = z.object({ email, suspended: z.boolean() }).strict();
const revocationBody = z.object({ from: email, to: email }).strict();
const domainBody = z.object({ domain: z.string().max(253) }).strict();
const tokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(['read', 'write'])).min(1),
    days: z.number().int().min(1).max(366).default(90),
    orgId: z.string().max(64).optional(),
  })
  .strict();
const approvalBody = z.object({ domain: z.string().trim().toLowerCase().min(3).max(253), approve: z.boolean() }).strict();
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
const metadataQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    user: z.string().max(320).optional(),
    type: z.string().max(32).optional(),
    sessionId: z.string().max(64).optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    afterSeq: z.coerce.number().int().min(0).optional(),
    beforeSeq: z.coerce.number().int().min(1).optional(),
    order: z.enum(['asc', 'desc']).optional(),
  })
  .strict();
const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;
const overviewQuery = z
  .object({
    partnerDomain: z.string().toLowerCase().max(253).optional(),
    platform: z.enum(['webex', 'slack', 'xmpp']).optional(),
    months: z.coerce.number().int().min(1).max(12).optional(),
  })
  .strict();
const usageQuery = z
  .object({
    by: z.enum(['partner_domain', 'user_domain', 'platform']).default('partner_domain'),
    from: z.string().regex(monthPattern, 'a month such as 2026-01').optional(),
    to: z.string().regex(monthPattern, 'a month such as 2026-12').optional(),
    partnerDomain: z.string().toLowerCase().max(253).optional(),
    platform: z.enum(['webex', 'slack', 'xmpp']).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

const exportQuery = z
  .object({
    format: z.enum(['csv', 'jsonl']).default('csv'),
    user: z.string().max(320).optional(),
    type: z.string().max(32).optional(),
    sessionId: z.string().max(64).optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
  })
  .strict();
const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    before: z.coerce.number().int().min(1).optional(),
    action: z.string().max(64).optional(),
  })
  .strict();

/** Validates a body or query; the error names the first invalid field and what it takes. */
function parseBody<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  throw new ParleyError(ErrorCode.PayloadInvalid, 400, `Invalid ${field}: ${issue?.message ?? 'invalid value'}.`);
}

export async function registerAdminApi(app: FastifyInstance, deps: AdminApiDeps): Promise<void> {
  await app.register(async (api) => {
    await api.register(cookie);

    api.setErrorHandler((error, _request, reply) => {
      if (error instanceof ParleyError) return reply.code(error.status).send({ error: error.code, message: error.message });
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status < 500) return reply.code(status).send({ error: 'invalid_request', message: (error as Error).message });
      api.log.error({ err: error }, 'Admin API request failed.');
      return reply.code(500).send({ error: 'internal_error', message: 'The request failed; the hub log has the details.' });
    });

    api.get('/api/v1/openapi.json', async () => openApiDocument);

    // Responses carry CSRF tokens and policies; no cache may keep them.
    api.addHook('onSend', async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
    });

    api.post('/api/v1/session', async (request, reply) => {
      const body = parseBody(loginBody, request.body);
      const session = await deps.accounts.login(body.email, body.password, body.code, request.ip);
      void reply.setCookie(sessionCookie, session.id, { httpOnly: true, secure: true, sameSite: 'strict', path: '/api/v1' });
      return { csrfToken: session.csrfToken, admin: { email: session.admin.email, role: session.admin.role, orgId: session.admin.orgId } };
    });

    // Single sign-on: the browser goes to the identity provider and comes back to the callback.
    // The state cookie is SameSite=Lax, since the way back is a navigation from the provider's site.
    api.get('/api/v1/sso/:org/login', async (request, reply) => {
      const org = str((request.params as Record<string, unknown>).org) as OrgId;
      if (!deps.sso.enabled(org)) throw new NotFoundError(`Organisation ${org} has no single sign-on; log in with password and TOTP.`);
      const { url, state } = await deps.sso.start(org);
      void reply.setCookie(ssoCookie, state, { httpOnly: true, secure: true, sameSite: 'lax', path: '/api/v1/sso', maxAge: 600 });
      return reply.redirect(url, 302);
    });

    api.get('/api/v1/sso/callback', async (request, reply) => {
      void reply.clearCookie(ssoCookie, { path: '/api/v1/sso' });
      const callback = new URL(request.url, deps.publicUrl());
      const { orgId, email } = await deps.sso.finish(callback, request.cookies[ssoCookie]);
      const session = await deps.accounts.ssoLogin(email, orgId, request.ip);
      void reply.setCookie(sessionCookie, session.id, { httpOnly: true, secure: true, sameSite: 'strict', path: '/api/v1' });
      return { csrfToken: session.csrfToken, admin: { email: session.admin.email, role: session.admin.role, orgId: session.admin.orgId } };
    });

    // Every other route needs a session, and every change its CSRF token.
    api.addHook('preHandler', async (request) => {
      const route = request.routeOptions.url;
      if (route === '/api/v1/openapi.json' || (request.method === 'POST' && route === '/api/v1/session') || route?.startsWith('/api/v1/sso/')) return;

      // Automation sends a bearer token instead of a cookie; no browser sends it on its own,
      // so it needs no CSRF token. Tokens cannot manage tokens.
      const bearer = /^Bearer\s+(\S+)$/i.exec(str(request.headers.authorization))?.[1];
      if (bearer !== undefined) {
        const admin = await deps.accounts.tokenIdentity(bearer);
        if (!admin) throw new ParleyError(ErrorCode.LoginFailed, 401, 'The API token is unknown, expired or revoked.');
        if (route?.startsWith('/api/v1/tokens') || route === '/api/v1/session') throw new ForbiddenError('API tokens cannot manage sessions or tokens; log in.');
        if (request.method !== 'GET' && request.method !== 'HEAD' && admin.role === 'auditor') {
          throw new ForbiddenError('This token has the read scope only.');
        }
        authenticated.set(request, { admin, csrfToken: '' });
        return;
      }

      const id = request.cookies[sessionCookie];
      const session = id ? await deps.accounts.session(id) : undefined;
      if (!session) throw new UnauthenticatedError();
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        const token = str(request.headers['x-csrf-token']);
        if (token === '' || token !== session.csrfToken) throw new ForbiddenError('The x-csrf-token header is missing or wrong; send the csrfToken the login returned.');
        const loggingOut = request.method === 'DELETE' && route === '/api/v1/session';
        if (session.admin.role === 'auditor' && !loggingOut) throw new ForbiddenError('Auditors may read but not change anything.');
      }
      authenticated.set(request, session);
    });

    const who = (request: FastifyRequest): Authenticated => authenticated.get(request)!;

    /** Returns the route's organisation if the admin may see it, and otherwise throws 404 as if it did not exist. */
    const orgOf = (request: FastifyRequest): OrgId => {
      const org = str((request.params as Record<string, unknown>).org) as OrgId;
      const { admin } = who(request);
      // An admin tied to an organisation may read only it; the operator and hub-wide tokens may read all.
      if ((admin.orgId !== null && admin.orgId !== org) || !deps.directory.orgIds().includes(org)) {
        throw new NotFoundError(`No organisation ${org}.`);
      }
      return org;
    };
    const actorIn = (request: FastifyRequest, org: OrgId) => ({
      ...AccountService.actor(who(request).admin, request.ip),
      orgId: org,
      operator: who(request).admin.role === 'operator',
    });

    // Who the session or token is, so that a new tab of the portal need not log in again.
    api.get('/api/v1/session', async (request) => {
      const { admin, csrfToken } = who(request);
      return { admin: { email: admin.email, role: admin.role, orgId: admin.orgId }, csrfToken };
    });

    api.delete('/api/v1/session', async (request, reply) => {
      await deps.accounts.logout(str(request.cookies[sessionCookie]));
      void reply.clearCookie(sessionCookie, { path: '/api/v1' });
      return { status: 'logged_out' };
    });

    api.post('/api/v1/tokens', async (request) => {
      const body = parseBody(tokenBody, request.body);
      const { admin } = who(request);
      if (body.orgId !== undefined && !deps.directory.orgIds().includes(body.orgId as OrgId)) throw new NotFoundError(`No organisation ${body.orgId}.`);
      return deps.accounts.createToken(admin, { name: body.name, scopes: body.scopes, days: body.days, orgId: body.orgId as OrgId | undefined }, request.ip);
    });

    api.get('/api/v1/tokens', async (request) => {
      const { admin } = who(request);
      return { tokens: await deps.store.admins.tokens(admin.role === 'operator' ? null : admin.orgId) };
    });

    api.delete('/api/v1/tokens/:id', async (request) => {
      const { admin } = who(request);
      const id = str((request.params as Record<string, unknown>).id);
      const token = (await deps.store.admins.tokens(admin.role === 'operator' ? null : admin.orgId)).find((t) => t.id === id);
      if (!token) throw new NotFoundError(`No token ${id} in your organisation.`);
      await deps.store.admins.revokeToken(id, Date.now());
      await deps.store.appendAudit({ at: Date.now(), actor: admin.email, source: request.ip, action: 'token.revoke', orgId: token.orgId, target: `token ${token.name} (${id})`, oldValue: 'active', newValue: 'revoked' });
      return { id, status: 'revoked' };
    });

    api.get('/api/v1/orgs/:org/domains', async (request) => ({ domains: await deps.domains.list(orgOf(request)) }));

    // Connections with their health; their credentials are never part of a response.
    api.get('/api/v1/orgs/:org/connections', async (request) => ({ connections: await deps.connections.list(orgOf(request)) }));

    api.post('/api/v1/orgs/:org/connections', async (request) => {
      const org = orgOf(request);
      return deps.connections.create(actorIn(request, org), org, request.body);
    });

    api.post('/api/v1/orgs/:org/connections/:id/test', async (request) => {
      const org = orgOf(request);
      return deps.connections.test(org, str((request.params as Record<string, unknown>).id) as ConnectionId);
    });

    api.patch('/api/v1/orgs/:org/connections/:id', async (request) => {
      const org = orgOf(request);
      const id = str((request.params as Record<string, unknown>).id) as ConnectionId;
      return deps.connections.update(actorIn(request, org), org, id, request.body);
    });

    api.delete('/api/v1/orgs/:org/connections/:id', async (request) => {
      const org = orgOf(request);
      const id = str((request.params as Record<string, unknown>).id) as ConnectionId;
      return deps.connections.remove(actorIn(request, org), org, id);
    });

    api.post('/api/v1/orgs/:org/domains', async (request) => {
      const org = orgOf(request);
      const body = parseBody(domainBody, request.body);
      return deps.domains.add(actorIn(request, org), org, body.domain);
    });

    api.post('/api/v1/orgs/:org/domains/:domain/verify', async (request) => {
      const org = orgOf(request);
      return deps.domains.verify(actorIn(request, org), org, str((request.params as Record<string, unknown>).domain));
    });

    api.post('/api/v1/orgs/:org/domains/:domain/approve', async (request) => {
      const org = orgOf(request);
      if (who(request).admin.role !== 'operator') throw new ForbiddenError('Only an operator approves a domain by hand; verify it through DNS instead.');
      return deps.domains.approve(actorIn(request, org), org, str((request.params as Record<string, unknown>).domain));
    });

    api.get('/api/v1/orgs/:org/policy', async (request) => deps.policies.get(orgOf(request)));

    api.put('/api/v1/orgs/:org/policy', async (request) => {
      const org = orgOf(request);
      return deps.admin.setPolicy(actorIn(request, org), org, request.body);
    });

    api.post('/api/v1/orgs/:org/suspensions', async (request) => {
      const org = orgOf(request);
      const body = parseBody(suspensionBody, request.body);
      const users = await deps.admin.setSuspended(actorIn(request, org), body.email, body.suspended);
      return { email: body.email, suspended: body.suspended, accounts: users.length };
    });

    api.post('/api/v1/orgs/:org/revocations', async (request) => {
      const org = orgOf(request);
      const body = parseBody(revocationBody, request.body);
      const actor = actorIn(request, org);
      const contact = await deps.admin.revokeContact(actor, await deps.admin.contactBetween(actor, body.from, body.to));
      return { contactId: contact.id, status: contact.status };
    });

    api.get('/api/v1/audit', async (request) => {
      const { admin } = who(request);
      if (admin.orgId !== null) throw new NotFoundError('The hub-wide audit log is for the operator; use /api/v1/orgs/{org}/audit.');
      const query = parseBody(auditQuery, request.query);
      return { entries: await deps.store.listAudit(undefined, query.limit, query.before, query.action) };
    });

    api.get('/api/v1/orgs/:org/audit', async (request) => {
      const org = orgOf(request);
      const query = parseBody(auditQuery, request.query);
      return { entries: await deps.store.listAudit(org, query.limit, query.before, query.action) };
    });

    api.get('/api/v1/orgs/:org/users', async (request) => {
      const org = orgOf(request);
      const query = parseBody(pageQuery.extend({ after: z.string().max(320).optional() }), request.query);
      return { users: await deps.store.views.users(org, query.limit, query.after) };
    });

    api.get('/api/v1/orgs', async (request) => {
      const { admin } = who(request);
      const visible = deps.directory.orgIds().filter((id) => admin.orgId === null || admin.orgId === id);
      return { orgs: await deps.store.views.orgs(visible) };
    });

    api.get('/api/v1/orgs/:org/analytics/overview', async (request) => {
      const org = orgOf(request);
      const query = parseBody(overviewQuery, request.query);
      return deps.analytics.overview(org, query);
    });

    // Usage per partner domain, local domain or platform: users, deliveries, failures, first and last day.
    api.get('/api/v1/orgs/:org/analytics/usage', async (request, reply) => {
      const org = orgOf(request);
      const { by, from, to, format, ...filter } = parseBody(usageQuery, request.query);
      // Whole months, since users are counted per month: by default the 12 up to this one.
      const now = new Date();
      const thisMonth = now.toISOString().slice(0, 7);
      const firstMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)).toISOString().slice(0, 7);
      const range = { from: from ?? firstMonth, to: to ?? thisMonth };
      const rows = await deps.analytics.usage(org, by, { fromDay: `${range.from}-01`, toDay: `${range.to}-31`, ...filter });
      if (format === 'json') return { by, ...range, rows };
      const header = `${by},users,delivered,failed,first_day,last_day\n`;
      const body = rows.map((r) => [csvField(r.key), r.users, r.delivered, r.failed, r.firstDay, r.lastDay].join(',')).join('\n');
      void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="parley-usage-${org}-${by}.csv"`);
      return reply.send(header + body + (rows.length > 0 ? '\n' : ''));
    });

    api.get('/api/v1/orgs/:org/invitations', async (request) => {
      const org = orgOf(request);
      const query = parseBody(pageQuery, request.query);
      return { invitations: await deps.store.views.invitations(org, query.limit) };
    });

    // The whole metadata log of the organisation, streamed page by page; audited, as it leaves the hub.
    api.get('/api/v1/orgs/:org/metadata/export', async (request, reply) => {
      const org = orgOf(request);
      const { format, ...filter } = parseBody(exportQuery, request.query);
      await deps.store.appendAudit({
        at: Date.now(),
        actor: who(request).admin.email,
        source: request.ip,
        action: 'metadata.export',
        orgId: org,
        target: `metadata of ${org}`,
        oldValue: null,
        newValue: JSON.stringify({ format, ...filter }),
      });
      const out = new PassThrough();
      void exportRecords((afterSeq) => deps.store.views.metadata(org, { ...filter, afterSeq, limit: 1000 }), format, out)
        .then(() => out.end())
        .catch((error: unknown) => out.destroy(error as Error));
      const day = new Date().toISOString().slice(0, 10);
      void reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
        .header('content-disposition', `attachment; filename="parley-metadata-${org}-${day}.${format}"`);
      return reply.send(out);
    });

    api.get('/api/v1/orgs/:org/contacts', async (request) => {
      const org = orgOf(request);
      const query = parseBody(pageQuery, request.query);
      return { contacts: await deps.store.views.contacts(org, query.limit) };
    });

    api.get('/api/v1/orgs/:org/metadata', async (request) => {
      const org = orgOf(request);
      const query = parseBody(metadataQuery, request.query);
      return { records: await deps.store.views.metadata(org, query) };
    });

    api.get('/api/v1/orgs/:org/dead-letters', async (request) => {
      const org = orgOf(request);
      const query = parseBody(pageQuery, request.query);
      return { deadLetters: await deps.store.views.deadLetters(org, query.limit) };
    });

    api.post('/api/v1/orgs/:org/dead-letters/:id/retry', async (request) => {
      const org = orgOf(request);
      const id = str((request.params as Record<string, unknown>).id) as DeliveryId;
      await deps.admin.retryDeadLetter(actorIn(request, org), org, id);
      return { id, status: 'queued' };
    });

    api.delete('/api/v1/orgs/:org/dead-letters/:id', async (request) => {
      const org = orgOf(request);
      const id = str((request.params as Record<string, unknown>).id) as DeliveryId;
      await deps.admin.discardDeadLetter(actorIn(request, org), org, id);
      return { id, status: 'discarded' };
    });

    api.get('/api/v1/orgs/:org/approvals', async (request) => {
      const org = orgOf(request);
      return { approvals: await deps.admin.approvals(actorIn(request, org), org) };
    });

    api.post('/api/v1/orgs/:org/approvals', async (request) => {
      const org = orgOf(request);
      const body = parseBody(approvalBody, request.body);
      return deps.admin.decideApproval(actorIn(request, org), org, body.domain, body.approve);
    });

    api.get('/api/v1/orgs/:org/explain', async (request) => {
      const org = orgOf(request);
      const query = request.query as Record<string, unknown>;
      const from = str(query.from).toLowerCase();
      const to = str(query.to).toLowerCase();
      for (const [name, value] of [['from', from], ['to', to]] as const) {
        if (!emailPattern.test(value)) throw new ParleyError(ErrorCode.PayloadInvalid, 400, `Invalid ${name} "${value.slice(0, 100)}": give an email address such as alice@acme.example.`);
      }
      const feature = (str(query.feature) || 'messages') as Feature;
      if (!features.includes(feature)) throw new ParleyError(ErrorCode.PayloadInvalid, 400, `Unknown feature "${feature}"; use one of ${features.join(', ')}.`);
      const fromOrg = deps.directory.orgOfDomain(from.split('@')[1] ?? '');
      const toOrg = deps.directory.orgOfDomain(to.split('@')[1] ?? '');
      if (!fromOrg || !toOrg) throw new ParleyError(ErrorCode.PayloadInvalid, 400, 'Give from and to as addresses at organisations on this hub.');
      // An admin explains crossings of their own organisation only.
      if (fromOrg !== org && toOrg !== org) throw new NotFoundError(`No crossing of organisation ${org} between ${from} and ${to}.`);
      const file = parseFileFacts({
        ...(query.fileBytes !== undefined ? { size: str(query.fileBytes) } : {}),
        ...(query.fileType !== undefined ? { mediaType: str(query.fileType) } : {}),
        ...(query.fileName !== undefined ? { name: str(query.fileName) } : {}),
      });
      if ('invalid' in file) {
        throw new ParleyError(ErrorCode.PayloadInvalid, 400, `Invalid ${file.invalid === 'size' ? 'fileBytes' : 'fileType'} ${file.message}`);
      }
      const decision = deps.policies.decide({ orgId: fromOrg, email: from }, { orgId: toOrg, email: to }, feature, file.facts);
      // Another organisation's rules are its own, so an org admin gets only its verdict.
      if (who(request).admin.role === 'operator') return decision;
      return {
        allowed: decision.allowed,
        verdicts: decision.verdicts.map((v) => (v.orgId === org ? v : { orgId: v.orgId, allowed: v.allowed, rule: v.allowed ? 'allowed' : 'denied by its policy' })),
        reason: decision.reason,
      };
    });
  });
}
