import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { TENANT_ID, activitiesPath, connector, requestToken, startWorld } from './helpers.js';

test('token endpoint issues bearer token', async (t) => {
  const { sim } = await startWorld(t, { tokenLifetimeSeconds: 600 });

  const response = await requestToken(sim);
  const claims = decodeJwt(response.body.access_token);

  assert.equal(response.status, 200);
  assert.equal(response.body.token_type, 'Bearer');
  assert.equal(response.body.expires_in, 600);
  assert.equal(response.body.ext_expires_in, 600);
  assert.equal(claims.aud, 'https://api.botframework.com');
  assert.equal(claims.appid, sim.bot.appId);
  assert.equal(sim.stats().tokenRequests, 1);
});

test('token works on Connector routes', async (t) => {
  const { sim, alice } = await startWorld(t);
  const token = (await requestToken(sim)).body.access_token as string;

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: 'hi' }, token);

  assert.equal(response.status, 201);
});

test('wrong secret gets invalid_client', async (t) => {
  const { sim } = await startWorld(t);

  const response = await requestToken(sim, { client_secret: 'not-the-secret' });

  assert.equal(response.status, 401);
  assert.equal(response.body.error, 'invalid_client');
  assert.match(response.body.error_description, /^AADSTS7000215: /);
  assert.deepEqual(response.body.error_codes, [7000215]);
  assert.equal(sim.stats().tokenRequests, 1);
  assert.equal(sim.stats().tokensIssued, 0);
});

test('unknown app id gets 400', async (t) => {
  const { sim } = await startWorld(t);

  const response = await requestToken(sim, { client_id: '00000000-0000-0000-0000-000000000000' });

  assert.equal(response.status, 400);
  assert.equal(response.body.error, 'unauthorized_client');
  assert.match(response.body.error_description, /^AADSTS700016: /);
});

test('token request checks grant and scope', async (t) => {
  const { sim } = await startWorld(t);

  const grant = await requestToken(sim, { grant_type: 'password' });
  const scope = await requestToken(sim, { scope: 'https://graph.microsoft.com/.default' });
  const json = await fetch(sim.tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  assert.equal(grant.status, 400);
  assert.equal(grant.body.error, 'unsupported_grant_type');
  assert.equal(scope.status, 400);
  assert.equal(scope.body.error, 'invalid_scope');
  assert.equal(json.status, 400);
});

test('token tenant path is checked', async (t) => {
  const { sim } = await startWorld(t);

  const byTenantId = await requestToken(sim, {}, TENANT_ID);
  const byDomain = await requestToken(sim, {}, 'initech.example');
  const unknown = await requestToken(sim, {}, 'globex.example');

  assert.equal(byTenantId.status, 200);
  assert.equal(decodeJwt(byTenantId.body.access_token).tid, TENANT_ID);
  assert.equal(byDomain.status, 200);
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error_description, /^AADSTS90002: /);
});

test('single-tenant bot needs its tenant', async (t) => {
  const { sim } = await startWorld(t, { bot: { appId: '9d2c4e1a-7f3b-4c6d-8e5f-1a2b3c4d5e6f', password: 'sim-client-secret-value', homeTenantId: TENANT_ID } });

  const shared = await requestToken(sim);
  const own = await requestToken(sim, {}, TENANT_ID);

  assert.equal(shared.status, 400);
  assert.equal(shared.body.error, 'unauthorized_client');
  assert.equal(own.status, 200);
});

test('Connector rejects missing token', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: 'hi' }, null);

  assert.equal(response.status, 401);
  assert.equal(response.body.message, 'Authorization has been denied for this request.');
  assert.deepEqual(sim.botMessages(alice.id), []);
});

test('Connector rejects forged tokens', async (t) => {
  const { sim, alice } = await startWorld(t);
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');
  const valid = await sim.issueAccessToken();
  const [header, payload] = valid.split('.');
  const otherApp = Buffer.from(JSON.stringify({ ...decodeJwt(valid), appid: 'someone-else' })).toString('base64url');

  // A Bot Framework channel token is signed by another key and has another audience.
  const channelToken = await sim.signToken();
  const badSignature = `${header}.${payload}.${'A'.repeat(342)}`;
  const swappedPayload = `${header}.${otherApp}.${valid.split('.')[2]}`;

  for (const [label, token] of [['channel token', channelToken], ['bad signature', badSignature], ['swapped payload', swappedPayload]]) {
    const response = await connector(sim, 'POST', path, { type: 'message', text: 'hi' }, token);
    assert.equal(response.status, 401, label);
  }
  assert.deepEqual(sim.botMessages(alice.id), []);
});

test('expired token gets 401', async (t) => {
  const { sim, alice } = await startWorld(t);
  sim.setTokenLifetime(1);
  const token = (await requestToken(sim)).body.access_token as string;
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');

  const fresh = await connector(sim, 'POST', path, { type: 'message', text: 'one' }, token);
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const expired = await connector(sim, 'POST', path, { type: 'message', text: 'two' }, token);

  assert.equal(fresh.status, 201);
  assert.equal(expired.status, 401);
});

test('token fault returns injected status', async (t) => {
  const { sim } = await startWorld(t);
  sim.failNext('getToken', 503, { retryAfter: 3 });

  const failed = await requestToken(sim);
  const next = await requestToken(sim);

  assert.equal(failed.status, 503);
  assert.equal(failed.headers.get('retry-after'), '3');
  assert.equal(failed.body.error, 'temporarily_unavailable');
  assert.equal(next.status, 200);
  assert.equal(sim.stats().tokenRequests, 2);
});
