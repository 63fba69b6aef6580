// The admin API as an attacker and as an admin meet it: two-factor login, replay and
// brute force, CSRF, tenant isolation over every organisation route, auditors, and a
// policy change through the API that stops a live chat.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { URI, type TOTP } from 'otpauth';

import { AccountService, type CreatedAdmin } from '../../src/admin/accounts.js';
import { openApiDocument } from '../../src/admin/openapi.js';
import { asId, type OrgId } from '../../src/core/ids.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

const passwords = {
  operator: 'Velvet-Orbit-Lantern-42',
  globex: 'Copper-Meadow-Tundra-77',
  auditor: 'Silent-Harbor-Quartz-19',
};

interface Login {
  cookie: string;
  csrf: string;
}

describe('admin API', () => {
  let t: TestHub;
  let chat: AliceAndBob;
  const accounts: Record<string, CreatedAdmin> = {};
  const responses: string[] = [];

  before(async () => {
    t = await startTestHub();
    chat = await connectAliceAndBob(t.world);
    const service = new AccountService(t.hub.store);
    accounts.operator = await service.create({ email: 'operator@hub.example', role: 'operator', password: passwords.operator });
    accounts.globex = await service.create({ email: 'it@globex.example', role: 'org_admin', orgId: asId<OrgId>('globex'), password: passwords.globex });
    accounts.auditor = await service.create({ email: 'audit@globex.example', role: 'auditor', orgId: asId<OrgId>('globex'), password: passwords.auditor });
  });
  after(() => t.stop());

  const totp = (who: string): TOTP => URI.parse(accounts[who]!.totpUri) as TOTP;
  /**
   * A fresh code: a code works once, so each login of an admin takes the next 30 s step.
   * The server accepts one step either side of now, so an admin logs in at most twice here.
   */
  const steps: Record<string, number> = {};
  const nextCode = (who: string) => {
    const step = steps[who] ?? 0;
    steps[who] = step + 1;
    return totp(who).generate({ timestamp: Date.now() + step * 30_000 });
  };
  const sessions: Record<string, Login> = {};

  async function call(method: string, path: string, body?: unknown, login?: Login, csrf = true): Promise<Response> {
    const response = await fetch(`${t.hub.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(login ? { cookie: login.cookie } : {}),
        ...(login && csrf ? { 'x-csrf-token': login.csrf } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    responses.push(await response.clone().text());
    return response;
  }

  async function login(who: string, email: string, password: string, code?: string): Promise<Login> {
    const cached = sessions[who];
    if (cached && code === undefined) return cached;
    const response = await call('POST', '/api/v1/session', { email, password, code: code ?? nextCode(who) });
    assert.equal(response.status, 200, `login of ${email} failed: ${await response.clone().text()}`);
    const cookie = response.headers.get('set-cookie') ?? '';
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    sessions[who] = { cookie: cookie.split(';')[0]!, csrf: csrfToken };
    return sessions[who];
  }

  test('login needs the password and a TOTP code, and sets a strict cookie', async () => {
    const noCode = await call('POST', '/api/v1/session', { email: 'operator@hub.example', password: passwords.operator });
    assert.equal(noCode.status, 400);
    assert.match(((await noCode.json()) as { message: string }).message, /^Invalid code: /);
    assert.equal((await call('POST', '/api/v1/session', { email: 'operator@hub.example', password: passwords.operator, code: '000000' })).status, 401);
    const response = await call('POST', '/api/v1/session', { email: 'operator@hub.example', password: passwords.operator, code: nextCode('operator') });
    assert.equal(response.status, 200);
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Strict/);
  });

  test('a TOTP code works once', async () => {
    const code = nextCode('globex');
    await login('globex', 'it@globex.example', passwords.globex, code);
    assert.equal((await call('POST', '/api/v1/session', { email: 'it@globex.example', password: passwords.globex, code })).status, 401);
  });

  test('repeated failures lock the account', async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal((await call('POST', '/api/v1/session', { email: 'audit@globex.example', password: `wrong-password-${i}`, code: '123456' })).status, 401);
    }
    const locked = await call('POST', '/api/v1/session', { email: 'audit@globex.example', password: passwords.auditor, code: nextCode('auditor') });
    assert.equal(locked.status, 429);
    assert.match(((await locked.json()) as { message: string }).message, /locked after repeated failures; try again in \d+ s/);
  });

  test('changes without the CSRF token fail', async () => {
    const operator = await login('operator', 'operator@hub.example', passwords.operator);
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', {}, operator, false)).status, 403);
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', {}, { ...operator, csrf: 'forged' })).status, 403);
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', {}, operator)).status, 200);
    assert.equal((await call('GET', '/api/v1/orgs/acme/policy')).status, 401);
  });

  test('an org admin gets 404 for every route of another organisation', async () => {
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const bodies: Record<string, unknown> = {
      '/api/v1/orgs/{org}/policy': {},
      '/api/v1/orgs/{org}/suspensions': { email: 'alice@acme.example', suspended: true },
      '/api/v1/orgs/{org}/revocations': { from: 'alice@acme.example', to: 'dana@globex.example' },
    };
    let checked = 0;
    for (const [path, item] of Object.entries(openApiDocument.paths)) {
      if (!path.includes('{org}')) continue;
      for (const method of Object.keys(item)) {
        const url = path.replace('{org}', 'acme').replace('{id}', 'any-id') + (path.endsWith('explain') ? '?from=alice@acme.example&to=carol@acme.example' : '');
        const response = await call(method.toUpperCase(), url, method === 'get' ? undefined : bodies[path], globex);
        assert.equal(response.status, 404, `${method.toUpperCase()} ${url} answered ${response.status}`);
        checked++;
      }
    }
    const expected = Object.entries(openApiDocument.paths)
      .filter(([path]) => path.includes('{org}'))
      .reduce((sum, [, item]) => sum + Object.keys(item).length, 0);
    assert.equal(checked, expected);
    assert.ok(checked >= 12, `only ${checked} organisation routes were checked`);
    // Their own organisation responds.
    assert.equal((await call('GET', '/api/v1/orgs/globex/policy', undefined, globex)).status, 200);
    const explain = await call('GET', '/api/v1/orgs/globex/explain?from=bob@globex.example&to=alice@acme.example&feature=files', undefined, globex);
    assert.equal(((await explain.json()) as { allowed: boolean }).allowed, true);
  });

  test('an auditor reads but cannot change', async () => {
    // A recovery code logs in once (the account locked above is unlocked for this test).
    await t.hub.store.admins.recordFailure((await t.hub.store.admins.byEmail('audit@globex.example'))!.id, 0, 0);
    const auditor = await login('auditor', 'audit@globex.example', passwords.auditor, accounts.auditor!.recoveryCodes[0]);
    assert.equal((await call('GET', '/api/v1/orgs/globex/audit', undefined, auditor)).status, 200);
    assert.equal((await call('PUT', '/api/v1/orgs/globex/policy', {}, auditor)).status, 403);
    assert.equal((await call('POST', '/api/v1/session', { email: 'audit@globex.example', password: passwords.auditor, code: accounts.auditor!.recoveryCodes[0] })).status, 401);
  });

  test('API domain block stops the chat', async () => {
    const { webex, slack, people } = t.world;
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const blocked = await call('PUT', '/api/v1/orgs/globex/policy', { mode: 'block_list', domains: { 'acme.example': { allow: false } } }, globex);
    assert.equal(blocked.status, 200);

    await slack.postAsUser(people.bob.id, chat.bobChannel, 'through a blocked domain');
    await waitFor('notice to Bob', () => slack.inbox(people.bob.id).find((m) => m.channel === chat.bobIm && m.text.startsWith('Not delivered: the federation policy of your organisation')));
    await waitFor('notice to Alice', () => webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.includes('sent you a message that was not delivered')));

    const bad = await call('PUT', '/api/v1/orgs/globex/policy', { mode: 'sometimes' }, globex);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /^Invalid policy at mode: /);

    assert.equal((await call('PUT', '/api/v1/orgs/globex/policy', {}, globex)).status, 200);
    await slack.postAsUser(people.bob.id, chat.bobChannel, 'open again');
    await waitFor('message in Webex', () => webex.messagesIn(chat.aliceRoom).find((m) => m.text === 'open again'));

    const audit = (await (await call('GET', '/api/v1/orgs/globex/audit', undefined, globex)).json()) as { entries: Array<{ action: string; actor: string; newValue: string | null }> };
    const changes = audit.entries.filter((e) => e.action === 'policy.set');
    assert.equal(changes[0]?.newValue, JSON.stringify({ mode: 'open', approval: false, defaultDeny: false, defaults: {}, domains: {}, groups: {}, users: {}, invitations: {} }));
    assert.match(changes[1]?.newValue ?? '', /"acme.example":\{"allow":false\}/);
    assert.equal(changes[1]?.actor, 'it@globex.example');
  });

  test('files off stops files, not text', async () => {
    const { webex, slack, people } = t.world;
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    assert.equal((await call('PUT', '/api/v1/orgs/globex/policy', { domains: { 'acme.example': { features: { files: false } } } }, globex)).status, 200);
    await slack.shareFileAsUser(people.bob.id, chat.bobChannel, { name: 'q3.pdf', mediaType: 'application/pdf', bytes: Buffer.from('%PDF'), text: 'numbers attached' });
    await waitFor('text in Webex', () => webex.messagesIn(chat.aliceRoom).find((m) => m.text === 'numbers attached'));
    const notice = await waitFor('notice to Bob', () =>
      slack.inbox(people.bob.id).find((m) => m.channel === chat.bobIm && m.text.startsWith('Your file was not delivered: the federation policy of your organisation')),
    );
    assert.match(notice.text, /does not allow files between you and alice@acme\.example/);
    await t.hub.worker.drained();
    assert.equal(webex.contents().length, 0, 'no file reached Webex');
    const denied = (await t.hub.store.queryMetadata({})).filter((r) => r.outcome === 'policy_denied' && r.eventKind === 'file');
    assert.equal(denied.length, 1);

    assert.equal((await call('PUT', '/api/v1/orgs/globex/policy', {}, globex)).status, 200);
    await slack.shareFileAsUser(people.bob.id, chat.bobChannel, { name: 'q3.pdf', mediaType: 'application/pdf', bytes: Buffer.from('%PDF') });
    await waitFor('file in Webex', () => webex.contents().find((c) => c.name === 'q3.pdf'));
  });

  test('no password, TOTP secret or session id reaches a response or a log', () => {
    const secrets = [...Object.values(passwords), ...Object.values(accounts).map((a) => URI.parse(a.totpUri).secret.base32)];
    const logs = t.logs.join('');
    for (const secret of secrets) {
      assert.equal(logs.includes(secret), false, 'a log line contains a credential');
      assert.equal(responses.some((r) => r.includes(secret)), false, 'a response contains a credential');
    }
    assert.equal(/parley_session=[A-Za-z0-9_-]{20}/.test(logs), false, 'a log line contains a session cookie');
  });

  test('parallel logins use a code once and cannot outrun the lockout', async () => {
    const service = new AccountService(t.hub.store);
    const racer = await service.create({ email: 'racer@hub.example', role: 'operator', password: 'Amber-Falcon-Ridge-58' });
    const code = (URI.parse(racer.totpUri) as TOTP).generate();
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/api/v1/session?next=/', { email: 'racer@hub.example', password: 'Amber-Falcon-Ridge-58', code })),
    );
    // One login succeeds; the replays fail, and from the fifth failure on the account is locked.
    const statuses = attempts.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1);
    assert.deepEqual([...new Set(statuses.filter((s) => s !== 200))].sort(), [401, 429]);

    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('POST', '/api/v1/session', { email: 'racer@hub.example', password: `guess-${i}`, code: '000000' })),
    );
    assert.equal(guesses.filter((r) => r.status === 200).length, 0);
    const admin = await t.hub.store.admins.byEmail('racer@hub.example');
    // The first five count; then the lock turns the rest away before any password check.
    assert.ok((admin?.failedLogins ?? 0) >= 5, `only ${admin?.failedLogins} failures were counted`);
    assert.ok((admin?.lockedUntil ?? 0) > Date.now(), 'the account is not locked');
  });

  test('an address with no account locks like one with an account', async () => {
    for (let i = 0; i < 5; i++) await call('POST', '/api/v1/session', { email: 'ghost@hub.example', password: `guess-${i}`, code: '000000' });
    assert.equal((await call('POST', '/api/v1/session', { email: 'ghost@hub.example', password: 'guess', code: '000000' })).status, 429);
  });

  test('bad bodies get 400 naming the field', async () => {
    const operator = await login('operator', 'operator@hub.example', passwords.operator);
    const suspension = await call('POST', '/api/v1/orgs/globex/suspensions', { email: 'dana@globex.example', suspended: 'false' }, operator);
    assert.equal(suspension.status, 400);
    assert.match(((await suspension.json()) as { message: string }).message, /^Invalid suspended: /);
    const revocation = await call('POST', '/api/v1/orgs/globex/revocations', {}, operator);
    assert.match(((await revocation.json()) as { message: string }).message, /^Invalid from: /);
    const policy = await call('PUT', '/api/v1/orgs/globex/policy', { mode: 'allow_list', domains: { ' acme.example': { allow: true } } }, operator);
    assert.equal(policy.status, 400);
    assert.match(((await policy.json()) as { message: string }).message, /a lowercase domain such as globex\.example/);
    const login400 = await call('POST', '/api/v1/session', { email: ['x'], password: 1 });
    assert.equal(login400.status, 400);
    assert.equal(login400.headers.get('cache-control'), 'no-store');
  });

  test('explain hides the other organisation\'s rules from an org admin', async () => {
    const operator = await login('operator', 'operator@hub.example', passwords.operator);
    const secretGroup = { groups: { 'merger-2027': { members: ['carol@acme.example'], rules: { federate: false } } } };
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', secretGroup, operator)).status, 200);
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const response = await call('GET', '/api/v1/orgs/globex/explain?from=carol@acme.example&to=bob@globex.example', undefined, globex);
    const text = await response.text();
    assert.equal(text.includes('merger-2027'), false, 'the other organisation\'s group name leaked');
    assert.match(text, /"rule":"denied by its policy"/);
    const asOperator = await (await call('GET', '/api/v1/orgs/acme/explain?from=carol@acme.example&to=bob@globex.example', undefined, operator)).text();
    assert.match(asOperator, /group merger-2027: federation off/);
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', {}, operator)).status, 200);
  });

  test('explain judges a given file', async () => {
    const operator = await login('operator', 'operator@hub.example', passwords.operator);
    const rules = { domains: { 'globex.example': { maxFileBytes: 1000, fileTypes: { block: ['.exe'] } } } };
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', rules, operator)).status, 200);
    const ask = async (query: string) =>
      (await (await call('GET', `/api/v1/orgs/acme/explain?from=alice@acme.example&to=bob@globex.example&feature=files&${query}`, undefined, operator)).json()) as {
        allowed: boolean;
        verdicts: Array<{ rule: string }>;
      };
    assert.equal((await ask('fileBytes=999&fileType=application/pdf&fileName=a.pdf')).allowed, true);
    assert.equal((await ask('fileBytes=1001')).verdicts[0]!.rule, 'domain globex.example: files over 1000 bytes');
    assert.equal((await ask('fileBytes=10&fileName=setup.exe')).verdicts[0]!.rule, 'domain globex.example: file type .exe blocked');
    const bad = await call('GET', '/api/v1/orgs/acme/explain?from=alice@acme.example&to=bob@globex.example&feature=files&fileBytes=ten', undefined, operator);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /Invalid fileBytes "ten" is not a number of bytes; give one such as 1048576\./);
    assert.equal((await call('PUT', '/api/v1/orgs/acme/policy', {}, operator)).status, 200);
  });

  test('an auditor can log out', async () => {
    await t.hub.store.admins.recordFailure((await t.hub.store.admins.byEmail('audit@globex.example'))!.id, 0, 0);
    const auditor = await login('auditor', 'audit@globex.example', passwords.auditor, accounts.auditor!.recoveryCodes[1]);
    assert.equal((await call('DELETE', '/api/v1/session', undefined, auditor)).status, 200);
    assert.equal((await call('GET', '/api/v1/orgs/globex/audit', undefined, auditor)).status, 401);
  });

  test('listings show the organisation\'s users, contacts, metadata and dead letters', async () => {
    const { webex, slack, people } = t.world;
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const connections = await (await call('GET', '/api/v1/orgs/globex/connections', undefined, globex)).text();
    assert.match(connections, /"id":"globex-slack","platform":"slack","source":"config","state":\{"status":"connected"/);
    assert.equal(/xoxb-|signingSecret|botToken/.test(connections), false, 'a connection listing shows a credential');

    const users = (await (await call('GET', '/api/v1/orgs/globex/users', undefined, globex)).json()) as { users: Array<{ email: string }> };
    assert.ok(users.users.some((u) => u.email === 'bob@globex.example'));
    assert.equal(users.users.some((u) => u.email?.endsWith('@acme.example')), false);

    const contacts = (await (await call('GET', '/api/v1/orgs/globex/contacts', undefined, globex)).json()) as { contacts: Array<{ userA: string; userB: string }> };
    assert.ok(contacts.contacts.some((c) => [c.userA, c.userB].includes('bob@globex.example')));

    const metadata = (await (await call('GET', '/api/v1/orgs/globex/metadata?user=bob@globex.example&limit=5', undefined, globex)).json()) as {
      records: Array<{ sourceOrg: string | null; targetOrg: string | null }>;
    };
    assert.ok(metadata.records.length > 0);
    assert.ok(metadata.records.every((r) => r.sourceOrg === 'globex' || r.targetOrg === 'globex'));
    const newest = (await (await call('GET', '/api/v1/orgs/globex/metadata?order=desc&limit=3', undefined, globex)).json()) as { records: Array<{ seq: number }> };
    assert.equal(newest.records.length, 3);
    assert.ok(newest.records[0]!.seq > newest.records[1]!.seq);
    assert.ok(newest.records[1]!.seq > newest.records[2]!.seq);
    const older = (await (await call('GET', `/api/v1/orgs/globex/metadata?order=desc&limit=1&beforeSeq=${newest.records[2]!.seq}`, undefined, globex)).json()) as { records: Array<{ seq: number }> };
    assert.ok(older.records[0]!.seq < newest.records[2]!.seq);

    const me = (await (await call('GET', '/api/v1/session', undefined, globex)).json()) as { admin: { email: string; role: string; orgId: string }; csrfToken: string };
    assert.deepEqual(me.admin, { email: 'it@globex.example', role: 'org_admin', orgId: 'globex' });
    assert.equal(me.csrfToken, globex.csrf);

    // Slack rejects one post for good: it becomes a dead letter of globex's connection.
    slack.failNext({ method: 'chat.postMessage', error: 'is_archived' });
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'will be dead' });
    const dead = await waitFor('dead letter listed', async () => {
      const body = (await (await call('GET', '/api/v1/orgs/globex/dead-letters', undefined, globex)).json()) as { deadLetters: Array<{ id: string; reason: string }> };
      return body.deadLetters.find((d) => d.reason === 'platform_rejected:is_archived');
    });
    const listing = await (await call('GET', '/api/v1/orgs/globex/dead-letters', undefined, globex)).text();
    assert.equal(listing.includes('will be dead'), false, 'a dead-letter listing shows message text');

    assert.equal((await call('POST', `/api/v1/orgs/globex/dead-letters/${dead.id}/retry`, undefined, globex)).status, 200);
    await waitFor('retried message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'will be dead'));
    assert.equal((await call('DELETE', `/api/v1/orgs/globex/dead-letters/${dead.id}`, undefined, globex)).status, 404);
    const audit = (await (await call('GET', '/api/v1/orgs/globex/audit?action=dead_letter.retry', undefined, globex)).json()) as { entries: unknown[] };
    assert.equal(audit.entries.length, 1);
  });

  test('connection health and test action', async () => {
    const { slack } = t.world;
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const listing = (await (await call('GET', '/api/v1/orgs/globex/connections', undefined, globex)).json()) as {
      connections: Array<{ id: string; health: { lastSuccessAt: string | null; lastError: string | null; lastHour: { delivered: number; failed: number } } }>;
    };
    const health = listing.connections.find((c) => c.id === 'globex-slack')!.health;
    assert.notEqual(health.lastSuccessAt, null);
    assert.ok(health.lastHour.delivered >= 1);
    assert.equal(health.lastError, 'platform_rejected:is_archived', 'the dead letter made earlier shows');
    assert.ok(health.lastHour.failed >= 1);

    const ok = (await (await call('POST', '/api/v1/orgs/globex/connections/globex-slack/test', undefined, globex)).json()) as { ok: boolean; durationMs: number };
    assert.equal(ok.ok, true);
    slack.failNext({ method: 'auth.test', error: 'invalid_auth' });
    const failed = (await (await call('POST', '/api/v1/orgs/globex/connections/globex-slack/test', undefined, globex)).json()) as { ok: boolean; error: string };
    assert.deepEqual([failed.ok, failed.error], [false, 'platform_rejected:invalid_auth']);
    assert.equal((await call('POST', '/api/v1/orgs/globex/connections/acme-webex/test', undefined, globex)).status, 404);
  });

  test('orgs, invitations and export, per org', async () => {
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const orgs = (await (await call('GET', '/api/v1/orgs', undefined, globex)).json()) as { orgs: Array<{ id: string; domains: string[] }> };
    assert.deepEqual(orgs.orgs, [{ id: 'globex', name: 'Globex', domains: ['globex.example'] }]);
    const all = (await (await call('GET', '/api/v1/orgs', undefined, await login('operator', 'operator@hub.example', passwords.operator))).json()) as { orgs: Array<{ id: string }> };
    assert.deepEqual(all.orgs.map((o) => o.id), ['acme', 'globex']);

    const invitations = (await (await call('GET', '/api/v1/orgs/globex/invitations', undefined, globex)).json()) as { invitations: Array<{ from: string; to: string; status: string }> };
    assert.ok(invitations.invitations.some((i) => i.from === 'alice@acme.example' && i.to === 'bob@globex.example' && i.status === 'accepted'));

    const csv = await call('GET', '/api/v1/orgs/globex/metadata/export?format=csv', undefined, globex);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(csv.headers.get('content-disposition') ?? '', /^attachment; filename="parley-metadata-globex-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await csv.text()).trim().split('\n');
    assert.equal(lines[0], 'time,type,event_kind,sender,receiver,session_id,source_platform,target_platform,source_org,target_org,outcome');
    assert.ok(lines.length > 3);
    assert.ok(lines.slice(1).every((line) => line.includes(',globex,') || line.includes(',globex')), 'a record of another organisation was exported');
    const jsonl = await (await call('GET', '/api/v1/orgs/globex/metadata/export?format=jsonl&type=im', undefined, globex)).text();
    assert.ok(jsonl.trim().split('\n').every((line) => (JSON.parse(line) as { type: string }).type === 'im'));
    assert.equal((await call('GET', '/api/v1/orgs/globex/metadata/export?format=xlsx', undefined, globex)).status, 400);
    const audit = (await (await call('GET', '/api/v1/orgs/globex/audit?action=metadata.export', undefined, globex)).json()) as { entries: Array<{ actor: string }> };
    assert.equal(audit.entries.length, 2);
    assert.equal(audit.entries[0]!.actor, 'it@globex.example');
  });

  test('analytics overview and usage report', async () => {
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const overview = (await (await call('GET', '/api/v1/orgs/globex/analytics/overview', undefined, globex)).json()) as {
      months: Array<{ period: string; users: number; delivered: number }>;
      byPartnerDomain: Array<{ key: string; delivered: number }>;
    };
    assert.equal(overview.months.length, 12);
    const current = overview.months[11]!;
    assert.equal(current.period, new Date().toISOString().slice(0, 7));
    assert.ok(current.users >= 1);
    assert.ok(current.delivered >= 1);
    assert.equal(overview.byPartnerDomain[0]?.key, 'acme.example');
    assert.deepEqual((overview as unknown as { partnerDomains: string[] }).partnerDomains, ['acme.example']);
    const invitations = (overview as unknown as { months: Array<{ invitations: Record<string, number> }> }).months[11]!.invitations;
    assert.deepEqual(Object.keys(invitations).sort(), ['accepted', 'cancelled', 'declined', 'expired', 'pending', 'sent']);

    const csv = await call('GET', '/api/v1/orgs/globex/analytics/usage?by=platform&format=csv', undefined, globex);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    const [header, first] = (await csv.text()).split('\n');
    assert.equal(header, 'platform,users,delivered,failed,first_day,last_day');
    assert.match(first ?? '', /^slack,\d+,\d+,\d+,\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2}$/);
    const bad = await call('GET', '/api/v1/orgs/globex/analytics/usage?from=2026-13', undefined, globex);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /a month such as 2026-01/);
  });

  test('API tokens act within their scope and organisation', async () => {
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const create = async (scopes: string[]) => {
      const response = await call('POST', '/api/v1/tokens', { name: `ci-${scopes.join('-')}`, scopes, days: 1 }, globex);
      assert.equal(response.status, 200);
      return (await response.json()) as { id: string; token: string };
    };
    const read = await create(['read']);
    const write = await create(['read', 'write']);
    const bearer = async (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${t.hub.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });

    assert.equal((await bearer('GET', '/api/v1/orgs/globex/policy', read.token)).status, 200);
    assert.equal((await bearer('PUT', '/api/v1/orgs/globex/policy', read.token, {})).status, 403);
    assert.equal((await bearer('GET', '/api/v1/orgs/acme/policy', read.token)).status, 404);
    assert.equal((await bearer('PUT', '/api/v1/orgs/globex/policy', write.token, {})).status, 200);
    assert.equal((await bearer('POST', '/api/v1/tokens', write.token, { name: 'more', scopes: ['write'] })).status, 403);

    const listed = await (await call('GET', '/api/v1/tokens', undefined, globex)).text();
    assert.equal(listed.includes(read.token) || listed.includes(write.token), false, 'a token listing shows a secret');
    assert.equal((await call('DELETE', `/api/v1/tokens/${read.id}`, undefined, globex)).status, 200);
    assert.equal((await bearer('GET', '/api/v1/orgs/globex/policy', read.token)).status, 401);
    assert.equal((await bearer('GET', '/api/v1/orgs/globex/policy', 'parley_forged')).status, 401);
    assert.equal(t.logs.join('').includes(write.token), false, 'a log line contains a token');

    // An operator's read token without an organisation reads every organisation, and changes none.
    const operator = await login('operator', 'operator@hub.example', passwords.operator);
    const hubWide = (await (await call('POST', '/api/v1/tokens', { name: 'hub-read', scopes: ['read'], days: 1 }, operator)).json()) as { token: string };
    assert.equal((await bearer('GET', '/api/v1/orgs/acme/policy', hubWide.token)).status, 200);
    assert.equal((await bearer('GET', '/api/v1/audit', hubWide.token)).status, 200);
    assert.equal((await bearer('PUT', '/api/v1/orgs/acme/policy', hubWide.token, {})).status, 403);
    assert.equal((await call('GET', '/api/v1/audit', undefined, globex)).status, 404);
  });

  test('suspension and revocation through the API stop the chat', async () => {
    const { webex, slack, people } = t.world;
    const globex = await login('globex', 'it@globex.example', passwords.globex);
    const aliceBot = () => webex.inbox(people.alice.id).filter((m) => m.personId === people.webexBot.id);

    const suspended = await call('POST', '/api/v1/orgs/globex/suspensions', { email: 'bob@globex.example', suspended: true }, globex);
    assert.deepEqual(await suspended.json(), { email: 'bob@globex.example', suspended: true, accounts: 1 });
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'api suspended' });
    await waitFor('suspension notice', () => aliceBot().find((m) => m.text === 'Not delivered: bob@globex.example is suspended from federation by their organisation.'));
    assert.equal((await call('POST', '/api/v1/orgs/globex/suspensions', { email: 'bob@globex.example', suspended: false }, globex)).status, 200);

    const revoked = await call('POST', '/api/v1/orgs/globex/revocations', { from: 'bob@globex.example', to: 'alice@acme.example' }, globex);
    assert.equal(((await revoked.json()) as { status: string }).status, 'revoked');
    await waitFor('revocation notice', () => aliceBot().find((m) => m.text?.startsWith('The organisation of bob@globex.example ended your contact')));
    await slack.postAsUser(people.bob.id, chat.bobChannel, 'after api revoke');
    await waitFor('not-connected notice', () =>
      slack.inbox(people.bob.id).find((m) => m.channel === chat.bobIm && m.text.startsWith('Not delivered: you are no longer connected with alice@acme.example')),
    );
    const audit = (await (await call('GET', '/api/v1/orgs/acme/audit?action=contact.revoke', undefined, await login('operator', 'operator@hub.example', passwords.operator))).json()) as { entries: unknown[] };
    assert.equal(audit.entries.length, 1, 'the revocation is missing from the other organisation\'s audit log');
  });
});
