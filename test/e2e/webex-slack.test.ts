import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';

import { exportMetadata } from '../../src/pipeline/metadata-export.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

describe('Webex and Slack users become contacts and chat', () => {
  let t: TestHub;
  let aliceRoom = '';
  let bobChannel = '';
  let bobIm = '';
  const marker = `m${randomBytes(8).toString('hex')}`;

  before(async () => {
    t = await startTestHub();
  });
  after(() => t.stop());

  const webexBotTexts = () => t.world.webex.inbox(t.world.people.alice.id).filter((m) => m.personId === t.world.people.webexBot.id);
  const slackBotTexts = () =>
    t.world.slack.inbox(t.world.people.bob.id).filter((m) => m.channel === bobIm);

  test('invite from Webex reaches Slack and accept connects both', async () => {
    const { webex, slack, people, slackApp } = t.world;
    bobIm = slack.openIm(people.bob.id, slackApp.botUserId);

    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite bob@globex.example' });
    const request = await waitFor('contact request in Slack', () =>
      slackBotTexts().find((m) => m.text.includes('wants to connect')),
    );
    assert.match(request.text, /Alice Anders \(alice@acme\.example, Webex\)/);
    const confirmation = await waitFor('invite confirmation in Webex', () =>
      webexBotTexts().find((m) => m.text?.startsWith('Invitation sent')),
    );
    assert.match(confirmation.text ?? '', /Bob Builder/);

    await slack.postAsUser(people.bob.id, bobIm, 'accept');

    const greeting = await waitFor('proxy greeting in Webex', () =>
      webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text?.includes('is now your contact')),
    );
    aliceRoom = greeting.roomId;
    const proxyGreeting = await waitFor('proxy greeting in Slack', () =>
      slack.inbox(people.bob.id).find((m) => m.username === 'Alice Anders (acme.example)'),
    );
    bobChannel = proxyGreeting.channel;
    assert.notEqual(bobChannel, bobIm);
  });

  test('20 messages each way arrive once, in order, as the proxy', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    for (let i = 0; i < 20; i++) {
      await alice.sendMessage({ roomId: aliceRoom, text: `w2s ${i} ${marker}` });
      // Slack delivers what a user typed with &, < and > escaped.
      await slack.postAsUser(people.bob.id, bobChannel, `s2w ${i} ${marker} &amp; &lt;b&gt;`);
    }

    const inSlack = await waitFor('20 messages in Slack', () => {
      const got = slack.messages(bobChannel).filter((m) => m.text.startsWith('w2s '));
      return got.length >= 20 ? got : undefined;
    });
    const inWebex = await waitFor('20 messages in Webex', () => {
      const got = webex.messagesIn(aliceRoom).filter((m) => m.text?.startsWith('s2w '));
      return got.length >= 20 ? got : undefined;
    });
    await t.hub.worker.drained();

    assert.deepEqual(
      slack.messages(bobChannel).filter((m) => m.text.startsWith('w2s ')).map((m) => m.text),
      Array.from({ length: 20 }, (_, i) => `w2s ${i} ${marker}`),
    );
    assert.deepEqual(
      webex.messagesIn(aliceRoom).filter((m) => m.text?.startsWith('s2w ')).map((m) => m.text),
      Array.from({ length: 20 }, (_, i) => `s2w ${i} ${marker} & <b>`),
    );
    for (const message of inSlack) assert.equal(message.username, 'Alice Anders (acme.example)');
    const proxyId = inWebex[0]!.personId;
    for (const message of inWebex) assert.equal(message.personId, proxyId);
    assert.notEqual(proxyId, people.webexBot.id);
  });

  test('Webex edits and deletions reach Slack', async () => {
    const { webex, slack, people } = t.world;
    const alice = webex.actAs(people.alice.token);
    const sent = await alice.sendMessage({ roomId: aliceRoom, text: `draft ${marker}` });
    const copy = await waitFor('copy in Slack', () => slack.messages(bobChannel).find((m) => m.text === `draft ${marker}`));

    await alice.editMessage(sent.id, { roomId: aliceRoom, markdown: `final **${marker}**` });
    await waitFor('edit in Slack', () => slack.messages(bobChannel).find((m) => m.ts === copy.ts && m.text === `final *${marker}*`));

    await alice.deleteMessage(sent.id);
    await waitFor('deletion in Slack', () => (slack.messages(bobChannel).some((m) => m.ts === copy.ts) ? undefined : true));
  });

  test('long message splits, code block whole', async () => {
    const { webex, slack, people } = t.world;
    const code = Array.from({ length: 60 }, (_, i) => `let row${i} = "값 ${i}";`).join('\n');
    const text = `${'첫 문단의 긴 글 '.repeat(300)}\n\n\`\`\`\n${code}\n\`\`\`\n\n${'끝 문단 '.repeat(300)}long-${marker}`;
    const ts = await slack.postAsUser(people.bob.id, bobChannel, text);
    const parts = await waitFor('every part in Webex', () => {
      const got = webex.messagesIn(aliceRoom).filter((m) => m.personId !== people.webexBot.id && (m.text?.includes('첫 문단') || m.text?.includes('값') || m.text?.includes('끝 문단')));
      return got.some((m) => m.text?.includes(`long-${marker}`)) ? got : undefined;
    });
    assert.ok(parts.length >= 2, `${parts.length} parts`);
    for (const part of parts) {
      assert.ok(Buffer.byteLength(part.text ?? '') <= 7439);
      assert.ok(Buffer.byteLength(part.markdown ?? '') <= 7439);
    }
    const withCode = parts.filter((m) => (m.markdown ?? m.text ?? '').includes('row0'));
    assert.equal(withCode.length, 1);
    assert.ok((withCode[0]!.markdown ?? withCode[0]!.text ?? '').includes(code), 'the code block arrives whole in one part');
    assert.ok(parts.at(-1)!.text!.endsWith(`long-${marker}`), 'the parts arrive in order');

    await slack.deleteAsUser(people.bob.id, bobChannel, ts);
    await waitFor('every part deleted', () => (webex.messagesIn(aliceRoom).some((m) => parts.some((p) => p.id === m.id)) ? undefined : true));
  });

  test('eleventh edit arrives as correction', async () => {
    const { webex, slack, people } = t.world;
    const ts = await slack.postAsUser(people.bob.id, bobChannel, 'v0');
    const copy = await waitFor('copy in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === 'v0'));
    for (let i = 1; i <= 11; i++) {
      await slack.editAsUser(people.bob.id, bobChannel, ts, `v${i}`);
      if (i <= 10) await waitFor(`edit ${i} in Webex`, () => webex.messagesIn(aliceRoom).find((m) => m.id === copy.id && m.text === `v${i}`));
    }
    const correction = await waitFor('correction in Webex', () => webex.messagesIn(aliceRoom).find((m) => m.text === '✏️ Correction: v11'));
    assert.equal(correction.parentId, copy.id);
    assert.equal(webex.messagesIn(aliceRoom).find((m) => m.id === copy.id)?.text, 'v10', 'Webex keeps its tenth version');
  });

  test('profile shows contacts only', async () => {
    const { webex, people } = t.world;
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'profile bob@globex.example' });
    const card = await waitFor('profile reply', () => webexBotTexts().find((m) => m.text?.startsWith('Bob Builder (bob@globex.example)')));
    assert.equal(card.text, ['Bob Builder (bob@globex.example)', 'Title: Sales', 'Organisation: Globex (globex.example)', 'Platform: Slack', 'Picture: https://a.slack-edge.example/avatar-72.png'].join('\n'));
    await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'profile dana@globex.example' });
    await waitFor('refusal', () => webexBotTexts().find((m) => m.text === 'dana@globex.example is not one of your contacts, and profile shows contacts only. Send "contacts" to see them, or "invite dana@globex.example" to add them.'));
  });

  test('remove ends the contact and a later message gets a notice', async () => {
    const { webex, slack, people } = t.world;
    await slack.postAsUser(people.bob.id, bobIm, 'remove alice@acme.example');
    await waitFor('remove confirmation', () => slackBotTexts().find((m) => m.text.includes('no longer connected with alice@acme.example')));
    await waitFor('ended notice in Webex', () => webexBotTexts().find((m) => m.text?.includes('ended the contact')));

    await webex.actAs(people.alice.token).sendMessage({ roomId: aliceRoom, text: `after removal ${marker}` });
    const notice = await waitFor('not-delivered notice', () => webexBotTexts().find((m) => m.text?.startsWith('Not delivered')));
    assert.match(notice.text ?? '', /no longer connected with bob@globex\.example/);
    await t.hub.worker.drained();
    assert.equal(slack.messages(bobChannel).filter((m) => m.text.startsWith('after removal')).length, 0);
  });

  test('message text leaves no trace in database, logs or metadata', async () => {
    await t.hub.worker.drained();
    // The worker folds the WAL into the database once the outbox has been idle briefly.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const needle = Buffer.from(marker);
    const dir = t.dir;
    const files = readdirSync(dir).filter((f) => f.startsWith('parley.db'));
    assert.ok(files.includes('parley.db'));
    for (const file of files) {
      const bytes = readFileSync(`${dir}/${file}`);
      assert.equal(bytes.indexOf(needle), -1, `${file} contains message text`);
    }

    const logText = t.logs.join('');
    assert.ok(logText.length > 0);
    assert.equal(logText.includes(marker), false, 'log output contains message text');

    for (const format of ['csv', 'jsonl'] as const) {
      const chunks: string[] = [];
      const out = new Writable({
        write(chunk: Buffer, _e, done) {
          chunks.push(chunk.toString());
          done();
        },
      });
      const count = await exportMetadata(t.hub.store, format, out);
      assert.ok(count >= 40, `expected at least 40 metadata records, got ${count}`);
      assert.equal(chunks.join('').includes(marker), false, `${format} export contains message text`);
    }
  });
});
