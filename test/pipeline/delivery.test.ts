import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';

import pino from 'pino';

import type { Delivery, Reconciling, SendResult } from '../../src/core/connector.js';
import { PlatformRejectedError, PlatformUnavailableError } from '../../src/core/errors.js';
import { asId, type ConnectionId, type OrgId, type PlatformMessageId, type PlatformUserId, type UserId } from '../../src/core/ids.js';
import { DeliveryWorker, retryDelay, type DeliverySettings } from '../../src/pipeline/delivery.js';
import { Directory } from '../../src/pipeline/directory.js';
import { noticePayload, outboxRow } from '../../src/pipeline/outbox.js';
import type { Store } from '../../src/store/store.js';
import { BaseFakeConnector } from '../kit/fake-connector.js';
import { sqliteFactory } from '../kit/stores.js';
import { waitFor } from '../kit/wait.js';

const connectionId = asId<ConnectionId>('fake');
const settings: DeliverySettings = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, concurrency: 4, sendTimeoutMs: 1000, pollMs: 20 };

/** A connector whose send behaviour each test scripts. */
class FakeConnector extends BaseFakeConnector implements Reconciling {
  sent: string[] = [];
  onSend: (delivery: Delivery) => Promise<void> = async () => undefined;
  delivered = new Map<string, SendResult>();
  reconcileCalls = 0;

  constructor() {
    super(connectionId, 'slack');
  }

  async send(delivery: Delivery): Promise<SendResult> {
    await this.onSend(delivery);
    const text = delivery.event.kind === 'notice' ? delivery.event.text : '';
    this.sent.push(text);
    const result = { messageIds: [asId<PlatformMessageId>(`m${this.sent.length}`)] };
    this.delivered.set(delivery.id, result);
    return result;
  }
  async findDelivered(delivery: Delivery): Promise<SendResult | undefined> {
    this.reconcileCalls++;
    return this.delivered.get(delivery.id);
  }
}

const recipient = (user: string) => ({
  platform: 'slack' as const,
  connectionId,
  platformUserId: asId<PlatformUserId>(user),
  email: `${user}@globex.example`,
});

describe('DeliveryWorker', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  let connector: FakeConnector;
  let worker: DeliveryWorker;

  before(async () => {
    ({ store, dispose } = await sqliteFactory.create());
    await store.ensureOrg(asId<OrgId>('globex'), 'Globex', 1);
  });
  after(() => dispose());

  beforeEach(() => {
    connector = new FakeConnector();
    const directory = new Directory([{ id: connectionId, orgId: asId<OrgId>('globex'), platform: 'slack', connector }], []);
    worker = new DeliveryWorker(store, directory, pino({ level: 'silent' }), settings);
  });
  afterEach(() => worker.stop());

  async function enqueue(user: string, text: string, origin?: string) {
    const payload = noticePayload(recipient(user), asId<UserId>(user), 'command_reply', text, Date.now());
    if (origin) payload.origin = { userId: asId<UserId>(origin), ref: recipient(origin) };
    await store.enqueue([outboxRow(payload, Date.now())]);
    return payload.delivery.id;
  }

  test('keeps order within a conversation across retries', async () => {
    let failures = 2;
    connector.onSend = async (d) => {
      if (d.event.kind === 'notice' && d.event.text === 'one' && failures-- > 0) {
        throw new PlatformUnavailableError('busy', 30);
      }
    };
    await enqueue('u1', 'one');
    await enqueue('u1', 'two');
    await enqueue('u1', 'three');
    worker.start();
    await worker.drained();
    assert.deepEqual(connector.sent, ['one', 'two', 'three']);
  });

  test('moves a rejected delivery to dead letters and tells the sender', async () => {
    connector.onSend = async (d) => {
      if (d.event.kind === 'notice' && d.event.text === 'doomed') throw new PlatformRejectedError('channel_not_found', 'gone');
    };
    const id = await enqueue('u2', 'doomed', 'sender');
    worker.start();
    await worker.drained();

    const dead = await store.listDeadLetters();
    const entry = dead.find((d) => d.id === id);
    assert.equal(entry?.reason, 'platform_rejected:channel_not_found');
    const notice = connector.sent.find((t) => t.startsWith('Not delivered'));
    assert.ok(notice, 'sender got no notice');
    assert.equal(notice.includes('doomed'), false, 'the notice repeats the message text');
  });

  test('gives up after maxAttempts retryable failures', async () => {
    connector.onSend = async (d) => {
      if (d.event.kind === 'notice' && d.event.text === 'flaky') throw new PlatformUnavailableError('down');
    };
    const id = await enqueue('u3', 'flaky', 'sender3');
    worker.start();
    await waitFor('dead letter', async () => (await store.listDeadLetters()).find((d) => d.id === id));
    // Let the notice to the sender go out too, so that no row leaks into the next test.
    await worker.drained();
    const entry = (await store.listDeadLetters()).find((d) => d.id === id);
    assert.equal(entry?.reason, 'max_attempts');
    assert.equal(entry?.attempts, settings.maxAttempts);
    assert.ok(connector.sent.some((t) => t.startsWith('Not delivered to u3@globex.example')), 'sender got no notice');
  });

  test('does not resend an in-doubt delivery the platform already has', async () => {
    const id = await enqueue('u4', 'maybe-sent');
    // A previous process started the attempt, the platform took it, then the process died.
    await store.markAttemptStarted(id, Date.now() - 1000);
    connector.delivered.set(id, { messageIds: [asId<PlatformMessageId>('already')] });

    worker.start();
    await worker.drained();
    assert.equal(connector.reconcileCalls, 1);
    assert.deepEqual(connector.sent, []);
    assert.equal(await store.outboxDepth(), 0);
  });

  test('sends an in-doubt delivery the platform does not have', async () => {
    const id = await enqueue('u5', 'never-arrived');
    await store.markAttemptStarted(id, Date.now() - 1000);
    worker.start();
    await worker.drained();
    assert.equal(connector.reconcileCalls, 1);
    assert.deepEqual(connector.sent, ['never-arrived']);
  });
});

describe('retryDelay', () => {
  test('grows exponentially up to the maximum', () => {
    const high = () => 1;
    assert.equal(retryDelay(1, settings, undefined, high), 10);
    assert.equal(retryDelay(2, settings, undefined, high), 20);
    assert.equal(retryDelay(10, settings, undefined, high), 50);
  });

  test('never undercuts Retry-After', () => {
    assert.equal(retryDelay(1, settings, 5000, () => 0.5), 5000);
  });

  test('jitter stays at or above half the base delay', () => {
    assert.equal(retryDelay(3, settings, undefined, () => 0), 5);
  });
});
