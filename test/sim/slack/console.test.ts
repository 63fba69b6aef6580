// The web console's page and JSON routes.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startFixture, startReceiver } from './helpers.js';

test('console page and script served', async () => {
  const { sim } = await startFixture();
  try {
    const page = await fetch(`${sim.url}/console`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<script src="\/console\/app.js">/);

    const script = await fetch(`${sim.url}/console/app.js`);
    assert.equal(script.status, 200);
    const source = await script.text();
    assert.match(source, /textContent/);
    assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  } finally {
    await sim.stop();
  }
});

test('console posts as user and shows bot overrides', async () => {
  const { sim, bob, app, client } = await startFixture({ retryDelaysMs: [0, 50, 100], ackTimeoutMs: 500 });
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);

    const users = (await (await fetch(`${sim.url}/console/api/users`)).json()) as { users: Array<{ id: string }> };
    assert.deepEqual(users.users.map((u) => u.id), [bob.id]);

    const conversations = (await (await fetch(`${sim.url}/console/api/conversations?user=${bob.id}`)).json()) as {
      conversations: unknown[];
      bots: Array<{ userId: string; name: string }>;
    };
    assert.deepEqual(conversations.conversations, []);
    assert.equal(conversations.bots[0]?.userId, app.botUserId);

    const opened = await fetch(`${sim.url}/console/api/open-im`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: bob.id, other: app.botUserId }),
    });
    const { channel } = (await opened.json()) as { channel: string };
    assert.equal(channel, sim.openIm(bob.id, app.botUserId));

    const posted = await fetch(`${sim.url}/console/api/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: bob.id, channel, text: '<b>hi</b>' }),
    });
    assert.equal(posted.status, 200);
    await sim.settle();
    // Like the Slack client, the console escapes &, < and > in what the user typed.
    assert.equal(receiver.events()[0]?.envelope.event.text, '&lt;b&gt;hi&lt;/b&gt;');

    await client.chat.postMessage({ channel, text: 'from webex', username: 'Alice (Webex)', icon_url: 'https://img.example/alice.png' });
    const listed = (await (await fetch(`${sim.url}/console/api/messages?user=${bob.id}&channel=${channel}`)).json()) as {
      messages: Array<{ sender: string; icon: string; text: string; isBot: boolean }>;
    };
    assert.equal(listed.messages.length, 2);
    assert.equal(listed.messages[0]?.sender, 'Bob Builder');
    assert.equal(listed.messages[0]?.text, '<b>hi</b>');
    assert.equal(listed.messages[1]?.sender, 'Alice (Webex)');
    assert.equal(listed.messages[1]?.icon, 'https://img.example/alice.png');
    assert.equal(listed.messages[1]?.isBot, true);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('console rejects post outside membership', async () => {
  const { sim, workspace, bob } = await startFixture();
  try {
    const carol = sim.addUser(workspace, { email: 'carol@globex.example', realName: 'Carol' });
    const channel = sim.createChannel(workspace, { name: 'carol-only', isPrivate: true, members: [carol.id] });

    const response = await fetch(`${sim.url}/console/api/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: bob.id, channel, text: 'let me in' }),
    });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /not a member/);
    assert.equal(sim.messages(channel).length, 0);

    const hidden = await fetch(`${sim.url}/console/api/messages?user=${bob.id}&channel=${channel}`);
    assert.equal(hidden.status, 404);
  } finally {
    await sim.stop();
  }
});

test('console edits, deletes and reacts as the user', async () => {
  const { sim, bob, app } = await startFixture();
  try {
    const channel = sim.openIm(bob.id, app.botUserId);
    const post = async (route: string, body: Record<string, string>) =>
      fetch(`${sim.url}/console/api/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: bob.id, channel, ...body }) });

    const { ts } = (await (await post('post', { text: 'first' })).json()) as { ts: string };
    assert.equal((await post('edit', { ts, text: 'second & last' })).status, 200);
    assert.equal(sim.messages(channel)[0]?.text, 'second &amp; last');

    assert.equal((await post('react', { ts, name: ':tada:' })).status, 200);
    assert.deepEqual(sim.messages(channel)[0]?.reactions.map((r) => r.name), ['tada']);

    const { ts: botTs } = (await (await post('post', { text: 'mine' })).json()) as { ts: string };
    assert.equal((await post('delete', { ts: botTs })).status, 200);
    assert.equal(sim.messages(channel).length, 1);

    const unknown = await post('edit', { ts: '1.000', text: 'nope' });
    assert.equal(unknown.status, 400);
  } finally {
    await sim.stop();
  }
});

test('console shares a file as the user', async () => {
  const { sim, workspace, bob, app } = await startFixture({ maxFileBytes: 1000 });
  try {
    const channel = sim.openIm(bob.id, app.botUserId);
    const share = (query: Record<string, string>, body: Buffer) =>
      fetch(`${sim.url}/console/api/share-file?${new URLSearchParams({ user: bob.id, channel, ...query })}`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf' },
        body,
      });

    const bytes = Buffer.from('%PDF-1.7 tiny');
    const shared = await share({ name: '가나다 résumé.pdf', text: 'cv <attached>' }, bytes);
    assert.equal(shared.status, 200);
    const { fileId } = (await shared.json()) as { fileId: string };

    const [file] = sim.filesIn(channel);
    assert.equal(file?.id, fileId);
    assert.equal(file?.name, '가나다 résumé.pdf');
    assert.equal(file?.mediaType, 'application/pdf');
    assert.deepEqual(file?.bytes, bytes);
    assert.equal(sim.messages(channel)[0]?.text, 'cv &lt;attached&gt;');

    const listed = (await (await fetch(`${sim.url}/console/api/messages?user=${bob.id}&channel=${channel}`)).json()) as {
      messages: Array<{ files: Array<{ id: string; name: string; size: number }> }>;
    };
    assert.deepEqual(listed.messages[0]?.files, [{ id: fileId, name: '가나다 résumé.pdf', size: bytes.length, deleted: false }]);

    const content = await fetch(`${sim.url}/console/api/file?user=${bob.id}&file=${fileId}`);
    assert.equal(content.status, 200);
    assert.equal(content.headers.get('content-type'), 'application/pdf');
    assert.match(content.headers.get('content-disposition') ?? '', /^attachment;/);
    assert.deepEqual(Buffer.from(await content.arrayBuffer()), bytes);

    const carol = sim.addUser(workspace, { email: 'carol@globex.example', realName: 'Carol' });
    const outsider = await fetch(`${sim.url}/console/api/file?user=${carol.id}&file=${fileId}`);
    assert.equal(outsider.status, 404);
    await outsider.body?.cancel();

    const tooLarge = await share({ name: 'big.pdf' }, Buffer.alloc(1001));
    assert.equal(tooLarge.status, 413);
    await tooLarge.body?.cancel();

    const unnamed = await share({ name: '' }, bytes);
    assert.equal(unnamed.status, 400);
    assert.match(((await unnamed.json()) as { error: string }).error, /name is empty/);
  } finally {
    await sim.stop();
  }
});
