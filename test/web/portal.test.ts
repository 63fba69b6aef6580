// The portal in headless Chromium against a real hub. The tests log in with TOTP, compare the
// overview's numbers with the API, filter through the URL and read the usage report. They
// search the metadata log, open a session's timeline, retry a dead letter and block a domain
// from the policy page. They also check what an auditor and an org admin of another
// organisation see, keyboard focus, and the layout at 390 px wide. Each page is saved as a
// full-page screenshot in test-artifacts/portal/.
//
// Needs Debian's chromium at /usr/bin/chromium; without it the tests are skipped, unless
// PARLEY_REQUIRE_CHROMIUM=1, which makes a missing browser a failure.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { URI, type TOTP } from 'otpauth';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { AccountService, type CreatedAdmin } from '../../src/admin/accounts.js';
import { generateTraffic } from '../../src/analytics/generate.js';
import { asId, type OrgId } from '../../src/core/ids.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

const chromiumPath = '/usr/bin/chromium';
const requireChromium = process.env.PARLEY_REQUIRE_CHROMIUM === '1';
const skipReason = !existsSync(chromiumPath) && !requireChromium ? `${chromiumPath} is missing; install Debian's chromium to run the portal tests, or set PARLEY_REQUIRE_CHROMIUM=1 to make this a failure.` : false;
if (skipReason) console.log(`NOTICE: portal browser tests skipped: ${skipReason}`);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = path.join(repoRoot, 'test-artifacts', 'portal');

const passwords = {
  operator: 'Velvet-Orbit-Lantern-42',
  globex: 'Copper-Meadow-Tundra-77',
  auditor: 'Silent-Harbor-Quartz-19',
};
const emails = { operator: 'operator@hub.example', globex: 'it@globex.example', auditor: 'audit@globex.example' };
type AdminName = keyof typeof passwords;

interface OverviewBody {
  months: Array<{ period: string; users: number; delivered: number; failed: number }>;
  totals: { users: number; delivered: number; failed: number };
  byPartnerDomain: Array<{ key: string; delivered: number }>;
}

/** Reads a number as the portal shows it, with thousands separators. */
function shownNumber(text: string | null): number {
  return Number((text ?? '').replace(/,/g, '').trim());
}

describe('portal in Chromium', { skip: skipReason }, () => {
  let t: TestHub;
  let chat: AliceAndBob;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const accounts: Partial<Record<AdminName, CreatedAdmin>> = {};
  const pageErrors: string[] = [];
  const month = new Date().toISOString().slice(0, 7);

  before(async () => {
    assert.ok(existsSync(chromiumPath), `PARLEY_REQUIRE_CHROMIUM=1 is set but ${chromiumPath} is missing; install Debian's chromium package.`);
    execFileSync('npm', ['run', 'build:web'], { cwd: repoRoot, stdio: 'inherit' });
    mkdirSync(artifacts, { recursive: true });

    t = await startTestHub();
    chat = await connectAliceAndBob(t.world);
    await t.hub.worker.drained();
    const service = new AccountService(t.hub.store);
    accounts.operator = await service.create({ email: emails.operator, role: 'operator', password: passwords.operator });
    accounts.globex = await service.create({ email: emails.globex, role: 'org_admin', orgId: asId<OrgId>('globex'), password: passwords.globex });
    accounts.auditor = await service.create({ email: emails.auditor, role: 'auditor', orgId: asId<OrgId>('globex'), password: passwords.auditor });
    await generateTraffic(t.hub.store, {
      records: 4000,
      months: 8,
      partnerDomains: 12,
      usersPerDomain: 20,
      seed: 7,
      orgs: [
        { id: 'acme', domains: ['acme.example'], platform: 'webex' },
        { id: 'globex', domains: ['globex.example'], platform: 'slack' },
      ],
    });

    userDataDir = mkdtempSync(path.join(tmpdir(), 'parley-portal-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      viewport: { width: 1280, height: 800 },
      reducedMotion: 'reduce',
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every 4xx response as a console error, and the tests request some on purpose.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`console error: ${message.text()}`);
    });
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.stop();
  });

  /** Returns a fresh TOTP code. Each admin logs in once here, so the current step is unused. */
  const code = (admin: AdminName) => (URI.parse(accounts[admin]!.totpUri) as TOTP).generate();
  const portal = (route: string) => `${t.hub.url}/portal/${route}`;
  const screenshot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const heading = () => page.getByRole('heading', { level: 1 });
  /** A panel of the page, by the text of its h2. */
  const panel = (title: string): Locator => page.locator('section.panel', { has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
  /** GETs an API path with the browser's session, as the portal does. */
  const apiGet = async <T>(apiPath: string): Promise<{ status: number; body: T }> =>
    page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, body: (await response.json()) as T };
    }, apiPath);

  async function logIn(admin: AdminName): Promise<void> {
    await page.goto(portal(''));
    await page.waitForURL(/\/portal\/login/);
    await page.getByLabel('Email').fill(emails[admin]);
    await page.getByLabel('Password').fill(passwords[admin]);
    await page.getByLabel('Code', { exact: true }).fill(code(admin));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/portal\/orgs\/[a-z0-9-]+\/overview/);
  }

  async function logOut(): Promise<void> {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/portal\/login/);
    await page.getByText('You are logged out.').waitFor();
  }

  test('login shows API error, accepts TOTP', async () => {
    await page.goto(portal(''));
    await page.waitForURL(/\/portal\/login/);
    await page.getByLabel('Email').fill(emails.operator);
    await page.getByLabel('Password').fill(passwords.operator);
    await page.getByLabel('Code', { exact: true }).fill('000000');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/session')), page.getByRole('button', { name: 'Log in' }).click()]);
    assert.equal(response.status(), 401);
    const apiMessage = ((await response.json()) as { message: string }).message;
    await assert.doesNotReject(page.getByRole('alert').filter({ hasText: apiMessage }).waitFor(), `the login page does not show the API message "${apiMessage}"`);
    await screenshot('login-error');

    await page.getByLabel('Code', { exact: true }).fill(code('operator'));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/portal\/orgs\/acme\/overview$/);
    assert.equal(await heading().textContent(), 'Overview of acme');
    const session = (await page.evaluate('sessionStorage.getItem("parley.session")')) as string | null;
    assert.match(session ?? '', /"csrfToken":"[^"]+"/, 'the CSRF token is not kept in sessionStorage');
  });

  test('overview table matches the API', async () => {
    const deliveries = panel('Deliveries and failures per month');
    await deliveries.locator('canvas').first().waitFor();
    await page.locator('dd[data-total="delivered"]').waitFor();
    await screenshot('overview');

    await deliveries.getByRole('button', { name: /^Table/ }).click();
    const row = deliveries.locator('tbody tr', { has: page.locator('th', { hasText: month }) });
    const shownDelivered = shownNumber(await row.locator('td').nth(0).textContent());
    const shownFailed = shownNumber(await row.locator('td').nth(1).textContent());
    const api = await apiGet<OverviewBody>('/api/v1/orgs/acme/analytics/overview');
    assert.equal(api.status, 200);
    const current = api.body.months.find((m) => m.period === month)!;
    assert.ok(current.delivered > 0, 'the current month has no deliveries to compare');
    assert.equal(shownDelivered, current.delivered);
    assert.equal(shownFailed, current.failed);
    assert.equal(shownNumber(await page.locator('dd[data-total="delivered"]').textContent()), api.body.totals.delivered);
    assert.equal(shownNumber(await page.locator('dd[data-total="users"]').textContent()), api.body.totals.users);
    assert.equal(await deliveries.locator('tbody tr').count(), 12);
    await screenshot('overview-table');

    // Every chart has the table toggle and the CSV download.
    for (const title of ['Unique users per month', 'Deliveries and failures per month', 'Last 30 days', 'Invitations per month', 'Active contacts per month']) {
      assert.equal(await panel(title).getByRole('button', { name: /^Table/ }).count(), 1, `${title} has no Table toggle`);
      assert.equal(await panel(title).getByRole('button', { name: /as CSV$/ }).count(), 1, `${title} has no CSV download`);
    }
    for (const title of ['By platform', 'By partner domain', 'By local domain']) {
      assert.ok((await panel(title).locator('tbody tr').count()) > 0, `the table ${title} is empty`);
    }
  });

  test('overview CSV quotes table numbers', async () => {
    const deliveries = panel('Deliveries and failures per month');
    const [download] = await Promise.all([page.waitForEvent('download'), deliveries.getByRole('button', { name: /as CSV$/ }).click()]);
    assert.equal(download.suggestedFilename(), 'parley-acme-deliveries-by-month.csv');
    const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], '"Month","Deliveries","Failures"');
    assert.equal(lines.length, 13);
    const api = await apiGet<OverviewBody>('/api/v1/orgs/acme/analytics/overview');
    const current = api.body.months.find((m) => m.period === month)!;
    assert.equal(lines[12], `"${month}",${current.delivered},${current.failed}`);
  });

  test('partner filter updates URL and numbers', async () => {
    const allDelivered = shownNumber(await page.locator('dd[data-total="delivered"]').textContent());
    await page.getByLabel('Partner domain', { exact: true }).selectOption('globex.example');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\/portal\/orgs\/acme\/overview\?partnerDomain=globex\.example$/);
    const api = await apiGet<OverviewBody>('/api/v1/orgs/acme/analytics/overview?partnerDomain=globex.example');
    assert.notEqual(api.body.totals.delivered, allDelivered, 'the filter does not narrow the numbers, so the check would pass anyway');
    await waitFor('filtered deliveries', async () => shownNumber(await page.locator('dd[data-total="delivered"]').textContent()) === api.body.totals.delivered);
    assert.deepEqual(api.body.byPartnerDomain.map((b) => b.key), ['globex.example']);
    assert.equal(await page.getByLabel('Partner domain', { exact: true }).inputValue(), 'globex.example');
    // The other domains stay in the picker, so the filter can be changed directly.
    assert.ok((await page.getByLabel('Partner domain', { exact: true }).locator('option').count()) > 3);
    await screenshot('overview-filtered');

    // A shared URL shows the same view.
    await page.goto(portal('orgs/acme/overview?partnerDomain=globex.example&platform=webex'));
    const both = await apiGet<OverviewBody>('/api/v1/orgs/acme/analytics/overview?partnerDomain=globex.example&platform=webex');
    await waitFor('deliveries filtered by domain and platform', async () => shownNumber(await page.locator('dd[data-total="delivered"]').textContent()) === both.body.totals.delivered);
    assert.equal(await page.getByLabel('Platform', { exact: true }).inputValue(), 'webex');

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/portal\/orgs\/acme\/overview$/);
    await waitFor('unfiltered deliveries', async () => shownNumber(await page.locator('dd[data-total="delivered"]').textContent()) === allDelivered);
  });

  test('usage report matches the API', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage report' }).click();
    await page.waitForURL(/\/portal\/orgs\/acme\/usage$/);
    await page.getByLabel('Group by').selectOption('platform');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.waitForURL(/\/usage\?by=platform$/);
    const api = await apiGet<{ rows: Array<{ key: string; delivered: number }> }>('/api/v1/orgs/acme/analytics/usage?by=platform&format=json');
    const table = page.locator('main table');
    await table.locator('tbody tr th').first().waitFor();
    assert.deepEqual(await table.locator('tbody tr th').allTextContents(), api.body.rows.map((r) => r.key));
    const webexRow = table.locator('tbody tr', { has: page.locator('th', { hasText: 'webex' }) });
    assert.equal(shownNumber(await webexRow.locator('td').nth(1).textContent()), api.body.rows.find((r) => r.key === 'webex')!.delivered);

    const csvHref = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.equal(csvHref, '/api/v1/orgs/acme/analytics/usage?by=platform&format=csv');
    const csv = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    }, csvHref!);
    assert.equal(csv.status, 200);
    assert.equal(csv.type, 'text/csv; charset=utf-8');
    assert.match(csv.text, /^platform,users,delivered,failed,first_day,last_day\n/);
    await screenshot('usage');
  });

  test('metadata search opens session timeline', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Troubleshooting' }).click();
    await page.waitForURL(/\/portal\/orgs\/acme\/troubleshooting$/);
    await page.getByLabel('User').fill('alice@acme.example');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/troubleshooting\?user=alice%40acme\.example&limit=100#metadata$/);
    const results = panel('Metadata search');
    await results.locator('tbody tr').first().waitFor();
    const api = await apiGet<{ records: Array<{ seq: number; sender: string; receiver: string; sessionId: string | null }> }>(
      '/api/v1/orgs/acme/metadata?user=alice%40acme.example&limit=100',
    );
    assert.ok(api.body.records.length > 0);
    assert.equal(await results.locator('tbody tr').count(), api.body.records.length);
    assert.ok(api.body.records.every((r) => r.sender === 'alice@acme.example' || r.receiver === 'alice@acme.example'));
    await screenshot('troubleshooting');

    const sessionId = api.body.records.find((r) => r.sessionId !== null)!.sessionId!;
    await results.getByRole('link', { name: `Session ${sessionId}` }).first().click();
    await page.waitForURL(new RegExp(`/portal/orgs/acme/sessions/${sessionId}$`));
    assert.equal(await heading().textContent(), `Session ${sessionId}`);
    const session = await apiGet<{ records: Array<{ at: number; type: string; outcome: string }> }>(`/api/v1/orgs/acme/metadata?sessionId=${sessionId}&limit=1000`);
    const items = page.locator('ol.timeline > li');
    await items.first().waitFor();
    assert.equal(await items.count(), session.body.records.length);
    const times = await items.locator('time').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));
    assert.deepEqual(times, [...times].sort(), 'the timeline is not ordered by time');
    const first = [...session.body.records].sort((a, b) => a.at - b.at)[0]!;
    assert.match((await items.first().textContent()) ?? '', new RegExp(`${first.type}.*${first.outcome}`));
    await screenshot('session');
  });

  test('explain shows decision and error', async () => {
    await page.goBack();
    await page.waitForURL(/troubleshooting\?/);
    const explain = panel('Explain a policy decision');
    await explain.getByLabel('From').fill('alice@acme.example');
    await explain.getByLabel('To').fill('bob@globex.example');
    await explain.getByLabel('Feature').selectOption('files');
    await explain.getByLabel('File size (bytes)').fill('1024');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await explain.locator('p.verdict', { hasText: /^Allowed/ }).waitFor();
    assert.equal(await explain.locator('tbody tr').count(), 2, 'the decision lists no verdict per organisation');

    await explain.getByLabel('To').fill('nobody@elsewhere.example');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await explain.getByText('Give from and to as addresses at organisations on this hub.').waitFor();
  });

  test('table CSV defuses formulas', async () => {
    await t.hub.store.appendMetadata([
      {
        at: Date.now(),
        type: 'error',
        eventKind: '-1+2',
        sender: '=HYPERLINK("http://attacker.example")',
        receiver: '@SUM(A1)',
        sessionId: null,
        sourcePlatform: 'webex',
        targetPlatform: null,
        sourceOrg: asId<OrgId>('acme'),
        targetOrg: null,
        outcome: '+rejected',
      },
    ]);
    const search = panel('Metadata search');
    await search.getByLabel('User').fill('');
    await search.getByLabel('Type').selectOption('error');
    await search.getByRole('button', { name: 'Search' }).click();
    await search.locator('tbody tr', { hasText: '=HYPERLINK' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), search.getByRole('button', { name: 'Download Metadata records as CSV' }).click()]);
    const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], '"Time","Type","Kind","Sender","Receiver","Session","Platforms","Organisations","Outcome","Seq"');
    const row = lines.find((line) => line.includes('HYPERLINK')) ?? '';
    assert.match(row, /,"error","'-1\+2","'=HYPERLINK\(""http:\/\/attacker\.example""\)","'@SUM\(A1\)",,"webex → —","acme → —","'\+rejected",\d+$/);
  });

  test('operator retries dead letter in globex', async () => {
    const { webex, slack, people } = t.world;
    slack.failNext({ method: 'chat.postMessage', error: 'is_archived' });
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'will be dead' });
    const dead = await waitFor('dead letter in the store', async () => (await t.hub.store.views.deadLetters(asId<OrgId>('globex'), 10)).find((d) => d.reason === 'platform_rejected:is_archived'));

    assert.deepEqual(await page.getByLabel('Organisation', { exact: true }).locator('option').allTextContents(), ['Acme (acme)', 'Globex (globex)']);
    await page.getByLabel('Organisation', { exact: true }).selectOption('globex');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(/\/portal\/orgs\/globex\/troubleshooting$/);
    const deadLetters = panel('Dead letters');
    const row = deadLetters.locator('tbody tr', { hasText: dead.id });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /platform_rejected:is_archived/);
    await screenshot('troubleshooting-dead-letters');

    await row.getByRole('button', { name: `Retry dead letter ${dead.id}` }).click();
    await deadLetters.getByText(`Dead letter ${dead.id} is queued again`).waitFor();
    await waitFor('dead letter gone from the list', async () => (await row.count()) === 0);
    await waitFor('retried message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'will be dead'));
    const connections = panel('Connections');
    const slackRow = connections.locator('tbody tr', { hasText: 'globex-slack' });
    assert.match((await slackRow.textContent()) ?? '', /connected/);
    assert.match((await slackRow.textContent()) ?? '', /platform_rejected:is_archived/, 'the last error shows');
    await slackRow.getByRole('button', { name: 'Test connection globex-slack' }).click();
    await connections.getByText(/^Connection globex-slack works: the platform answered in \d+ ms\.$/).waitFor();
  });

  test('keyboard focus reaches navigation visibly', async () => {
    await page.goto(portal('orgs/globex/policy'));
    await heading().waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Overview');
    const outline = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth')) as string;
    assert.equal(outline, 'solid 3px', 'the focused link has no visible focus ring');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/portal\/orgs\/globex\/overview$/);
  });

  test('org admin cannot reach acme', async () => {
    await logOut();
    await logIn('globex');
    assert.match(page.url(), /\/portal\/orgs\/globex\/overview$/);
    assert.equal(await page.getByLabel('Organisation', { exact: true }).count(), 0, 'an org admin sees the org picker');
    await page.getByText('Organisation: Globex').waitFor();

    await page.goto(portal('orgs/acme/overview'));
    await heading().filter({ hasText: 'Not found' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'No organisation acme.' }).waitFor();
    assert.equal((await apiGet('/api/v1/orgs/acme/analytics/overview')).status, 404);
    await screenshot('not-found');
    // The navigation leads back to the admin's own organisation.
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' }).getAttribute('href'), '/portal/orgs/globex/policy');
  });

  test('blocked domain stops next message', async () => {
    const { webex, slack, people } = t.world;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Policy' }).click();
    await page.waitForURL(/\/portal\/orgs\/globex\/policy$/);
    await page.getByText('No partner domain is blocked.').waitFor();

    await page.getByLabel('Partner domain to block').fill('acme.example');
    await page.getByRole('button', { name: 'Block domain' }).click();
    await page.getByText('Blocked acme.example.').waitFor();
    const policy = await apiGet<{ mode: string; domains: Record<string, { allow?: boolean }> }>('/api/v1/orgs/globex/policy');
    assert.equal(policy.body.mode, 'block_list');
    assert.deepEqual(policy.body.domains['acme.example'], { allow: false });
    assert.match((await page.locator('pre.json').textContent()) ?? '', /"acme\.example": \{\s+"allow": false\s+\}/);

    await slack.postAsUser(people.bob.id, chat.bobChannel, 'through a blocked domain');
    await waitFor('notice to Alice', () => webex.inbox(people.alice.id).find((m) => m.personId === people.webexBot.id && m.text?.includes('sent you a message that was not delivered')));
    await t.hub.worker.drained();
    assert.equal(webex.messagesIn(chat.aliceRoom).some((m) => m.text === 'through a blocked domain'), false, 'the blocked message reached Webex');

    // The API's 400 message is shown as it is.
    await page.getByLabel('Partner domain to block').fill('not_a domain');
    await page.getByRole('button', { name: 'Block domain' }).click();
    await page.getByText(/^Invalid policy at domains\.not_a domain: .*is not a lowercase domain such as globex\.example/).waitFor();

    // A second blocked domain stays for the auditor's test below.
    await page.getByLabel('Partner domain to block').fill('partner3.example');
    await page.getByRole('button', { name: 'Block domain' }).click();
    await page.getByText('Blocked partner3.example.').waitFor();
    await screenshot('policy');

    await page.getByRole('button', { name: 'Unblock acme.example' }).click();
    await page.getByText('Unblocked acme.example.').waitFor();
    const unblocked = await apiGet<{ domains: Record<string, unknown> }>('/api/v1/orgs/globex/policy');
    assert.deepEqual(Object.keys(unblocked.body.domains), ['partner3.example']);
    await slack.postAsUser(people.bob.id, chat.bobChannel, 'open again');
    await waitFor('message in Webex', () => webex.messagesIn(chat.aliceRoom).find((m) => m.text === 'open again'));
  });

  test('block keeps an allow list', async () => {
    const allowList = { mode: 'allow_list', domains: { 'acme.example': { allow: true }, 'partner3.example': { allow: false } } };
    const put = (await page.evaluate(`fetch('/api/v1/orgs/globex/policy', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-csrf-token': JSON.parse(sessionStorage.getItem('parley.session')).csrfToken },
      body: ${JSON.stringify(JSON.stringify(allowList))},
    }).then((response) => response.status)`)) as number;
    assert.equal(put, 200);
    await page.reload();
    await page.getByText('Mode: allow_list.').waitFor();

    await page.getByLabel('Partner domain to block').fill('partner5.example');
    await page.getByRole('button', { name: 'Block domain' }).click();
    await page.getByText('Blocked partner5.example.').waitFor();
    const blocked = await apiGet<{ mode: string; domains: Record<string, { allow?: boolean }> }>('/api/v1/orgs/globex/policy');
    assert.equal(blocked.body.mode, 'allow_list', 'blocking one domain turned the allow list into a block list');
    assert.deepEqual(blocked.body.domains, { 'acme.example': { allow: true }, 'partner3.example': { allow: false }, 'partner5.example': { allow: false } });

    await page.getByRole('button', { name: 'Unblock partner5.example' }).click();
    await page.getByText('Unblocked partner5.example.').waitFor();
    const unblocked = await apiGet<{ domains: Record<string, { allow?: boolean }> }>('/api/v1/orgs/globex/policy');
    assert.deepEqual(unblocked.body.domains['partner5.example'], { allow: true });
  });

  test('no sideways page scroll at 390 px', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      const routes = {
        overview: 'orgs/globex/overview',
        usage: 'orgs/globex/usage',
        troubleshooting: 'orgs/globex/troubleshooting?user=bob%40globex.example&limit=100',
        policy: 'orgs/globex/policy',
      };
      for (const [name, route] of Object.entries(routes)) {
        await page.goto(portal(route));
        await page.locator('main table, main pre').first().waitFor();
        if (name === 'overview') await page.locator('.chart canvas').first().waitFor();
        const widths = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as [number, number];
        assert.ok(widths[0] <= widths[1], `${name} scrolls sideways at 390 px: the page is ${widths[0]} px wide`);
        await screenshot(`${name}-390`);
      }
      // Wide tables scroll inside their own region instead.
      const table = panel('Metadata search').locator('.table-scroll');
      await page.goto(portal(routes.troubleshooting));
      await table.locator('tbody tr').first().waitFor();
      const scroll = await table.evaluate((node) => [node.scrollWidth, node.clientWidth]);
      assert.ok(scroll[0]! > scroll[1]!, 'the metadata table does not scroll inside its region');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  test('auditor sees no change buttons', async () => {
    const { webex, slack, people } = t.world;
    slack.failNext({ method: 'chat.postMessage', error: 'is_archived' });
    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'dead again' });
    const dead = await waitFor('second dead letter', async () => (await t.hub.store.views.deadLetters(asId<OrgId>('globex'), 10)).find((d) => d.reason === 'platform_rejected:is_archived'));

    // The org admin has the buttons the auditor must not have.
    await page.goto(portal('orgs/globex/troubleshooting'));
    await panel('Dead letters').getByRole('button', { name: `Retry dead letter ${dead.id}` }).waitFor();
    await logOut();
    await logIn('auditor');
    await page.getByText('auditor (read-only)').waitFor();
    const changeButtons = /^(Retry|Discard|Unblock|Block domain|Test connection)/;

    await page.goto(portal('orgs/globex/troubleshooting'));
    await panel('Dead letters').locator('tbody tr', { hasText: dead.id }).waitFor();
    assert.equal(await page.getByRole('button', { name: changeButtons }).count(), 0, 'an auditor sees a change button on the troubleshooting page');
    await screenshot('auditor-troubleshooting');

    await page.goto(portal('orgs/globex/policy'));
    await page.getByRole('list', { name: 'Blocked partner domains' }).getByText('partner3.example').waitFor();
    assert.equal(await page.getByRole('button', { name: changeButtons }).count(), 0, 'an auditor sees a change button on the policy page');
    assert.equal(await page.getByLabel('Partner domain to block').count(), 0);
    await screenshot('auditor-policy');
  });

  test('401 returns to login page', async () => {
    await context.clearCookies();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage report' }).click();
    await page.waitForURL(/\/portal\/login\?next=%2Fportal%2Forgs%2Fglobex%2Fusage$/);
    await page.getByText('Your session has ended or expired. Log in again.').waitFor();
    await heading().filter({ hasText: 'Log in to the Parley portal' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.getItem("parley.session")'), null);
    await screenshot('login-expired');
  });

  test('no script errors in browser', () => {
    assert.deepEqual(pageErrors, []);
  });
});
