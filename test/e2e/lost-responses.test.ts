// A platform can act on a call and still fail to answer it: the connection drops, or it
// returns a 500 after the write. The hub must then look the message up before sending it
// again, so that the recipient sees it once.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { connectAliceAndBob, type AliceAndBob } from '../kit/contacts.js';
import { startTestHub, type TestHub } from '../kit/hub.js';
import { waitFor } from '../kit/wait.js';

const foundNotice = 'Delivery in doubt was found on the platform';

describe('deliveries whose response was lost', () => {
  let t: TestHub;
  let chat: AliceAndBob;

  before(async () => {
    t = await startTestHub();
    chat = await connectAliceAndBob(t.world);
  });
  after(() => t.stop());

  const reconciled = () => t.logs.join('').split(foundNotice).length - 1;

  test('a Slack post whose connection dropped arrives once', async () => {
    const { webex, slack, people } = t.world;
    const before = reconciled();
    slack.failNext({ method: 'chat.postMessage', loseResponse: true });

    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'lost-slack-1' });
    await waitFor('message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'lost-slack-1'));
    await t.hub.worker.drained();

    assert.equal(slack.messages(chat.bobChannel).filter((m) => m.text === 'lost-slack-1').length, 1);
    assert.equal(reconciled(), before + 1, 'the hub did not look the delivery up before retrying');
  });

  test('a Webex post whose connection dropped arrives once', async () => {
    const { webex, slack, people } = t.world;
    const before = reconciled();
    webex.failNext({ method: 'POST', pathPrefix: '/messages', loseResponse: true });

    await slack.postAsUser(people.bob.id, chat.bobChannel, 'lost-webex-1');
    await waitFor('message in Webex', () => webex.messagesIn(chat.aliceRoom).find((m) => m.text === 'lost-webex-1'));
    await t.hub.worker.drained();

    assert.equal(webex.messagesIn(chat.aliceRoom).filter((m) => m.text === 'lost-webex-1').length, 1);
    assert.equal(reconciled(), before + 1, 'the hub did not look the delivery up before retrying');
  });

  test('a Webex 500 that did not post is sent again after the lookup', async () => {
    const { webex, slack, people } = t.world;
    const before = reconciled();
    webex.failNext({ method: 'POST', pathPrefix: '/messages', status: 500 });

    await slack.postAsUser(people.bob.id, chat.bobChannel, 'lost-webex-2');
    await waitFor('message in Webex', () => webex.messagesIn(chat.aliceRoom).find((m) => m.text === 'lost-webex-2'));
    await t.hub.worker.drained();

    assert.equal(webex.messagesIn(chat.aliceRoom).filter((m) => m.text === 'lost-webex-2').length, 1);
    assert.equal(reconciled(), before, 'the lookup claimed a message that was never posted');
  });

  test('a Slack internal_error that did not post is sent again after the lookup', async () => {
    const { webex, slack, people } = t.world;
    const before = reconciled();
    slack.failNext({ method: 'chat.postMessage', error: 'internal_error' });

    await webex.actAs(people.alice.token).sendMessage({ roomId: chat.aliceRoom, text: 'lost-slack-2' });
    await waitFor('message in Slack', () => slack.messages(chat.bobChannel).find((m) => m.text === 'lost-slack-2'));
    await t.hub.worker.drained();

    assert.equal(slack.messages(chat.bobChannel).filter((m) => m.text === 'lost-slack-2').length, 1);
    assert.equal(reconciled(), before, 'the lookup claimed a message that was never posted');
  });

  test('lost Slack file share arrives once', async () => {
    const { webex, slack, people } = t.world;
    const before = reconciled();
    slack.failNext({ method: 'files.completeUploadExternal', loseResponse: true });
    const bytes = randomBytes(1000);

    await webex.actAs(people.alice.token).sendFile({ roomId: chat.aliceRoom, file: { name: 'once.pdf', mediaType: 'application/pdf', bytes } });
    await waitFor('file in Slack', () => slack.filesIn(chat.bobChannel).find((f) => f.bytes.equals(bytes)));
    await t.hub.worker.drained();

    assert.equal(slack.filesIn(chat.bobChannel).filter((f) => f.bytes.equals(bytes)).length, 1);
    assert.equal(reconciled(), before + 1, 'the hub did not find the share before retrying');
  });

  test('lost Webex file post arrives once', async () => {
    const { webex, slack, people } = t.world;
    webex.failNext({ method: 'POST', pathPrefix: '/messages', loseResponse: true });
    const bytes = randomBytes(1000);

    await slack.shareFileAsUser(people.bob.id, chat.bobChannel, { name: 'once.txt', mediaType: 'text/plain', bytes });
    await waitFor('file in Webex', () => webex.contents().find((c) => c.name === 'once.txt'));
    await t.hub.worker.drained();

    assert.equal(webex.contents().filter((c) => c.name === 'once.txt').length, 1);
  });
});
