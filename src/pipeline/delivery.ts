// The delivery worker: takes the head of each conversation's queue from the outbox,
// sends it through the target connector, and records the result. One delivery per
// conversation at a time keeps order; different conversations run in parallel.

import type { Logger } from 'pino';

import { canOpenFiles, canReconcile, takesFiles, type Delivery, type FileContent, type SendResult } from '../core/connector.js';
import { FileNotDeliverableError, FileNotReadyError, NotPassedOnError, ParleyError, PlatformRejectedError, PlatformUnavailableError } from '../core/errors.js';
import type { FileRef } from '../core/events.js';
import type { EventId, PlatformMessageId } from '../core/ids.js';
import { platformNames } from '../core/platform.js';
import type { Store } from '../store/store.js';
import type { OutboxRecord } from '../store/types.js';
import type { Directory } from './directory.js';
import { openForDelivery } from './files.js';
import { noMetrics, type PipelineMetrics } from './metrics.js';
import { allowAll, type PolicyHook } from './policy.js';
import { noticePayload, outboxRow, type OutboxPayload } from './outbox.js';

export interface DeliverySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  concurrency: number;
  sendTimeoutMs: number;
  /** Time a delivery that carries a file may take, download and upload together. */
  fileTimeoutMs?: number;
  /** Fallback poll interval, for rows other nodes enqueue; in milliseconds. */
  pollMs?: number;
}

/** Exponential back-off with full jitter, never shorter than the platform's Retry-After. */
export function retryDelay(attempt: number, settings: DeliverySettings, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.max(settings.baseDelayMs / 2, ceiling * random());
  return Math.max(jittered, retryAfterMs ?? 0);
}

export class DeliveryWorker {
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking = false;
  private again = false;
  private idleSince = Date.now();
  private compacted = true;

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly logger: Logger,
    private readonly settings: DeliverySettings,
    private readonly policy: PolicyHook = allowAll,
    private readonly metrics: PipelineMetrics = noMetrics,
  ) {}

  start(): void {
    this.running = true;
    this.wake();
  }

  /** Stops taking new work and waits for sends in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Asks the worker to look at the outbox now; cheap to call often. */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  /** Resolves when the outbox is empty and nothing is in flight. */
  async drained(): Promise<void> {
    while ((await this.store.outboxDepth()) > 0 || this.inFlight.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    this.ticking = true;
    this.again = false;
    try {
      const free = this.settings.concurrency - this.busy.size;
      const now = Date.now();
      const heads = free > 0 ? await this.store.dueHeads(now, [...this.busy], free) : [];
      for (const row of heads) {
        this.busy.add(row.orderingKey);
        const run = this.deliver(row)
          .catch((error: unknown) => this.logger.error({ err: error, delivery_id: row.id }, 'Delivery failed unexpectedly.'))
          .finally(() => {
            this.busy.delete(row.orderingKey);
            this.inFlight.delete(run);
            this.wake();
          });
        this.inFlight.add(run);
      }
      if (heads.length === 0) await this.maybeCompact(now);
      await this.schedule(now);
    } catch (error) {
      this.logger.error({ err: error }, 'Reading the outbox failed; retrying in one second.');
      this.timer = setTimeout(() => void this.tick(), 1000);
    } finally {
      this.ticking = false;
      if (this.again) this.wake();
    }
  }

  private async schedule(now: number): Promise<void> {
    const next = await this.store.nextDueAt();
    const poll = this.settings.pollMs ?? 1000;
    const wait = next === undefined ? poll : Math.min(poll, Math.max(0, next - now));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(wait, 5));
  }

  /**
   * Once the outbox has stayed empty for a moment, folds the SQLite WAL into the database
   * so that delivered message text does not linger in the WAL file.
   */
  private async maybeCompact(now: number): Promise<void> {
    if (this.inFlight.size > 0 || (await this.store.outboxDepth()) > 0) {
      this.idleSince = now;
      this.compacted = false;
      return;
    }
    if (!this.compacted && now - this.idleSince >= 200) {
      await this.store.compact();
      this.compacted = true;
    }
  }

  private async deliver(row: OutboxRecord): Promise<void> {
    const payload = JSON.parse(row.payload) as OutboxPayload;
    const log = this.logger.child({
      delivery_id: row.id,
      connection: row.connectionId,
      session_id: row.sessionId,
      event_kind: payload.delivery.event.kind,
      attempt: row.attempts + 1,
    });
    const connection = this.directory.connection(row.connectionId);
    if (!connection) {
      await this.fail(row, payload, 'connection_removed', log);
      return;
    }

    // A policy changed since the event was queued applies to it too.
    const rule = await this.deniedBy(payload);
    if (rule !== undefined) {
      log.info({ rule }, 'The federation policy now denies a queued delivery; moved to the dead letters.');
      // The reason names whose policy it was, not its rule, which may be that organisation's own business.
      await this.fail(row, payload, `policy_denied:${rule.split(':')[0]}`, log);
      return;
    }

    // A post queued for a shared channel goes only while its people still take part.
    const closed = await this.channelClosed(payload);
    if (closed !== undefined) {
      log.info({ reason: closed }, 'A queued post to a shared channel may no longer go; moved to the dead letters.');
      await this.fail(row, payload, closed, log);
      return;
    }

    const delivery = await this.withBinding(payload, row.attempts + 1);
    const started = Date.now();
    const abort = new AbortController();
    const isFile = delivery.event.kind === 'file';
    if (isFile) {
      delivery.openFile = (file) => this.openFile(payload, file, connection.connector, abort.signal);
      delivery.signal = abort.signal;
    }

    // An attempt that started but never recorded its outcome may have reached the platform.
    if (row.attemptStartedAt !== null && canReconcile(connection.connector)) {
      try {
        const found = await connection.connector.findDelivered(delivery, new Date(row.attemptStartedAt));
        if (found) {
          log.info('Delivery in doubt was found on the platform; not sent again.');
          await this.complete(row, payload, found);
          return;
        }
      } catch (error) {
        await this.retryOrFail(row, payload, error, log);
        return;
      }
    }

    await this.store.markAttemptStarted(row.id, started);
    try {
      const timeout = isFile ? (this.settings.fileTimeoutMs ?? 600_000) : this.settings.sendTimeoutMs;
      const result = await withTimeout(connection.connector.send(delivery), timeout, abort);
      await this.complete(row, payload, result);
      log.info({ duration_ms: Date.now() - started }, 'Delivered.');
    } catch (error) {
      await this.retryOrFail({ ...row, attempts: row.attempts + 1, attemptStartedAt: started }, payload, error, log);
    } finally {
      // Closes whatever a file transfer left open: the source's response, a temporary file.
      if (isFile) abort.abort();
    }
  }

  /** Opens a file at its source for a delivery, within the target's and the policies' limits. */
  private async openFile(payload: OutboxPayload, file: FileRef, target: Parameters<typeof takesFiles>[0], signal: AbortSignal): Promise<FileContent> {
    const source = this.directory.connection(file.connectionId)?.connector;
    if (!source || !canOpenFiles(source)) {
      throw new FileNotDeliverableError('file_source_gone', 'the platform it was sent from is no longer connected to Parley');
    }
    if (!takesFiles(target)) {
      throw new FileNotDeliverableError('file_unsupported', `${platformNames[target.platform]} does not take files through Parley`);
    }
    const from = payload.delivery.event.from;
    const [sender, recipient] = await Promise.all([
      this.store.findUserByPlatformId(from.connectionId, from.platformUserId),
      this.store.getUser(payload.recipientUserId),
    ]);
    // Files in general first: denied, the file is not opened, and the denial is counted once.
    const general = sender && recipient ? await this.policy({ kind: 'file', sender, recipient }) : undefined;
    if (general && !general.allowed) throw new FileNotDeliverableError('file_policy', general.reason.replace(/\.$/, ''));
    const policyBytes = general?.maxFileBytes;
    return openForDelivery(
      source,
      file,
      {
        platformBytes: target.maxFileBytes,
        platformName: platformNames[target.platform],
        ...(policyBytes !== undefined ? { policyBytes } : {}),
        policyDenies: async (facts) => {
          if (!sender || !recipient) return undefined;
          const decision = await this.policy({ kind: 'file', sender, recipient, file: { bytes: facts.size, mediaType: facts.mediaType, name: facts.name } });
          return decision.allowed ? undefined : decision.reason.replace(/\.$/, '');
        },
      },
      signal,
    );
  }

  /**
   * Returns `channel_member_removed` when a queued post to a shared channel may no longer go:
   * its mirror has no active invitee left, or its sender was an invitee who is no longer one.
   */
  private async channelClosed(payload: OutboxPayload): Promise<string | undefined> {
    const { delivery } = payload;
    const place = delivery.channel;
    if (!place || delivery.event.kind === 'channel_invite' || delivery.event.kind === 'channel_member') return undefined;
    const active = async (member: { status: string; contactId: Parameters<Store['getContact']>[0] } | undefined) =>
      member?.status === 'active' && (await this.store.getContact(member.contactId))?.status === 'active';
    const members = await this.store.channels.members(place.channelId);
    if (place.role === 'mirror') {
      let open = false;
      for (const member of members) {
        const user = await this.store.getUser(member.userId);
        if (user?.connectionId === delivery.recipient.connectionId && (await active(member))) open = true;
      }
      if (!open) return 'channel_member_removed';
    }
    const from = delivery.event.from;
    const sender = await this.store.findUserByPlatformId(from.connectionId, from.platformUserId);
    const own = sender ? members.find((m) => m.userId === sender.id) : undefined;
    if (own && !(await active(own))) return 'channel_member_removed';
    return undefined;
  }

  /** Returns the rule that denies a relayed delivery now, or undefined when it may go. */
  private async deniedBy(payload: OutboxPayload): Promise<string | undefined> {
    const { delivery } = payload;
    if (delivery.sender.kind === 'bot') return undefined;
    const from = delivery.event.from;
    const [sender, recipient] = await Promise.all([
      this.store.findUserByPlatformId(from.connectionId, from.platformUserId),
      this.store.getUser(payload.recipientUserId),
    ]);
    if (!sender || !recipient) return undefined;
    const decision = await this.policy({ kind: delivery.event.kind, sender, recipient });
    return decision.allowed ? undefined : decision.rule;
  }

  private async withBinding(payload: OutboxPayload, attempt: number): Promise<Delivery> {
    const delivery = { ...payload.delivery };
    // A mirror is created by the channel's first delivery to it; later ones read where it is.
    if (delivery.channel?.role === 'mirror') {
      const mirror = await this.store.channels.mirror(delivery.channel.channelId, delivery.recipient.connectionId);
      if (mirror?.conversationId) delivery.channel = { ...delivery.channel, conversationId: mirror.conversationId, data: mirror.data };
    }
    if (delivery.sender.kind !== 'proxy') return { ...delivery, attempt };

    const proxy = await this.store.proxyFor(delivery.sender.contactId, payload.recipientUserId);
    if (!proxy) return { ...delivery, attempt };
    return {
      ...delivery,
      attempt,
      sender: {
        ...delivery.sender,
        binding: {
          contactId: proxy.contactId,
          conversationId: proxy.conversationId,
          ...(proxy.proxyUserId ? { proxyUserId: proxy.proxyUserId } : {}),
          data: proxy.data,
        },
      },
    };
  }

  private async complete(row: OutboxRecord, payload: OutboxPayload, result: SendResult): Promise<void> {
    const now = Date.now();
    const { delivery } = payload;
    await this.store.transaction(async (repo) => {
      await repo.deleteOutbox(row.id);
      if (delivery.sessionId) {
        await repo.addMessageMap(
          result.messageIds.map((id: PlatformMessageId) => ({
            connectionId: row.connectionId,
            platformMessageId: id,
            sessionId: delivery.sessionId!,
            eventId: delivery.event.id as EventId,
            direction: 'out' as const,
            createdAt: now,
          })),
        );
      }
      if (result.channel && delivery.channel?.role === 'mirror') {
        await repo.channels.setMirror(delivery.channel.channelId, row.connectionId, result.channel.conversationId, result.channel.data);
      }
      if (result.binding) {
        await repo.upsertProxy(
          {
            contactId: result.binding.contactId,
            localUserId: payload.recipientUserId,
            connectionId: row.connectionId,
            conversationId: result.binding.conversationId,
            proxyUserId: result.binding.proxyUserId ?? null,
            data: result.binding.data,
          },
          now,
        );
      }
      await repo.appendMetadata([{ ...payload.metadata, at: now, outcome: 'delivered' }]);
      if (payload.then) await repo.enqueue(payload.then.map((next) => outboxRow(next, now)));
    });
    if (payload.then) this.wake();
    this.metrics.delivered(delivery.recipient.platform, delivery.event.kind, (now - row.createdAt) / 1000, row.connectionId);
  }

  private async retryOrFail(row: OutboxRecord, payload: OutboxPayload, error: unknown, log: Logger): Promise<void> {
    if (payload.delivery.event.kind === 'typing') {
      // A typing notice that did not go through at once would be wrong by the time it did.
      await this.store.transaction(async (repo) => {
        await repo.deleteOutbox(row.id);
        await repo.appendMetadata([{ ...payload.metadata, at: Date.now(), outcome: 'dropped' }]);
      });
      log.info({ err_message: (error as Error).message }, 'A typing notice could not be sent; dropped.');
      return;
    }
    // A timeout or a network error leaves the outcome unknown; both are retried.
    const retryable = error instanceof PlatformUnavailableError || !(error instanceof ParleyError);
    const code = error instanceof PlatformRejectedError ? `${error.code}:${error.platformCode}` : error instanceof ParleyError ? error.code : 'send_failed';

    if (retryable && row.attempts < this.settings.maxAttempts) {
      const retryAfter = error instanceof PlatformUnavailableError ? error.retryAfterMs : undefined;
      const delay = retryDelay(row.attempts, this.settings, retryAfter);
      const inDoubt = !(error instanceof ParleyError) || (error instanceof PlatformUnavailableError && error.outcomeUnknown);
      await this.store.scheduleRetry(row.id, Date.now() + delay, code, inDoubt);
      this.metrics.retried(payload.delivery.recipient.platform, code, row.connectionId);
      log.warn({ err: error, retry_in_ms: Math.round(delay) }, 'Delivery failed; retrying later.');
      return;
    }

    if (retryable) log.error({ err: error }, 'Delivery failed for good; moved to the dead letters.');
    else log.warn({ err_code: code, err_message: (error as Error).message }, 'The platform rejected the delivery; moved to the dead letters.');
    const explanation = error instanceof NotPassedOnError || error instanceof FileNotReadyError ? error.explanation : undefined;
    await this.fail(row, payload, retryable ? 'max_attempts' : code, log, explanation);
  }

  /** Moves a row to the dead letters and queues a notice to the sender, in one transaction. */
  private async fail(row: OutboxRecord, payload: OutboxPayload, reason: string, log: Logger, explanation?: string): Promise<void> {
    const now = Date.now();
    const origin = payload.origin;
    const recipient = payload.delivery.recipient;
    const name = recipient.displayName ?? recipient.email ?? 'the recipient';

    const event = payload.delivery.event;
    // An invitee whose mirror could not be made is not in the channel.
    const invitee =
      event.kind === 'channel_invite' && payload.delivery.channel?.role === 'mirror'
        ? await this.store.findUserByPlatformId(event.invitee.connectionId, event.invitee.platformUserId)
        : undefined;
    await this.store.transaction(async (repo) => {
      await repo.deadLetter(row, reason, now);
      if (invitee && payload.delivery.channel) await repo.channels.setMemberStatus(payload.delivery.channel.channelId, invitee.id, 'removed', now);
      await repo.appendMetadata([{ ...payload.metadata, at: now, outcome: 'dead_letter' }]);
      if (origin) {
        const notice = noticePayload(origin.ref, origin.userId, 'not_delivered', explanation ? `${noticeSubject[payload.delivery.event.kind] ?? 'Not delivered'} to ${name}: ${explanation}.` : notDeliveredText(name, payload, reason, row.attempts), now, payload.delivery.sessionId);
        await repo.enqueue([outboxRow(notice, now)]);
      }
    });
    this.metrics.deadLettered(recipient.platform, reason, row.connectionId);
    log.info({ reason }, 'Queued a not-delivered notice to the sender.');
    this.wake();
  }
}

/** How a notice names what did not arrive. */
const noticeSubject: Partial<Record<string, string>> = {
  file: 'Your file was not delivered',
  reaction: 'Your reaction was not passed on',
  message_edit: 'Your edit was not passed on',
  message_delete: 'Your deletion was not passed on',
};

const followUpNames: Partial<Record<string, string>> = { message_edit: 'Your edit', message_delete: 'Your deletion', reaction: 'Your reaction' };

/** Platform codes that mean the message an edit, deletion or reaction refers to is gone. */
const goneCodes = new Set(['platform_rejected:404', 'platform_rejected:message_not_found', 'platform_rejected:cant_update_message']);

/** Words the sender's notice; it names what failed and why, never the message text. */
function notDeliveredText(name: string, payload: OutboxPayload, reason: string, attempts: number): string {
  if (reason.startsWith('policy_denied')) {
    const what = payload.delivery.event.kind === 'file' ? 'Your file was not delivered' : 'Not delivered';
    return `${what} to ${name}: the federation policy no longer allows it. Ask your admin if you need this contact.`;
  }
  if (payload.delivery.event.kind === 'file') {
    return `Your file was not delivered to ${name}: it could not be passed on (${reason}) after ${attempts} attempt(s). Send it again later, or ask your admin to check the delivery log.`;
  }
  const what = followUpNames[payload.delivery.event.kind];
  if (what && goneCodes.has(reason)) {
    return `${what} was not passed on to ${name}: the message it refers to no longer exists on their platform.`;
  }
  return `Not delivered to ${name}: their platform did not accept it (${reason}) after ${attempts} attempt(s). Send it again later, or ask your admin to check the delivery log.`;
}

class TimeoutError extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number, abort?: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`Platform call timed out after ${ms} ms.`);
      abort?.abort(error);
      reject(error);
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
