// Typing notices: passed on to platforms that show them, within the policies, and never
// retried or turned into a dead letter when they fail.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import pino from 'pino';

import type { Delivery, SendResult } from '../../src/core/connector.js';
import { PlatformUnavailableError } from '../../src/core/errors.js';
import type { InboundEvent } from '../../src/core/events.js';
import { asId, type ChatSessionId, type ConnectionId, type ContactId, type EventId, type OrgId, type PlatformConversationId, type PlatformUserId, type UserId } from '../../src/core/ids.js';
import { DeliveryWorker } from '../../src/pipeline/delivery.js';
import { Directory } from '../../src/pipeline/directory.js';
import { InboundPipeline } from '../../src/pipeline/inbound.js';
import type { PolicyHook } from '../../src/pipeline/policy.js';
import type { Store } from '../../src/store/store.js';
import type { UserRecord } from '../../src/store/types.js';
import { BaseFakeConnector } from '../kit/fake-connector.js';
import { sqliteFactory } from '../kit/stores.js';

class FakeConnector extends BaseFakeConnector {
  sent: Delivery[] = [];
  fail = false;
  async send(delivery: Delivery): Promise<SendResult> {
    if (this.fail) throw new PlatformUnavailableError('down');
    this.sent.push(delivery);
    return { messageIds: [] };
  }
}

/** An XMPP-like connector whose users see typing. */
class TypingConnector extends FakeConnector {
  readonly showsTyping = true as const;
}

describe('typing notices', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  const xa = new TypingConnector(asId<ConnectionId>('xa'), 'xmpp');
  const xb = new TypingConnector(asId<ConnectionId>('xb'), 'xmpp');
  const wb = new FakeConnector(asId<ConnectionId>('wb'), 'webex');
  const directory = new Directory(
    [
      { id: xa.connectionId, orgId: asId<OrgId>('initech'), platform: 'xmpp', connector: xa },
      { id: xb.connectionId, orgId: asId<OrgId>('hooli'), platform: 'xmpp', connector: xb },
      { id: wb.connectionId, orgId: asId<OrgId>('acme'), platform: 'webex', connector: wb },
    ],
    [],
  );
  let deny = false;
  const policy: PolicyHook = async ({ kind }) => (deny && kind === 'typing' ? { allowed: false, reason: 'typing is off', rule: 'initech: typing off' } : { allowed: true });
  let pipeline: InboundPipeline;
  let erin: UserRecord;

  const user = async (connection: FakeConnector, org: string, name: string, domain: string) =>
    store.transaction((repo) =>
      repo.upsertUser({
        id: asId<UserId>(randomUUID()),
        connectionId: connection.connectionId,
        platformUserId: asId<PlatformUserId>(`${name}@${domain}`),
        email: `${name}@${domain}`,
        displayName: name,
        orgId: asId<OrgId>(org),
        at: 1,
      }),
    );

  /** Makes `a` and `b` contacts; `a` talks to `b`'s proxy in conversation `conversation`. */
  const contact = async (a: UserRecord, b: UserRecord, conversation: string) => {
    const id = asId<ContactId>(randomUUID());
    const sessionId = asId<ChatSessionId>(randomUUID());
    await store.transaction(async (repo) => {
      await repo.createSession(sessionId, 'direct', 1);
      await repo.createContact({ id, userAId: a.id, userBId: b.id, sessionId, status: 'active', createdAt: 1, endedAt: null });
      await repo.upsertProxy(
        { contactId: id, localUserId: a.id, connectionId: a.connectionId, conversationId: asId<PlatformConversationId>(conversation), proxyUserId: null, data: {} },
        1,
      );
    });
  };

  const typing = (conversation: string): InboundEvent => ({
    platformEventId: randomUUID(),
    target: { kind: 'proxy', conversationId: asId<PlatformConversationId>(conversation) },
    event: {
      kind: 'typing',
      id: asId<EventId>(randomUUID()),
      occurredAt: new Date().toISOString(),
      from: { platform: 'xmpp', connectionId: xa.connectionId, platformUserId: erin.platformUserId, email: erin.email! },
      state: 'started',
    },
  });

  before(async () => {
    ({ store, dispose } = await sqliteFactory.create());
    for (const org of ['initech', 'hooli', 'acme']) await store.ensureOrg(asId<OrgId>(org), org, 1);
    erin = await user(xa, 'initech', 'erin', 'initech.example');
    const gus = await user(xb, 'hooli', 'gus', 'hooli.example');
    const alice = await user(wb, 'acme', 'alice', 'acme.example');
    await contact(erin, gus, 'gus-proxy');
    await contact(erin, alice, 'alice-proxy');
    pipeline = new InboundPipeline(store, directory, pino({ level: 'silent' }), { expiryMs: 1000, invitesPerDay: 10, commandsPerMinute: 10 }, () => undefined, policy);
  });
  after(() => dispose());

  test('typing reaches typing platforms only', async () => {
    assert.deepEqual(await pipeline.receive(xa.connectionId, [typing('gus-proxy')]), ['committed']);
    assert.equal(await store.outboxDepth(), 1);
    const [row] = await store.dueHeads(Date.now() + 1000, [], 10);
    assert.equal(row!.connectionId, xb.connectionId);

    await pipeline.receive(xa.connectionId, [typing('alice-proxy')]);
    assert.equal(await store.outboxDepth(), 1, 'Webex shows no typing, so nothing is queued for Alice');
  });

  test('policy switches typing off', async () => {
    deny = true;
    await pipeline.receive(xa.connectionId, [typing('gus-proxy')]);
    deny = false;
    assert.equal(await store.outboxDepth(), 1);
  });

  test('failed typing notice is dropped', async () => {
    xb.fail = true;
    const worker = new DeliveryWorker(store, directory, pino({ level: 'silent' }), { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 20, concurrency: 2, sendTimeoutMs: 1000, pollMs: 10 });
    worker.start();
    await worker.drained();
    await worker.stop();
    assert.equal(await store.outboxDepth(), 0);
    assert.equal((await store.listDeadLetters()).length, 0);
    assert.equal(xa.sent.length + wb.sent.length, 0, 'the typist hears nothing of it');
  });
});
