// Single sign-on for org admins through an OpenID Connect identity provider, with the code
// flow and PKCE. The tests also cover every way a login must fail: a forged or misdirected ID
// token, a replayed callback, a missing second factor, an unverified address, no account.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { AccountService } from '../../src/admin/accounts.js';
import { asId, type OrgId } from '../../src/core/ids.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { startIdentityProvider, type TestIdentityProvider } from '../kit/oidc-provider.js';

describe('single sign-on', () => {
  let t: TestHub;
  let idp: TestIdentityProvider;

  before(async () => {
    idp = await startIdentityProvider();
    t = await startTestHub({
      orgSettings: { acme: { sso: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret } } },
    });
    const accounts = new AccountService(t.hub.store);
    await accounts.create({ email: 'it@acme.example', role: 'org_admin', orgId: asId<OrgId>('acme'), sso: true });
    await accounts.create({ email: 'audit@acme.example', role: 'auditor', orgId: asId<OrgId>('acme'), password: 'Silent-Harbor-Quartz-19' });
    await accounts.create({ email: 'it@globex.example', role: 'org_admin', orgId: asId<OrgId>('globex'), password: 'Copper-Meadow-Tundra-77' });
    await accounts.create({ email: 'ops@acme.example', role: 'operator', password: 'Velvet-Orbit-Lantern-42' });
  });
  after(async () => {
    await t.stop();
    await idp.stop();
  });

  /** Walks the browser's path: the hub's login URL, the provider, and back to the callback. */
  async function signIn(org = 'acme'): Promise<{ callback: string; cookie: string; response: Response }> {
    const start = await fetch(`${t.hub.url}/api/v1/sso/${org}/login`, { redirect: 'manual' });
    if (start.status !== 302) return { callback: '', cookie: '', response: start };
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(start.headers.get('set-cookie') ?? '', /HttpOnly; Secure; SameSite=Lax/);
    const atProvider = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = atProvider.headers.get('location')!;
    const response = await fetch(callback, { headers: { cookie } });
    return { callback, cookie, response };
  }

  const message = async (response: Response) => ((await response.json()) as { message: string }).message;

  test('org admin signs in', async () => {
    idp.user = { email: 'IT@acme.example', amr: ['pwd', 'otp'] };
    const { response } = await signIn();
    assert.equal(response.status, 200);
    const body = (await response.json()) as { csrfToken: string; admin: { email: string; role: string } };
    assert.deepEqual(body.admin, { email: 'it@acme.example', role: 'org_admin', orgId: 'acme' });
    const session = response.headers.getSetCookie().find((c) => c.startsWith('parley_session='))!.split(';')[0]!;
    const policy = await fetch(`${t.hub.url}/api/v1/orgs/acme/policy`, { headers: { cookie: session } });
    assert.equal(policy.status, 200);
    const other = await fetch(`${t.hub.url}/api/v1/orgs/globex/policy`, { headers: { cookie: session } });
    assert.equal(other.status, 404);
    const [entry] = await t.hub.store.listAudit(asId<OrgId>('acme'), 1);
    assert.equal(entry?.action, 'admin.login_sso');
  });

  test('auditor with password signs in', async () => {
    idp.user = { email: 'audit@acme.example' };
    const { response } = await signIn();
    assert.equal(response.status, 200);
  });

  test('SSO admin has no password login', async () => {
    const response = await fetch(`${t.hub.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'it@acme.example', password: '', code: '000000' }),
    });
    assert.equal(response.status, 401);
    const another = await fetch(`${t.hub.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'it@acme.example', password: 'anything-at-all-1', code: '000000' }),
    });
    assert.equal(another.status, 401);
  });

  test('addresses without an admin rejected', async () => {
    for (const email of ['stranger@acme.example', 'it@globex.example', 'ops@acme.example']) {
      idp.user = { email };
      const { response } = await signIn();
      assert.equal(response.status, 401, email);
      assert.match(await message(response), /no admin account at acme on this hub/);
      assert.equal(response.headers.getSetCookie().some((c) => c.startsWith('parley_session=')), false);
    }
  });

  test('no second factor or verified address', async () => {
    idp.user = { email: 'it@acme.example', amr: ['pwd'] };
    const noMfa = (await signIn()).response;
    assert.equal(noMfa.status, 401);
    assert.match(await message(noMfa), /requires a second factor at sign-in, and the identity provider reports none/);
    idp.user = { email: 'it@acme.example', emailVerified: false };
    const unverified = (await signIn()).response;
    assert.equal(unverified.status, 401);
    assert.match(await message(unverified), /no verified email address/);
  });

  test('replayed or stateless callback rejected', async () => {
    idp.user = { email: 'it@acme.example' };
    const first = await signIn();
    assert.equal(first.response.status, 200);
    const replay = await fetch(first.callback, { headers: { cookie: first.cookie } });
    assert.equal(replay.status, 401);
    assert.match(await message(replay), /expired or was finished already/);

    const start = await fetch(`${t.hub.url}/api/v1/sso/acme/login`, { redirect: 'manual' });
    const back = (await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!;
    const noCookie = await fetch(back);
    assert.equal(noCookie.status, 401);
    assert.match(await message(noCookie), /not started in this browser/);
  });

  test('forged ID token rejected', async () => {
    idp.user = { email: 'it@acme.example' };
    for (const fault of ['foreign_key', 'wrong_nonce', 'wrong_audience'] as const) {
      idp.fault = fault;
      const { response } = await signIn();
      assert.equal(response.status, 401, fault);
      assert.match(await message(response), /did not confirm the sign-in/);
    }
    idp.fault = 'none';
  });

  test('org without SSO has no route', async () => {
    const { response } = await signIn('globex');
    assert.equal(response.status, 404);
    assert.match(await message(response), /has no single sign-on; log in with password and TOTP/);
  });

  test('pending sign-ins are capped', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 520; i++) statuses.push((await fetch(`${t.hub.url}/api/v1/sso/acme/login`, { redirect: 'manual' })).status);
    assert.ok(statuses.includes(429), 'the cap was reached');
    assert.ok(statuses.filter((s) => s === 302).length <= 500);
    const refused = await fetch(`${t.hub.url}/api/v1/sso/acme/login`, { redirect: 'manual' });
    assert.match(((await refused.json()) as { message: string }).message, /Too many sign-ins to acme are in progress/);
  });

  test('no secrets in the log', () => {
    assert.equal(t.logs.some((l) => l.includes(idp.clientSecret)), false);
    assert.equal(t.logs.some((l) => /parley_session=|code_verifier/.test(l)), false);
  });
});
