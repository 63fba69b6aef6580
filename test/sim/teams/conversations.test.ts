// The Connector routes a bot calls: creating the 1:1 conversation, sending, replying,
// updating and deleting activities, and reading members.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TENANT_ID, activitiesPath, connector, errorCode, startWorld } from './helpers.js';

function createBody(memberId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bot: { id: `28:9d2c4e1a-7f3b-4c6d-8e5f-1a2b3c4d5e6f` },
    members: [{ id: memberId }],
    channelData: { tenant: { id: TENANT_ID } },
    isGroup: false,
    ...extra,
  };
}

test('create conversation returns existing chat', async (t) => {
  const { sim, alice } = await startWorld(t);

  const byId = await connector(sim, 'POST', 'v3/conversations', createBody(alice.id));
  const byObjectId = await connector(sim, 'POST', 'v3/conversations', createBody(alice.aadObjectId));

  assert.equal(byId.status, 201);
  assert.equal(byId.body.id, sim.conversationId(alice.id));
  assert.equal(byObjectId.body.id, byId.body.id);
});

test('create conversation posts first activity', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await connector(sim, 'POST', 'v3/conversations', createBody(alice.id, { activity: { type: 'message', text: 'Welcome' } }));

  assert.equal(response.status, 201);
  assert.equal(sim.botMessages(alice.id)[0]?.id, response.body.activityId);
  assert.equal(sim.botMessages(alice.id)[0]?.text, 'Welcome');
});

test('create conversation needs installed bot', async (t) => {
  const { sim, carol } = await startWorld(t);

  const response = await connector(sim, 'POST', 'v3/conversations', createBody(carol.id));

  assert.equal(response.status, 403);
  assert.equal(errorCode(response), 'BotNotInConversationRoster');
  assert.equal(sim.conversationId(carol.id), undefined);
});

test('create conversation rejects bad parameters', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const cases: [string, Record<string, unknown>, number][] = [
    ['group chat', createBody(alice.id, { isGroup: true }), 400],
    ['two members', createBody(alice.id, { members: [{ id: alice.id }, { id: bob.id }] }), 400],
    ['no tenant', createBody(alice.id, { channelData: {} }), 400],
    ['another bot', createBody(alice.id, { bot: { id: '28:someone-else' } }), 400],
    ['unknown user', createBody('29:1nobody'), 400],
    ['unknown tenant', createBody(alice.id, { channelData: { tenant: { id: 'another-tenant' } } }), 403],
  ];

  for (const [label, body, status] of cases) {
    const response = await connector(sim, 'POST', 'v3/conversations', body);
    assert.equal(response.status, status, label);
    errorCode(response);
  }
});

test('send activity stores message', async (t) => {
  const { sim, alice } = await startWorld(t);
  const activity = {
    type: 'message',
    text: 'Hi <at>Alice Anders</at>, **build** passed',
    textFormat: 'markdown',
    entities: [{ type: 'mention', text: '<at>Alice Anders</at>', mentioned: { id: alice.id, name: 'Alice Anders' } }],
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [] } }],
  };

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), activity);
  const [stored] = sim.botMessages(alice.id);

  assert.equal(response.status, 201);
  assert.equal(stored?.id, response.body.id);
  assert.equal(stored?.text, activity.text);
  assert.equal(stored?.textFormat, 'markdown');
  assert.deepEqual(stored?.entities, activity.entities);
  assert.deepEqual(stored?.attachments, activity.attachments);
  assert.equal(stored?.fromId, sim.bot.id);
});

test('reply sets replyToId', async (t) => {
  const { sim, alice } = await startWorld(t);
  const userMessage = sim.sendMessage(alice.id, 'question');

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? '', userMessage), { type: 'message', text: 'answer' });
  const missing = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? '', '1'), { type: 'message', text: 'answer' });

  assert.equal(response.status, 201);
  assert.equal(sim.botMessages(alice.id)[0]?.replyToId, userMessage);
  assert.equal(missing.status, 404);
  assert.equal(errorCode(missing), 'ActivityNotFound');
});

test('update edits own activity', async (t) => {
  const { sim, alice } = await startWorld(t);
  const conversationId = sim.conversationId(alice.id) ?? '';
  const posted = await connector(sim, 'POST', activitiesPath(conversationId), { type: 'message', text: 'first' });
  const userMessage = sim.sendMessage(alice.id, 'mine');

  const updated = await connector(sim, 'PUT', activitiesPath(conversationId, posted.body.id), { type: 'message', text: 'second' });
  const foreign = await connector(sim, 'PUT', activitiesPath(conversationId, userMessage), { type: 'message', text: 'hijack' });
  const [message] = sim.botMessages(alice.id);

  assert.equal(updated.status, 200);
  assert.equal(updated.body.id, posted.body.id);
  assert.equal(message?.text, 'second');
  assert.equal(message?.edited, true);
  assert.deepEqual(message?.history.map((version) => version.text), ['first']);
  assert.equal(foreign.status, 403);
  assert.equal(sim.messages(alice.id).find((m) => m.id === userMessage)?.text, 'mine');
});

test('delete removes own activity', async (t) => {
  const { sim, alice } = await startWorld(t);
  const conversationId = sim.conversationId(alice.id) ?? '';
  const posted = await connector(sim, 'POST', activitiesPath(conversationId), { type: 'message', text: 'oops' });
  const userMessage = sim.sendMessage(alice.id, 'mine');

  const deleted = await connector(sim, 'DELETE', activitiesPath(conversationId, posted.body.id));
  const again = await connector(sim, 'DELETE', activitiesPath(conversationId, posted.body.id));
  const foreign = await connector(sim, 'DELETE', activitiesPath(conversationId, userMessage));
  const unknown = await connector(sim, 'DELETE', activitiesPath(conversationId, '42'));
  const updateDeleted = await connector(sim, 'PUT', activitiesPath(conversationId, posted.body.id), { type: 'message', text: 'back' });

  assert.equal(deleted.status, 200);
  assert.equal(sim.botMessages(alice.id)[0]?.deleted, true);
  assert.equal(again.status, 200);
  assert.equal(foreign.status, 403);
  assert.equal(unknown.status, 404);
  assert.equal(updateDeleted.status, 404);
});

test('unknown conversation gets 404', async (t) => {
  const { sim } = await startWorld(t);

  const response = await connector(sim, 'POST', activitiesPath('a:1unknown'), { type: 'message', text: 'hi' });

  assert.equal(response.status, 404);
  assert.equal(errorCode(response), 'ConversationNotFound');
});

test('removed bot gets 403 on send', async (t) => {
  const { sim, alice } = await startWorld(t);
  sim.uninstallApp(alice.id);

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'message', text: 'still there?' });

  assert.equal(response.status, 403);
  assert.equal(errorCode(response), 'BotNotInConversationRoster');
});

test('invalid activities get BadArgument', async (t) => {
  // The cases outnumber the 7 requests a second that Teams allows in one conversation.
  const { sim, alice } = await startWorld(t, { rateLimits: [{ windowMs: 1000, limit: 100 }] });
  const path = activitiesPath(sim.conversationId(alice.id) ?? '');
  const cases: [string, unknown][] = [
    ['no type', { text: 'hi' }],
    ['unknown type', { type: 'shout', text: 'hi' }],
    ['text not a string', { type: 'message', text: 42 }],
    ['bad textFormat', { type: 'message', text: 'hi', textFormat: 'html' }],
    ['attachment without contentType', { type: 'message', attachments: [{ content: {} }] }],
    ['entity without type', { type: 'message', text: 'hi', entities: [{ text: 'x' }] }],
    ['mention without mentioned', { type: 'message', text: '<at>A</at>', entities: [{ type: 'mention', text: '<at>A</at>' }] }],
    ['mention missing from text', { type: 'message', text: 'hi', entities: [{ type: 'mention', text: '<at>A</at>', mentioned: { id: '29:1alice' } }] }],
    ['empty message', { type: 'message' }],
    ['event activity', { type: 'event', name: 'x' }],
    ['not JSON', '{"type":'],
    ['an array', [{ type: 'message', text: 'hi' }]],
  ];

  for (const [label, body] of cases) {
    const response = await connector(sim, 'POST', path, body);
    assert.equal(response.status, 400, label);
    assert.equal(errorCode(response), 'BadArgument', label);
  }
  assert.deepEqual(sim.botMessages(alice.id), []);
});

test('typing is recorded, not stored', async (t) => {
  const { sim, alice } = await startWorld(t);

  const response = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), { type: 'typing' });

  assert.equal(response.status, 201);
  assert.equal(sim.botTyping(alice.id).length, 1);
  assert.deepEqual(sim.botMessages(alice.id), []);
});

test('members routes list the user', async (t) => {
  const { sim, alice } = await startWorld(t);
  const base = `v3/conversations/${encodeURIComponent(sim.conversationId(alice.id) ?? '')}`;

  const members = await connector(sim, 'GET', `${base}/members`);
  const paged = await connector(sim, 'GET', `${base}/pagedmembers?pageSize=1`);
  const byId = await connector(sim, 'GET', `${base}/members/${encodeURIComponent(alice.id)}`);
  const byObjectId = await connector(sim, 'GET', `${base}/members/${alice.aadObjectId}`);
  const stranger = await connector(sim, 'GET', `${base}/members/${encodeURIComponent('29:1bob')}`);

  assert.equal(members.status, 200);
  assert.deepEqual(members.body, [
    {
      id: alice.id,
      name: 'Alice Anders',
      aadObjectId: alice.aadObjectId,
      givenName: 'Alice',
      surname: 'Anders',
      email: 'alice@initech.example',
      userPrincipalName: 'alice@initech.example',
      tenantId: TENANT_ID,
      userRole: 'user',
    },
  ]);
  assert.deepEqual(paged.body, { members: members.body });
  assert.deepEqual(byId.body, members.body[0]);
  assert.deepEqual(byObjectId.body, members.body[0]);
  assert.equal(stranger.status, 404);
  assert.equal(errorCode(stranger), 'MemberNotFoundInConversation');
});

test('pagedmembers checks its parameters', async (t) => {
  const { sim, alice } = await startWorld(t);
  const base = `v3/conversations/${encodeURIComponent(sim.conversationId(alice.id) ?? '')}/pagedmembers`;

  const badSize = await connector(sim, 'GET', `${base}?pageSize=0`);
  const badToken = await connector(sim, 'GET', `${base}?continuationToken=bm9wZQ`);

  assert.equal(badSize.status, 400);
  assert.equal(badToken.status, 400);
});

test('global teams path also answers', async (t) => {
  const { sim, alice } = await startWorld(t);
  const token = await sim.issueAccessToken();

  const response = await fetch(`${sim.url}/teams/${activitiesPath(sim.conversationId(alice.id) ?? '')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'proactive' }),
  });

  assert.equal(response.status, 201);
  assert.equal(sim.botMessages(alice.id)[0]?.text, 'proactive');
});
