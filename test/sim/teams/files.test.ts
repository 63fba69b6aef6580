// Files in personal chats. A person's file reaches the bot as a download info attachment. A
// bot's file goes through the file consent card and an upload with Content-Range.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TeamsSimulator } from '../../../sim/teams/index.js';
import { activitiesPath, connector, startWorld } from './helpers.js';

const REPORT = Buffer.from('quarterly numbers\n', 'utf8');

function consentCard(name: string, size: number): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.teams.card.file.consent',
        name,
        content: { description: 'From Parley', sizeInBytes: size, acceptContext: { transfer: 't1' }, declineContext: { transfer: 't1' } },
      },
    ],
  };
}

async function postConsentCard(sim: TeamsSimulator, userId: string, name = 'report.txt', size = REPORT.length): Promise<string> {
  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(userId) ?? ''), consentCard(name, size));
  assert.equal(response.status, 201, `consent card posted: ${JSON.stringify(response.body)}`);
  return response.body.id as string;
}

function put(url: string, body: Buffer, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body });
}

test('shared file downloads from downloadUrl', async (t) => {
  const { sim, bot, alice } = await startWorld(t);

  const sent = sim.sendFile(alice.id, { name: 'Plan B.PDF', bytes: REPORT, contentType: 'application/pdf' });
  const [received] = await bot.waitFor(1);
  const attachment = (received?.activity.attachments as Record<string, any>[])[0]; // eslint-disable-line @typescript-eslint/no-explicit-any -- attachment fields are checked one by one
  const download = await fetch(attachment?.content.downloadUrl);
  const tampered = await fetch(String(attachment?.content.downloadUrl).replace(/tempauth=.*/, 'tempauth=wrong'));

  assert.equal(attachment?.contentType, 'application/vnd.microsoft.teams.file.download.info');
  assert.equal(attachment?.name, 'Plan B.PDF');
  assert.equal(attachment?.contentUrl, sent.contentUrl);
  assert.deepEqual(attachment?.content, { downloadUrl: sent.downloadUrl, uniqueId: sent.uniqueId, fileType: 'pdf' });
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), REPORT);
  assert.equal(tampered.status, 401);
});

test('accepted consent uploads the bytes', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  const cardId = await postConsentCard(sim, alice.id);

  const result = await sim.acceptFileConsent(alice.id, cardId);
  const invoke = bot.received.at(-1)?.activity;
  const upload = await put(result.uploadInfo?.uploadUrl ?? '', REPORT, { 'content-range': `bytes 0-${REPORT.length - 1}/${REPORT.length}` });
  const driveItem = (await upload.json()) as Record<string, unknown>;

  assert.equal(result.status, 200);
  assert.equal(invoke?.type, 'invoke');
  assert.equal(invoke?.name, 'fileConsent/invoke');
  assert.equal(invoke?.replyToId, cardId);
  assert.deepEqual(invoke?.value, { type: 'fileUpload', action: 'accept', context: { transfer: 't1' }, uploadInfo: result.uploadInfo });
  assert.equal(result.uploadInfo?.name, 'report.txt');
  assert.equal(result.uploadInfo?.fileType, 'txt');
  assert.equal(upload.status, 201);
  assert.equal(driveItem.size, REPORT.length);
  assert.deepEqual(sim.uploadedFiles()[0]?.bytes, REPORT);
  assert.equal(sim.uploadedFiles()[0]?.uniqueId, result.uploadInfo?.uniqueId);
  assert.equal(sim.botMessages(alice.id)[0]?.fileConsentAction, 'accept');
});

test('file info card follows the upload', async (t) => {
  const { sim, alice } = await startWorld(t);
  const result = await sim.acceptFileConsent(alice.id, await postConsentCard(sim, alice.id));
  await put(result.uploadInfo?.uploadUrl ?? '', REPORT, { 'content-range': `bytes 0-${REPORT.length - 1}/${REPORT.length}` });

  const info = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.teams.card.file.info',
        contentUrl: result.uploadInfo?.contentUrl,
        name: result.uploadInfo?.name,
        content: { uniqueId: result.uploadInfo?.uniqueId, fileType: result.uploadInfo?.fileType },
      },
    ],
  });
  const incomplete = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.teams.card.file.info', name: 'report.txt', content: {} }],
  });

  assert.equal(info.status, 201);
  assert.equal(sim.botMessages(alice.id)[1]?.attachments[0]?.contentType, 'application/vnd.microsoft.teams.card.file.info');
  assert.equal(incomplete.status, 400);
});

test('wrong Content-Range gets 400', async (t) => {
  const { sim, alice } = await startWorld(t);
  const { uploadInfo } = await sim.acceptFileConsent(alice.id, await postConsentCard(sim, alice.id));
  const url = uploadInfo?.uploadUrl ?? '';
  const n = REPORT.length;
  const cases: [string, Record<string, string>][] = [
    ['missing header', {}],
    ['not bytes', { 'content-range': `items 0-${n - 1}/${n}` }],
    ['shorter range than body', { 'content-range': `bytes 0-${n - 3}/${n}` }],
    ['end beyond total', { 'content-range': `bytes 0-${n}/${n}` }],
    ['end before start', { 'content-range': `bytes 5-1/${n}` }],
  ];

  for (const [label, headers] of cases) {
    const response = await put(url, REPORT, headers);
    assert.equal(response.status, 400, label);
  }
  assert.deepEqual(sim.uploadedFiles(), []);
});

test('chunked upload needs order', async (t) => {
  const { sim, alice } = await startWorld(t);
  const { uploadInfo } = await sim.acceptFileConsent(alice.id, await postConsentCard(sim, alice.id));
  const url = uploadInfo?.uploadUrl ?? '';
  const n = REPORT.length;
  const head = REPORT.subarray(0, 8);
  const tail = REPORT.subarray(8);

  const outOfOrder = await put(url, tail, { 'content-range': `bytes 8-${n - 1}/${n}` });
  const first = await put(url, head, { 'content-range': `bytes 0-7/${n}` });
  const firstBody = (await first.json()) as { nextExpectedRanges: string[] };
  const changedTotal = await put(url, tail, { 'content-range': `bytes 8-${n}/${n + 1}` });
  const last = await put(url, tail, { 'content-range': `bytes 8-${n - 1}/${n}` });
  const afterComplete = await put(url, tail, { 'content-range': `bytes 8-${n - 1}/${n}` });

  assert.equal(outOfOrder.status, 416);
  assert.equal(first.status, 202);
  assert.deepEqual(firstBody.nextExpectedRanges, ['8-']);
  assert.equal(changedTotal.status, 400);
  assert.equal(last.status, 201);
  assert.equal(afterComplete.status, 404);
  assert.deepEqual(sim.uploadedFiles()[0]?.bytes, REPORT);
});

test('upload URL rejects a bearer token', async (t) => {
  const { sim, alice } = await startWorld(t);
  const { uploadInfo } = await sim.acceptFileConsent(alice.id, await postConsentCard(sim, alice.id));

  const response = await put(uploadInfo?.uploadUrl ?? '', REPORT, {
    'content-range': `bytes 0-${REPORT.length - 1}/${REPORT.length}`,
    authorization: `Bearer ${await sim.issueAccessToken()}`,
  });

  assert.equal(response.status, 401);
  assert.deepEqual(sim.uploadedFiles(), []);
});

test('declined consent sends decline invoke', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  const cardId = await postConsentCard(sim, alice.id);

  const result = await sim.declineFileConsent(alice.id, cardId);
  const invoke = bot.received.at(-1)?.activity;

  assert.equal(result.outcome, 'delivered');
  assert.equal(result.uploadInfo, undefined);
  assert.deepEqual(invoke?.value, { type: 'fileUpload', action: 'decline', context: { transfer: 't1' } });
  await assert.rejects(sim.acceptFileConsent(alice.id, cardId), /already chose decline/);
});

test('invoke result carries bot status', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  bot.reply = (activity) => (activity.type === 'invoke' ? { status: 500, body: { error: 'disk full' } } : {});

  const result = await sim.acceptFileConsent(alice.id, await postConsentCard(sim, alice.id));

  assert.equal(result.outcome, 'rejected');
  assert.equal(result.status, 500);
  assert.deepEqual(result.body, { error: 'disk full' });
});

test('consent card needs name and size', async (t) => {
  const { sim, alice } = await startWorld(t);
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');
  const nameless = consentCard('', 10);
  const sizeless = consentCard('a.txt', 10);
  ((sizeless.attachments as Record<string, any>[])[0] as { content: Record<string, unknown> }).content = {}; // eslint-disable-line @typescript-eslint/no-explicit-any -- test edits one field

  const noName = await connector(sim, 'POST', path, nameless);
  const noSize = await connector(sim, 'POST', path, sizeless);

  assert.equal(noName.status, 400);
  assert.equal(noSize.status, 400);
  await assert.rejects(sim.acceptFileConsent(alice.id, sim.sendMessage(alice.id, 'not a card')), /not a file consent card/);
});
