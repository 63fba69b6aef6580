import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  asId,
  type ChatSessionId,
  type ConnectionId,
  type ContactId,
  type DeliveryId,
  type EventId,
  type InvitationId,
  type OrgId,
  type PlatformConversationId,
  type PlatformMessageId,
  type PlatformUserId,
  type UserId,
} from '../../src/core/ids.js';
import type { Store } from '../../src/store/store.js';
import type { OutboxInsert } from '../../src/store/types.js';
import { storeFactories } from '../kit/stores.js';

if (!process.env.PARLEY_TEST_POSTGRES_URL) {
  console.log('# PARLEY_TEST_POSTGRES_URL is not set: the store contract runs on SQLite only');
}

const org = asId<OrgId>('acme');
const conn = asId<ConnectionId>('acme-webex');

function outboxRow(id: string, key: string, at: number, session: string | null = null): OutboxInsert {
  return {
    id: asId<DeliveryId>(id),
    orderingKey: key,
    connectionId: conn,
    sessionId: session === null ? null : asId<ChatSessionId>(session),
    eventId: asId<EventId>(`ev-${id}`),
    payload: JSON.stringify({ id }),
    nextAttemptAt: at,
    createdAt: at,
  };
}

for (const factory of storeFactories()) {
  describe(`store contract (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ store, dispose } = await factory.create());
      await store.ensureOrg(org, 'Acme', 1);
      await store.ensureConnection(conn, org, 'webex', 1);
    });
    after(() => dispose());

    test('migrate twice applies nothing the second time', async () => {
      assert.deepEqual(await store.migrate(), []);
    });

    test('upsertUser keeps one row per platform id and refreshes its name', async () => {
      const first = await store.upsertUser({
        id: asId<UserId>('u1'),
        connectionId: conn,
        platformUserId: asId<PlatformUserId>('P1'),
        email: 'Alice@Acme.example',
        displayName: 'Alice',
        orgId: org,
        at: 1,
      });
      const second = await store.upsertUser({
        id: asId<UserId>('u-other'),
        connectionId: conn,
        platformUserId: asId<PlatformUserId>('P1'),
        displayName: 'Alice Anders',
        orgId: org,
        at: 2,
      });
      assert.equal(second.id, first.id);
      assert.equal(second.displayName, 'Alice Anders');
      assert.equal(second.email, 'alice@acme.example');
      assert.equal((await store.findUsersByEmail('ALICE@acme.example')).length, 1);
    });

    test('markInbound reports a repeated event id', async () => {
      assert.equal(await store.markInbound(conn, 'evt-1', 10), true);
      assert.equal(await store.markInbound(conn, 'evt-1', 11), false);
      assert.equal(await store.hasInbound(conn, 'evt-1'), true);
      assert.equal(await store.pruneInbound(11), 1);
      assert.equal(await store.hasInbound(conn, 'evt-1'), false);
    });

    test('transaction rolls back every write when work throws', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.markInbound(conn, 'evt-rollback', 1);
          await tx.enqueue([outboxRow('rb1', 'k', 1)]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.hasInbound(conn, 'evt-rollback'), false);
      assert.equal(await store.getOutbox(asId<DeliveryId>('rb1')), undefined);
    });

    test('dueHeads returns only the oldest row of each key', async () => {
      await store.enqueue([outboxRow('a1', 'key-a', 100), outboxRow('a2', 'key-a', 100), outboxRow('b1', 'key-b', 100)]);
      const heads = await store.dueHeads(100, [], 10);
      assert.deepEqual(
        heads.map((h) => h.id),
        ['a1', 'b1'],
      );

      const notBusy = await store.dueHeads(100, ['key-a'], 10);
      assert.deepEqual(
        notBusy.map((h) => h.id),
        ['b1'],
      );
    });

    test('a head in back-off holds back the rest of its key', async () => {
      await store.scheduleRetry(asId<DeliveryId>('a1'), 500, 'platform_unavailable');
      const heads = await store.dueHeads(200, [], 10);
      assert.deepEqual(
        heads.map((h) => h.id),
        ['b1'],
      );
      assert.equal(await store.nextDueAt(), 100);
    });

    test('markAttemptStarted counts attempts and deadLetter moves the row', async () => {
      const id = asId<DeliveryId>('b1');
      await store.markAttemptStarted(id, 300);
      const row = await store.getOutbox(id);
      assert.equal(row?.attempts, 1);
      assert.equal(row?.attemptStartedAt, 300);

      await store.deadLetter(row!, 'max_attempts', 400);
      assert.equal(await store.getOutbox(id), undefined);
      const dead = await store.listDeadLetters();
      assert.equal(dead[0]?.id, 'b1');
      assert.equal(dead[0]?.reason, 'max_attempts');
    });

    test('deleteOutboxForSession drops only that session', async () => {
      await store.enqueue([outboxRow('s1', 'k-s', 1, 'sess-1'), outboxRow('s2', 'k-s2', 1, 'sess-2')]);
      assert.equal(await store.deleteOutboxForSession(asId<ChatSessionId>('sess-1')), 1);
      assert.ok(await store.getOutbox(asId<DeliveryId>('s2')));
    });

    test('message map tells hub posts from user posts', async () => {
      await store.addMessageMap([
        {
          connectionId: conn,
          platformMessageId: asId<PlatformMessageId>('m-in'),
          sessionId: asId<ChatSessionId>('sess-1'),
          eventId: asId<EventId>('e1'),
          direction: 'in',
          createdAt: 1,
        },
        {
          connectionId: conn,
          platformMessageId: asId<PlatformMessageId>('m-out'),
          sessionId: asId<ChatSessionId>('sess-1'),
          eventId: asId<EventId>('e1'),
          direction: 'out',
          createdAt: 1,
        },
      ]);
      assert.equal(await store.isHubMessage(conn, asId<PlatformMessageId>('m-out')), true);
      assert.equal(await store.isHubMessage(conn, asId<PlatformMessageId>('m-in')), false);
      assert.equal((await store.messageMapForEvent(asId<EventId>('e1'))).length, 2);
    });

    test('invitations expire and leave the pending list', async () => {
      await store.createInvitation({
        id: asId<InvitationId>('inv-1'),
        fromUserId: asId<UserId>('u1'),
        toEmail: 'bob@globex.example',
        toUserId: asId<UserId>('u2'),
        status: 'pending',
        createdAt: 1000,
        expiresAt: 2000,
        decidedAt: null,
      });
      assert.equal((await store.pendingInvitationsTo(asId<UserId>('u2'), 1500)).length, 1);
      assert.equal(await store.countInvitationsSince(asId<UserId>('u1'), 0), 1);

      const expired = await store.expireInvitations(2000);
      assert.equal(expired.length, 1);
      assert.equal(expired[0]?.status, 'expired');
      assert.equal((await store.pendingInvitationsTo(asId<UserId>('u2'), 1500)).length, 0);
    });

    test('contacts and proxies are found from either side', async () => {
      await store.createSession(asId<ChatSessionId>('sess-c'), 'direct', 1);
      await store.createContact({
        id: asId<ContactId>('c1'),
        userAId: asId<UserId>('u1'),
        userBId: asId<UserId>('u2'),
        sessionId: asId<ChatSessionId>('sess-c'),
        status: 'active',
        createdAt: 1,
        endedAt: null,
      });
      assert.equal((await store.activeContactBetween(asId<UserId>('u2'), asId<UserId>('u1')))?.id, 'c1');

      await store.upsertProxy(
        {
          contactId: asId<ContactId>('c1'),
          localUserId: asId<UserId>('u1'),
          connectionId: conn,
          conversationId: asId<PlatformConversationId>('room-1'),
          proxyUserId: asId<PlatformUserId>('proxy-1'),
          data: { subject: 's' },
        },
        1,
      );
      const found = await store.proxiesByConversation(conn, asId<PlatformConversationId>('room-1'));
      assert.equal(found[0]?.contactId, 'c1');
      assert.deepEqual(found[0]?.data, { subject: 's' });

      await store.endContact(asId<ContactId>('c1'), 5);
      assert.equal(await store.activeContactBetween(asId<UserId>('u1'), asId<UserId>('u2')), undefined);
    });

    test('metadata log keeps insertion order and filters by session', async () => {
      const base = {
        type: 'im' as const,
        eventKind: 'message',
        sender: 'a@x',
        receiver: 'b@y',
        sourcePlatform: 'webex' as const,
        targetPlatform: 'slack' as const,
        sourceOrg: org,
        targetOrg: null,
        outcome: 'accepted',
      };
      await store.appendMetadata([
        { ...base, at: 1, sessionId: asId<ChatSessionId>('m-s1') },
        { ...base, at: 2, sessionId: asId<ChatSessionId>('m-s2') },
      ]);
      const rows = await store.queryMetadata({ sessionId: 'm-s2' });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.at, 2);
    });

    test('connection state round-trips', async () => {
      await store.setState(conn, 'webhook', 'w1');
      await store.setState(conn, 'webhook', 'w2');
      assert.equal(await store.getState(conn, 'webhook'), 'w2');
    });

    test('presence and suspension are stored per user', async () => {
      const user = await store.upsertUser({ id: asId<UserId>('u-ps'), connectionId: conn, platformUserId: asId<PlatformUserId>('P-ps'), email: 'ps@acme.example', orgId: org, at: 1 });
      assert.equal(await store.setPresence(user.id, 'away', 2), true);
      assert.equal(await store.setPresence(user.id, 'away', 3), false);
      await store.setUserSuspended(user.id, 5);
      const suspended = await store.getUser(user.id);
      assert.equal(suspended?.presence, 'away');
      assert.equal(suspended?.suspendedAt, 5);
      await store.setUserSuspended(user.id, null);
      assert.equal((await store.getUser(user.id))?.suspendedAt, null);
    });

    test('stored policies and the audit log round-trip', async () => {
      await store.storePolicy(org, '{"mode":"open"}', 1, 'op');
      await store.storePolicy(org, '{"mode":"allow_list"}', 2, 'op');
      assert.deepEqual(await store.storedPolicies(), [{ orgId: org, policy: '{"mode":"allow_list"}' }]);

      for (const action of ['first', 'second']) {
        await store.appendAudit({ at: 3, actor: 'op', source: 'cli', action, orgId: org, target: 'org acme', oldValue: null, newValue: 'x' });
      }
      await store.appendAudit({ at: 4, actor: 'op', source: 'cli', action: 'other-org', orgId: asId<OrgId>('globex'), target: 'org globex', oldValue: null, newValue: null });
      assert.deepEqual((await store.listAudit(org)).map((a) => a.action), ['second', 'first']);
      assert.equal((await store.listAudit()).length, 3);
    });

    test('deadLetterSession moves only that session', async () => {
      await store.enqueue([outboxRow('r1', 'k-r', 1, 'sess-r'), outboxRow('r2', 'k-r2', 1, 'sess-other')]);
      assert.equal(await store.deadLetterSession(asId<ChatSessionId>('sess-r'), 'contact_revoked', 9), 1);
      assert.equal(await store.getOutbox(asId<DeliveryId>('r1')), undefined);
      assert.ok(await store.getOutbox(asId<DeliveryId>('r2')));
      assert.equal((await store.listDeadLetters()).find((d) => d.id === 'r1')?.reason, 'contact_revoked');
    });

    test('API connections round-trip, ids stay taken', async () => {
      const id = asId<ConnectionId>('api-conn');
      assert.equal(await store.connections.sourceOf(id), undefined);
      assert.equal(await store.connections.add({ id, orgId: org, platform: 'slack', settings: { apiUrl: 'https://slack.com/api/' }, sealedCredentials: 'v1.sealed', createdAt: 10 }), true);
      assert.equal(await store.connections.add({ id, orgId: org, platform: 'slack', settings: {}, sealedCredentials: 'v1.other', createdAt: 11 }), false);
      await store.connections.update(id, { apiUrl: 'https://slack.example/api/' }, 'v1.resealed', 12);
      const stored = await store.connections.get(id);
      assert.deepEqual(stored, { id, orgId: org, platform: 'slack', settings: { apiUrl: 'https://slack.example/api/' }, sealedCredentials: 'v1.resealed', createdAt: 10, updatedAt: 12 });
      assert.deepEqual((await store.connections.list()).map((c) => c.id), [id]);
      await store.connections.remove(id, 13);
      assert.equal(await store.connections.get(id), undefined);
      assert.deepEqual(await store.connections.list(), []);
      assert.equal(await store.connections.sourceOf(id), 'removed');
    });
  });
}
