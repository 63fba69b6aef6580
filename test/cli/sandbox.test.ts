// The sandbox as a newcomer meets it: it starts with no config, and when Prosody is
// installed an XMPP client can log in as a sample user and reach the Webex users.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import pino from 'pino';

import { launchSandbox, type Sandbox } from '../../src/cli/sandbox.js';
import { proxyJid } from '../../src/connectors/xmpp/address.js';
import { waitFor } from '../kit/wait.js';
import { connectClient, xml, type TestClient } from '../kit/xmpp-client.js';

describe('the sandbox', () => {
  let dir: string;
  let sandbox: Sandbox;
  let erin: TestClient | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-sandbox-'));
    sandbox = await launchSandbox({ PARLEY_SERVER_PORT: '0', PARLEY_STORE_PATH: path.join(dir, 'sandbox.db') }, pino({ level: 'silent' }));
  });
  after(async () => {
    await erin?.stop();
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('prints where each console is', () => {
    assert.match(sandbox.banner, new RegExp(`Webex console \\(Acme\\): ${sandbox.world.webex.url}/console`));
    assert.match(sandbox.banner, /XMPP/);
  });

  test('a Teams user invites a Webex user', async () => {
    const teams = sandbox.world.teams!;
    assert.match(sandbox.banner, new RegExp(`Teams console \\(Hooli\\): ${teams.url}/console`));
    teams.sendMessage('ivy@hooli.example', 'invite alice@acme.example');
    const request = await waitFor('contact request in Webex', () =>
      sandbox.world.webex.inbox(sandbox.world.people.alice.id).find((m) => m.text?.includes('ivy@hooli.example')),
    );
    assert.match(request.text ?? '', /Ivy Ito \(ivy@hooli\.example, Microsoft Teams\) wants to connect/);
  });

  test('printed login works, history shows', async () => {
    const login = /-d '(\{"email": "operator@hub\.example".*\})'/.exec(sandbox.banner)?.[1];
    assert.ok(login, 'the banner shows how to log in');
    const response = await fetch(`${sandbox.hub.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: login });
    assert.equal(response.status, 200);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('parley_session='))!.split(';')[0]!;
    const overview = (await (await fetch(`${sandbox.hub.url}/api/v1/orgs/acme/analytics/overview`, { headers: { cookie } })).json()) as {
      months: Array<{ delivered: number }>;
    };
    assert.ok(overview.months.filter((m) => m.delivered > 0).length >= 5, 'five or more months show traffic');
  });

  test('an XMPP sample user talks to the bot and invites a Webex user from the roster', async (t) => {
    if (typeof sandbox.xmpp === 'string') {
      if (process.env.PARLEY_REQUIRE_PROSODY === '1') assert.fail(sandbox.xmpp);
      t.skip(sandbox.xmpp);
      return;
    }
    assert.match(sandbox.banner, new RegExp(`127\\.0\\.0\\.1:${sandbox.xmpp.c2sPort}`));
    // The sandbox's Prosody offers STARTTLS with a self-signed certificate, as a newcomer's
    // client would see it; this test process talks to loopback only.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    erin = await connectClient({ port: sandbox.xmpp.c2sPort, domain: 'initech.example', username: 'erin', password: 'erin-sandbox' });
    const bot = 'xmpp.hub.example';
    await waitFor('component online', () => (sandbox.hub.connectors.find((c) => c.platform === 'xmpp')?.state().status === 'connected' ? true : undefined));

    await erin.send(xml('message', { type: 'chat', to: bot, id: 'h1' }, xml('body', {}, 'help')));
    const help = await waitFor('help from the bot', () => erin!.bodiesFrom(bot)[0]);
    assert.match(help, /invite/);

    const { webex, people } = sandbox.world;
    await erin.send(xml('presence', { type: 'subscribe', to: proxyJid('alice@acme.example', 'xmpp.hub.example') }));
    await waitFor('contact request in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.includes('erin@initech.example')),
    );
  });
});
