// Files between Webex and Slack through the hub: exact names in any script, 1 byte to
// 5 MB, the platforms' size limits and Webex's malware scan, and the federation policy's
// file switch and size limit. The file's name never reaches a log or a metadata record.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';

import contentDisposition from 'content-disposition';

import { exportMetadata } from '../../src/pipeline/metadata-export.js';
import { orgPolicySchema } from '../../src/policy/model.js';
import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const webexLimit = 2 * 1024 * 1024;

describe('files cross between Webex and Slack', () => {
  let t: TestHub;
  let chat: AliceAndBob;
  // A marker in every file name, searched for in the logs and the metadata at the end.
  const marker = `secretname${randomBytes(6).toString('hex')}`;

  before(async () => {
    // Webex takes files up to 2 MB here, so that "over the limit" needs no 100 MB upload.
    t = await startTestHub({ webexExtra: { maxFileBytes: webexLimit } });
    chat = await connectAliceAndBob(t.world);
  });
  after(() => t.stop());

  const bobNotices = () => t.world.slack.inbox(t.world.people.bob.id).filter((m) => m.channel === chat.bobIm).map((m) => m.text);
  const aliceNotices = () =>
    t.world.webex
      .inbox(t.world.people.alice.id)
      .filter((m) => m.personId === t.world.people.webexBot.id)
      .map((m) => m.text ?? '');

  test('5 MB Webex file reaches Slack', async () => {
    const { webex, slack, people } = t.world;
    const name = `가나다 résumé ${marker}.pdf`;
    const bytes = randomBytes(5 * 1024 * 1024);
    await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, text: 'the CV, as promised', file: { name, mediaType: 'application/pdf', bytes } });

    const [file] = await waitFor('file in Slack', () => {
      const files = slack.filesIn(chat.bobChannel);
      return files.length > 0 ? files : undefined;
    });
    assert.equal(file!.name, name);
    assert.equal(file!.mediaType, 'application/pdf');
    assert.equal(file!.size, bytes.length);
    assert.equal(file!.sha256, sha(bytes));

    const channel = slack.inbox(people.bob.id).filter((m) => m.channel === chat.bobChannel);
    const caption = channel.findIndex((m) => m.text === 'the CV, as promised');
    const share = channel.findIndex((m) => m.ts === file!.ts);
    assert.ok(caption >= 0, 'the text arrives');
    assert.ok(share > caption, 'the text arrives first, then the file');
    assert.match(channel[share]!.text, /Alice Anders \(acme\.example\)\* sent a file/);
  });

  test('small Slack files reach Webex unchanged', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    for (const [name, bytes] of [
      [`one ${marker}.txt`, Buffer.from('x')],
      [`say "hi" ${marker}.txt`, Buffer.from('hello')],
    ] as const) {
      await slack.shareFileAsUser(people.bob.id, chat.bobChannel, { name, mediaType: 'text/plain', bytes });
      const message = await waitFor(`file ${bytes.length} in Webex`, () =>
        webex.messagesIn(chat.aliceRoom).find((m) => (m.files?.length ?? 0) > 0 && webex.contents().find((c) => c.url === m.files![0] && c.name === name)),
      );
      const download = await alice.downloadContent(message.files![0]!);
      assert.equal(download.status, 200);
      assert.deepEqual(download.bytes, bytes);
      assert.equal(contentDisposition.parse(download.headers['content-disposition']!).parameters.filename, name);
    }
  });

  test('file over platform limit gets notice', async () => {
    const { webex, slack, people } = t.world;
    const before = webex.contents().length;
    await slack.shareFileAsUser(people.bob.id, chat.bobChannel, { name: `big ${marker}.bin`, mediaType: 'application/octet-stream', bytes: randomBytes(3 * 1024 * 1024) });
    const notice = await waitFor('not-delivered notice in Slack', () => bobNotices().find((n) => n.startsWith('Your file was not delivered')));
    assert.equal(notice, 'Your file was not delivered to Alice Anders: the file is 3 MB and Webex takes files up to 2 MB.');
    await t.hub.worker.drained();
    assert.equal(webex.contents().length, before, 'nothing was uploaded to Webex');
  });

  test('scanned file waits, infected never crosses', async () => {
    const { webex, slack, people } = t.world;
    webex.scanFiles({ state: 'scanning', retryAfter: 1, forMs: 1200 });
    const bytes = randomBytes(1000);
    await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, file: { name: `scanned ${marker}.png`, mediaType: 'image/png', bytes } });
    const scanned = await waitFor('scanned file in Slack', () => slack.filesIn(chat.bobChannel).find((f) => f.sha256 === sha(bytes)), 15_000);
    assert.equal(scanned.name, `scanned ${marker}.png`);
    assert.ok(t.logs.some((l) => l.includes('still scanning')), 'the hub waited for the scan');

    webex.scanFiles({ state: 'clean' });
    const infected = await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, file: { name: `bad ${marker}.exe`, mediaType: 'application/octet-stream', bytes: Buffer.from('MZ') } });
    webex.setContentState(infected.files![0]!, 'infected');
    const notice = await waitFor('infected notice in Webex', () => aliceNotices().find((n) => n.includes('malware scan')));
    assert.equal(notice, "Your file was not delivered to Bob Builder: Webex's malware scan found a threat in it.");
    await t.hub.worker.drained();
    assert.equal(slack.filesIn(chat.bobChannel).filter((f) => f.name.startsWith('bad ')).length, 0);
  });

  test('endless scan ends in notice', async () => {
    const { webex, slack, people } = t.world;
    const filesBefore = slack.filesIn(chat.bobChannel).length;
    webex.scanFiles({ state: 'scanning', retryAfter: 1 });
    await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, file: { name: `stuck ${marker}.zip`, mediaType: 'application/zip', bytes: Buffer.from('PK') } });
    webex.scanFiles({ state: 'clean' });
    const notice = await waitFor('gave-up notice in Webex', () => aliceNotices().find((n) => n.includes('still scanning')), 20_000);
    assert.equal(notice, 'Your file was not delivered to Bob Builder: Webex was still scanning it for malware when Parley gave up waiting.');
    assert.equal(slack.filesIn(chat.bobChannel).length, filesBefore);
  });

  test('policy stops files, not text', async () => {
    const { webex, slack, people } = t.world;
    const filesBefore = slack.filesIn(chat.bobChannel).length;
    t.hub.policies.set('acme', orgPolicySchema.parse({ domains: { 'globex.example': { features: { files: false } } } }));
    await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, text: 'notes attached', file: { name: `notes ${marker}.txt`, mediaType: 'text/plain', bytes: Buffer.from('n') } });
    await waitFor('caption in Slack', () => slack.inbox(people.bob.id).find((m) => m.channel === chat.bobChannel && m.text === 'notes attached'));
    const off = await waitFor('policy notice in Webex', () => aliceNotices().find((n) => n.startsWith('Your file was not delivered: ')));
    assert.match(off, /does not allow files between you and bob@globex\.example/);

    t.hub.policies.set('acme', orgPolicySchema.parse({ domains: { 'globex.example': { maxFileBytes: 100 } } }));
    await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, file: { name: `large ${marker}.txt`, mediaType: 'text/plain', bytes: Buffer.alloc(101, 1) } });
    const limit = await waitFor('size limit notice in Webex', () => aliceNotices().find((n) => n.includes('(the file is 101 bytes, text/plain)')));
    assert.match(limit, /^Your file was not delivered to Bob Builder: the federation policy of your organisation does not allow files/);
    t.hub.policies.set('acme', orgPolicySchema.parse({}));
    await t.hub.worker.drained();
    assert.equal(slack.filesIn(chat.bobChannel).length, filesBefore);
  });

  test('file to the bot is rejected', async () => {
    const { slack, people } = t.world;
    await slack.shareFileAsUser(people.bob.id, chat.bobIm, { name: `to-bot ${marker}.txt`, mediaType: 'text/plain', bytes: Buffer.from('b') });
    await waitFor('bot reply', () => bobNotices().find((n) => n.startsWith('The Parley bot does not keep files')));
  });

  test('no file name in logs or metadata', async () => {
    await t.hub.worker.drained();
    const leaks = t.logs.filter((line) => line.includes(marker));
    assert.deepEqual(leaks, []);
    let csv = '';
    await exportMetadata(t.hub.store, 'jsonl', new Writable({ write: (chunk: Buffer, _e, done) => ((csv += chunk.toString()), done()) }));
    assert.ok(!csv.includes(marker));
    assert.match(csv, /"type":"file","event_kind":"file"/);
  });
});
