// Domain verification through the admin API. An org admin adds a domain and publishes the
// TXT record, which the hub checks through the configured resolver (a DNS server of the
// test's own). Only then do invitations to the domain reach the organisation.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { URI, type TOTP } from 'otpauth';

import { AccountService } from '../../src/admin/accounts.js';
import { asId, type OrgId } from '../../src/core/ids.js';
import { startDnsServer, type TestDnsServer } from '../kit/dns-server.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

describe('domain verification', () => {
  let dns: TestDnsServer;
  let t: TestHub;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  before(async () => {
    dns = await startDnsServer();
    t = await startTestHub({ configExtra: { domainVerification: { resolver: dns.address } } });
    const service = new AccountService(t.hub.store);
    for (const [who, input] of Object.entries({
      globex: { email: 'it@globex.example', role: 'org_admin' as const, orgId: asId<OrgId>('globex'), password: 'Copper-Meadow-Tundra-77' },
      operator: { email: 'operator@hub.example', role: 'operator' as const, password: 'Velvet-Orbit-Lantern-42' },
    })) {
      const created = await service.create(input);
      const response = await fetch(`${t.hub.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: input.email, password: input.password, code: (URI.parse(created.totpUri) as TOTP).generate() }),
      });
      assert.equal(response.status, 200);
      sessions[who] = { cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
    }
  });
  after(async () => {
    await t.stop();
    await dns.stop();
  });

  const post = (who: string, path: string, body?: unknown) =>
    fetch(`${t.hub.url}${path}`, {
      method: 'POST',
      headers: { cookie: sessions[who]!.cookie, 'x-csrf-token': sessions[who]!.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  test('a domain verified through DNS routes invitations to the organisation', async () => {
    const { webex, people } = t.world;
    const added = await post('globex', '/api/v1/orgs/globex/domains', { domain: 'Labs.Globex.example' });
    assert.equal(added.status, 200);
    const { txtRecord } = (await added.json()) as { txtRecord: { name: string; value: string } };
    assert.equal(txtRecord.name, '_parley-challenge.labs.globex.example');

    // Before the record exists, and with a wrong one, verification fails with the reason.
    const missing = await post('globex', '/api/v1/orgs/globex/domains/labs.globex.example/verify');
    assert.equal(missing.status, 409);
    assert.match(((await missing.json()) as { message: string }).message, /^No TXT record found at _parley-challenge\.labs\.globex\.example/);
    dns.txt.set(txtRecord.name, ['parley-verification=someone-elses']);
    const wrong = await post('globex', '/api/v1/orgs/globex/domains/labs.globex.example/verify');
    assert.match(((await wrong.json()) as { message: string }).message, /does not hold this domain's token/);

    // An invitation to the unverified domain finds no organisation.
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite eve@labs.globex.example' });
    await waitFor('no organisation', () => webex.inbox(people.alice.id).find((m) => m.text?.startsWith('No organisation on this hub uses the domain labs.globex.example')));

    dns.txt.set(txtRecord.name, [txtRecord.value]);
    const verified = await post('globex', '/api/v1/orgs/globex/domains/labs.globex.example/verify');
    assert.equal(verified.status, 200);
    assert.equal(((await verified.json()) as { verified: boolean }).verified, true);

    // Now the domain belongs to Globex: the hub looks the person up on Globex's Slack.
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite eve@labs.globex.example' });
    await waitFor('looked up at Globex', () => webex.inbox(people.alice.id).find((m) => m.text?.startsWith('No one with the address eve@labs.globex.example was found')));
  });

  test('a taken domain conflicts, and only an operator approves by hand', async () => {
    assert.equal((await post('globex', '/api/v1/orgs/globex/domains', { domain: 'acme.example' })).status, 409);
    assert.equal((await post('globex', '/api/v1/orgs/globex/domains', { domain: 'not a domain' })).status, 400);
    assert.equal((await post('globex', '/api/v1/orgs/globex/domains', { domain: 'closed.globex.example' })).status, 200);
    assert.equal((await post('globex', '/api/v1/orgs/globex/domains/closed.globex.example/approve')).status, 403);
    assert.equal((await post('operator', '/api/v1/orgs/globex/domains/closed.globex.example/approve')).status, 200);
    assert.equal((await post('operator', '/api/v1/orgs/acme/domains/closed.globex.example/approve')).status, 404);
    const [entry] = await t.hub.store.listAudit(asId<OrgId>('globex'), 1);
    assert.equal(entry?.newValue, 'verified (operator)');
  });
});
