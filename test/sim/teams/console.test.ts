import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consolePage } from '../../../sim/teams/console-page.js';
import { activitiesPath, connector, startWorld } from './helpers.js';

function post(url: string, body: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

test('console page answers 200', async (t) => {
  const { sim } = await startWorld(t);

  const response = await fetch(`${sim.url}/console`);
  const html = await response.text();

  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(html, /Teams simulator console/);
});

test('console page never writes HTML', () => {
  assert.doesNotMatch(consolePage, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  assert.match(consolePage, /textContent/);
});

test('console sends as user', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: 'Hello from the bot' });

  const users = (await (await fetch(`${sim.url}/console/api/users`)).json()) as { id: string; installed: boolean }[];
  const sent = await post(`${sim.url}/console/api/send`, { userId: alice.id, text: '<b>not bold</b>' });
  const [received] = await bot.waitFor(1);
  const chat = (await (await fetch(`${sim.url}/console/api/messages?userId=${encodeURIComponent(alice.id)}`)).json()) as {
    messages: { author: string; text: string; role: string }[];
  };

  assert.equal(users.find((user) => user.id === alice.id)?.installed, true);
  assert.equal(sent.status, 200);
  assert.equal(received?.activity.text, '<b>not bold</b>');
  assert.deepEqual(
    chat.messages.map((m) => [m.role, m.author, m.text]),
    [
      ['bot', 'Parley', 'Hello from the bot'],
      ['user', 'Alice Anders', '<b>not bold</b>'],
    ],
  );
});

test('console installs the bot', async (t) => {
  const { sim, bot, carol } = await startWorld(t);

  const refused = await post(`${sim.url}/console/api/send`, { userId: carol.id, text: 'hi' });
  const installed = await post(`${sim.url}/console/api/install`, { userId: carol.id });
  const [received] = await bot.waitFor(1);

  assert.equal(refused.status, 400);
  assert.equal(installed.status, 200);
  assert.equal(received?.activity.type, 'conversationUpdate');
});

test('console answers file consent', async (t) => {
  const { sim, alice } = await startWorld(t);
  const card = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.teams.card.file.consent', name: 'a.txt', content: { sizeInBytes: 1 } }],
  });

  const response = await post(`${sim.url}/console/api/file-consent`, { userId: alice.id, activityId: card.body.id, action: 'decline' });

  assert.equal(response.status, 200);
  assert.equal(sim.botMessages(alice.id)[0]?.fileConsentAction, 'decline');
});

test('console rejects unknown user', async (t) => {
  const { sim } = await startWorld(t);

  const response = await fetch(`${sim.url}/console/api/messages?userId=29%3A1nobody`);

  assert.equal(response.status, 404);
});
