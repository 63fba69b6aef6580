// Platform connections through the admin API: credentials sealed at rest and never shown,
// a connection that starts at once and serves its webhook route, changes and removal that
// apply at once, and the audit trail without a credential in it.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { AccountService } from '../../src/admin/accounts.js';
import { asId, type OrgId } from '../../src/core/ids.js';
import { CredentialSealer, CredentialsUnreadableError } from '../../src/store/credentials.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

const key = randomBytes(32).toString('base64');

describe('credential sealing', () => {
  const sealer = new CredentialSealer(key);

  test('sealed value opens only unchanged, in place', () => {
    const sealed = sealer.seal({ botToken: 'xoxb-secret' }, 'conn-a');
    assert.equal(sealed.includes('xoxb-secret'), false);
    assert.deepEqual(sealer.open(sealed, 'conn-a'), { botToken: 'xoxb-secret' });
    assert.throws(() => sealer.open(sealed, 'conn-b'), CredentialsUnreadableError, 'moved to another row');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => sealer.open([...parts.slice(0, 4), flipped.toString('base64url')].join('.'), 'conn-a'), /failed their integrity check/);
    assert.throws(() => sealer.open('v0.x.y.z.w', 'conn-a'), /not in a format this version reads/);
    assert.notEqual(sealer.seal({ botToken: 'xoxb-secret' }, 'conn-a'), sealed, 'each seal has its own IV');
  });

  test('previous key opens old values', () => {
    const next = randomBytes(32).toString('base64');
    const old = sealer.seal({ secret: 's' }, 'c');
    const rotated = new CredentialSealer(next, key);
    assert.deepEqual(rotated.open(old, 'c'), { secret: 's' });
    assert.equal(rotated.isStale(old), true);
    assert.equal(rotated.isStale(rotated.seal({ secret: 's' }, 'c')), false);
    assert.throws(() => new CredentialSealer(next).open(old, 'c'), /sealed under another key .*PARLEY_CREDENTIALS_KEY_PREVIOUS/);
  });

  test('malformed key rejected with the fix', () => {
    assert.throws(() => new CredentialSealer('short'), /PARLEY_CREDENTIALS_KEY must be 32 random bytes in base64 .* openssl rand -base64 32/);
    assert.equal(CredentialSealer.fromEnv({}), undefined);
  });
});

describe('connections through the admin API', () => {
  let t: TestHub;
  let operator = '';
  let umbrellaAdmin = '';
  let umbrella: { botToken: string; signingSecret: string; appId: string };
  let zed: { id: string };

  before(async () => {
    t = await startTestHub({ extraOrgs: [{ id: 'umbrella', name: 'Umbrella', domains: ['umbrella.example'] }] }, { env: { PARLEY_CREDENTIALS_KEY: key } });
    const { slack } = t.world;
    const workspace = slack.addWorkspace({ domain: 'umbrella.example', name: 'Umbrella' });
    zed = slack.addUser(workspace, { email: 'zed@umbrella.example', realName: 'Zed Zimmer', title: 'Ops' });
    const app = slack.installApp(workspace, { scopes: ['chat:write', 'chat:write.customize', 'im:write', 'im:history', 'groups:write', 'groups:history', 'users:read', 'users:read.email'], name: 'Parley' });
    umbrella = { botToken: app.botToken, signingSecret: app.signingSecret, appId: app.appId };

    const accounts = new AccountService(t.hub.store);
    await accounts.create({ email: 'operator@hub.example', role: 'operator', password: 'Velvet-Orbit-Lantern-42' });
    await accounts.create({ email: 'it@umbrella.example', role: 'org_admin', orgId: asId<OrgId>('umbrella'), password: 'Copper-Meadow-Tundra-77' });
    operator = (await accounts.createToken((await t.hub.store.admins.byEmail('operator@hub.example'))!, { name: 'ops', scopes: ['read', 'write'], days: 1 }, 'test')).token;
    umbrellaAdmin = (await accounts.createToken((await t.hub.store.admins.byEmail('it@umbrella.example'))!, { name: 'it', scopes: ['read', 'write'], days: 1 }, 'test')).token;
  });
  after(() => t.stop());

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${t.hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  test('bad input rejected, credentials never echoed', async () => {
    const path = '/api/v1/orgs/umbrella/connections';
    const cases: Array<[unknown, RegExp]> = [
      [{ id: 'Bad Id', platform: 'slack', credentials: {} }, /^Invalid id: lowercase letters, digits and hyphens/],
      [{ id: 'u1', platform: 'sip', credentials: {} }, /^Invalid platform: /],
      [{ id: 'u1', platform: 'slack', settings: { botToken: 'xoxb-leak-1' }, credentials: {} }, /^Invalid settings\.botToken: it is a credential; send it in credentials/],
      [{ id: 'u1', platform: 'slack', credentials: { botToken: 'xoxb-leak-2' } }, /^Invalid credentials: signingSecret is missing/],
      [{ id: 'u1', platform: 'slack', credentials: { botToken: 'xoxb-leak-3', signingSecret: 's', password: 'p' } }, /^Invalid credentials\.password: a slack connection's credentials are botToken, signingSecret/],
      [{ id: 'u1', platform: 'slack', settings: { channelPrefix: 'Not Valid!' }, credentials: { botToken: 'xoxb-leak-4', signingSecret: 's' } }, /^Invalid settings\.channelPrefix: /],
      // Where the hub connects is the operator's to set: an org admin could aim it at the hub's own network.
      [{ id: 'u1', platform: 'slack', settings: { apiUrl: 'http://169.254.169.254/api/' }, credentials: { botToken: 'xoxb-leak-5', signingSecret: 's' } }, /^Only the hub's operator may set settings\.apiUrl/],
      [{ id: 'u1', platform: 'xmpp', settings: { host: '10.0.0.1', componentDomain: 'x.umbrella.example', serverDomain: 'umbrella.example' }, credentials: { secret: 'xoxb-leak-6' } }, /^Only the hub's operator may set settings\.host/],
      [{ id: 'u1', platform: 'xmpp', settings: { uploadService: 'upload.attacker.example', componentDomain: 'x.umbrella.example', serverDomain: 'umbrella.example' }, credentials: { secret: 'xoxb-leak-7' } }, /^Only the hub's operator may set settings\.uploadService/],
      [{ id: 'globex-slack', platform: 'slack', credentials: { botToken: umbrella.botToken, signingSecret: umbrella.signingSecret } }, /exists already, or existed; choose another id/],
    ];
    for (const [body, message] of cases) {
      const response = await call('POST', path, umbrellaAdmin, body);
      assert.ok([400, 403, 409].includes(response.status), `${response.status} for ${JSON.stringify(body)}`);
      assert.match(String(response.json.message), message);
      assert.equal(/xoxb-leak/.test(response.text), false);
    }
  });

  test('added Slack connection starts at once', async () => {
    const { slack, webex, people } = t.world;
    // The operator adds it, as only the operator may point a connection at another API URL (the simulator's).
    const created = await call('POST', '/api/v1/orgs/umbrella/connections', operator, {
      id: 'umbrella-slack',
      platform: 'slack',
      settings: { apiUrl: `${slack.url}/api/` },
      credentials: { botToken: umbrella.botToken, signingSecret: umbrella.signingSecret },
    });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.source, 'api');
    assert.deepEqual(created.json.credentials, ['botToken', 'signingSecret']);
    assert.equal((created.json.state as { status: string }).status, 'connected');
    assert.equal(created.text.includes(umbrella.botToken), false);

    // The new route responds at once: the workspace's events reach the hub.
    await slack.setRequestUrl(umbrella.appId, `${t.hub.url}/hooks/slack/umbrella-slack`);
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite zed@umbrella.example' });
    await waitFor('request reaches Zed in Slack', () => slack.inbox(zed.id).find((m) => m.text.includes('wants to connect')));
  });

  test('listing shows credential names only', async () => {
    const listing = await call('GET', '/api/v1/orgs/umbrella/connections', umbrellaAdmin);
    assert.match(listing.text, /"id":"umbrella-slack","platform":"slack","source":"api"/);
    assert.equal(listing.text.includes(umbrella.botToken) || listing.text.includes(umbrella.signingSecret), false);
    assert.equal((await call('GET', '/api/v1/orgs/globex/connections', umbrellaAdmin)).status, 404);
    assert.equal((await call('DELETE', '/api/v1/orgs/globex/connections/globex-slack', umbrellaAdmin)).status, 404);
    const configOne = await call('DELETE', '/api/v1/orgs/globex/connections/globex-slack', operator);
    assert.equal(configOne.status, 409);
    assert.match(String(configOne.json.message), /defined in the config file; change or remove it there/);
  });

  test('credentials sealed, absent from logs', async () => {
    const stored = (await t.hub.store.connections.get(asId('umbrella-slack')))!;
    assert.match(stored.sealedCredentials, /^v1\.[0-9a-f]{8}\./);
    assert.equal(stored.sealedCredentials.includes(umbrella.botToken), false);
    await t.hub.store.compact();
    const file = readFileSync(t.dataPath);
    assert.equal(file.includes(umbrella.botToken), false, 'the token is in the database file in the clear');
    assert.equal(file.includes(umbrella.signingSecret), false);
    assert.equal(t.logs.some((l) => l.includes(umbrella.botToken) || l.includes(umbrella.signingSecret)), false);
    const audit = await t.hub.store.listAudit(asId<OrgId>('umbrella'), 10);
    const create = audit.find((a) => a.action === 'connection.create')!;
    assert.match(create.actor, /operator@hub\.example/);
    assert.match(create.newValue ?? '', /"credentials":\["botToken","signingSecret"\]/);
    assert.equal(JSON.stringify(audit).includes(umbrella.botToken), false);
  });

  test('token update takes effect at once', async () => {
    const broken = await call('PATCH', '/api/v1/orgs/umbrella/connections/umbrella-slack', umbrellaAdmin, { credentials: { botToken: 'xoxb-wrong-token' } });
    assert.equal(broken.status, 200, broken.text);
    assert.deepEqual(broken.json.state && (broken.json.state as { status: string }).status, 'failed');
    const fixed = await call('PATCH', '/api/v1/orgs/umbrella/connections/umbrella-slack', umbrellaAdmin, { credentials: { botToken: umbrella.botToken } });
    assert.equal((fixed.json.state as { status: string }).status, 'connected');
    const update = (await t.hub.store.listAudit(asId<OrgId>('umbrella'), 1))[0]!;
    assert.equal(update.action, 'connection.update');
    assert.match(update.newValue ?? '', /"credentialsReplaced":\["botToken"\]/);
    assert.equal(update.newValue?.includes('xoxb-wrong-token'), false);
  });

  test('removal stops connection and route', async () => {
    const removed = await call('DELETE', '/api/v1/orgs/umbrella/connections/umbrella-slack', umbrellaAdmin);
    assert.deepEqual(removed.json, { id: 'umbrella-slack', status: 'removed' });
    const hook = await fetch(`${t.hub.url}/hooks/slack/umbrella-slack`, { method: 'POST', body: '{}' });
    assert.equal(hook.status, 404);
    assert.equal(t.hub.connectors.some((c) => c.connectionId === 'umbrella-slack'), false);
    const again = await call('POST', '/api/v1/orgs/umbrella/connections', operator, { id: 'umbrella-slack', platform: 'slack', settings: { apiUrl: `${t.world.slack.url}/api/` }, credentials: { botToken: umbrella.botToken, signingSecret: umbrella.signingSecret } });
    assert.equal(again.status, 409, 'a removed id is not reused, since old records name it');
  });
});

describe('a hub without a credentials key', () => {
  test('credential write rejected without key', async () => {
    const t = await startTestHub({}, { env: {} });
    try {
      const accounts = new AccountService(t.hub.store);
      await accounts.create({ email: 'operator@hub.example', role: 'operator', password: 'Velvet-Orbit-Lantern-42' });
      const token = (await accounts.createToken((await t.hub.store.admins.byEmail('operator@hub.example'))!, { name: 'ops', scopes: ['read', 'write'], days: 1 }, 'test')).token;
      const response = await fetch(`${t.hub.url}/api/v1/orgs/globex/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'g2', platform: 'xmpp', settings: { componentDomain: 'x.globex.example', serverDomain: 'globex.example' }, credentials: { secret: 'component-secret' } }),
      });
      assert.equal(response.status, 503);
      assert.match(((await response.json()) as { message: string }).message, /PARLEY_CREDENTIALS_KEY is not set\. The operator sets it to 32 random bytes in base64/);
    } finally {
      await t.stop();
    }
  });
});
