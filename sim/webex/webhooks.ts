// Webhook delivery: one queue per webhook so each receiver gets its events in order, signed
// with X-Spark-Signature, retried a few times, and switched to `inactive` after repeated failures.
import { createHmac } from 'node:crypto';
import type { ResourceEvent, WebexState, WebhookRecord } from './state.js';
import { webhookReceives } from './webhook-match.js';

export interface WebhookRetryOptions {
  /** Extra attempts after the first failed one, per delivery. Default 2. */
  retries: number;
  /** Pause before each retry, in milliseconds. Default 250. */
  delayMs: number;
  /**
   * Deliveries in a row that may fail (after their retries) before the webhook turns inactive.
   * Default 5. NOTE: Webex publishes no number for this; the value is a guess.
   */
  maxConsecutiveFailures: number;
  /** Time allowed for one POST to the target, in milliseconds. Default 5000. */
  timeoutMs: number;
}

export const defaultWebhookRetry: WebhookRetryOptions = {
  retries: 2,
  delayMs: 250,
  maxConsecutiveFailures: 5,
  timeoutMs: 5000,
};

/** The outcome of one delivery, kept for tests and the console. */
export interface DeliveryRecord {
  webhookId: string;
  resource: string;
  event: string;
  /** Id of the message or membership the event is about. */
  dataId: string;
  attempts: number;
  ok: boolean;
  /** HTTP status of the last attempt, absent after a network error. */
  lastStatus: number | undefined;
  /** Error name of the last attempt's network failure, if any. */
  lastError: string | undefined;
}

/** Minimal logger shape, met by pino and by fastify's logger. */
export interface DeliveryLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Computes the X-Spark-Signature value: lowercase hex HMAC-SHA1 of the raw body, keyed with the secret. */
export function sparkSignature(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha1', secret).update(rawBody).digest('hex');
}

export function webhookEnvelope(webhook: WebhookRecord, event: ResourceEvent): Record<string, unknown> {
  const envelope: Record<string, unknown> = {
    id: webhook.id,
    name: webhook.name,
    targetUrl: webhook.targetUrl,
    resource: webhook.resource,
    event: event.event,
  };
  if (webhook.filter !== undefined) {
    envelope.filter = webhook.filter;
  }
  envelope.orgId = webhook.orgId;
  envelope.createdBy = webhook.ownerId;
  envelope.appId = webhook.appId;
  envelope.ownedBy = 'creator';
  envelope.status = webhook.status;
  envelope.created = webhook.created;
  envelope.actorId = event.actorId;
  envelope.data = event.data;
  return envelope;
}

export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  options: WebhookRetryOptions;

  private readonly tails = new Map<string, Promise<void>>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly state: WebexState,
    options: WebhookRetryOptions,
    private readonly log: DeliveryLogger,
  ) {
    this.options = options;
    state.onEvent((event) => this.dispatch(event));
  }

  /** Queues the event for every webhook that receives it, in webhook creation order. */
  dispatch(event: ResourceEvent): void {
    if (this.stopping.signal.aborted) {
      return;
    }
    for (const webhook of this.state.webhooks.values()) {
      if (webhookReceives(this.state, webhook, event)) {
        this.enqueue(webhook, webhookEnvelope(webhook, event), event);
      }
    }
  }

  /** Resolves once every queued delivery, including ones queued meanwhile, has finished. */
  async settle(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight]);
    }
  }

  /** Aborts pending retries and in-flight requests, then waits for the queues to drain. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.settle();
  }

  private enqueue(webhook: WebhookRecord, envelope: Record<string, unknown>, event: ResourceEvent): void {
    // The body is serialised once: the signature must cover exactly the bytes sent.
    const body = JSON.stringify(envelope);
    const previous = this.tails.get(webhook.id) ?? Promise.resolve();
    const delivery = previous.then(() => this.deliver(webhook, body, event));
    this.tails.set(webhook.id, delivery);
    this.inflight.add(delivery);
    void delivery.finally(() => {
      this.inflight.delete(delivery);
      if (this.tails.get(webhook.id) === delivery) {
        this.tails.delete(webhook.id);
      }
    });
  }

  private async deliver(webhook: WebhookRecord, body: string, event: ResourceEvent): Promise<void> {
    // A webhook deleted or deactivated while this delivery waited gets nothing more.
    if (this.state.webhooks.get(webhook.id) !== webhook || webhook.status !== 'active') {
      return;
    }

    const record: DeliveryRecord = {
      webhookId: webhook.id,
      resource: event.resource,
      event: event.event,
      dataId: String(event.data.id),
      attempts: 0,
      ok: false,
      lastStatus: undefined,
      lastError: undefined,
    };
    this.deliveries.push(record);

    for (let attempt = 0; attempt <= this.options.retries; attempt += 1) {
      if (this.stopping.signal.aborted) {
        break;
      }
      if (attempt > 0) {
        await this.pause(this.options.delayMs);
      }
      record.attempts += 1;
      record.ok = await this.post(webhook, body, record);
      if (record.ok) {
        webhook.consecutiveFailures = 0;
        return;
      }
      this.log.info({ webhookId: webhook.id, attempt: record.attempts, status: record.lastStatus }, 'Webhook delivery attempt failed.');
    }

    webhook.consecutiveFailures += 1;
    if (webhook.consecutiveFailures >= this.options.maxConsecutiveFailures && webhook.status === 'active') {
      webhook.status = 'inactive';
      this.log.warn({ webhookId: webhook.id, failures: webhook.consecutiveFailures }, 'Webhook turned inactive after repeated failed deliveries.');
    }
  }

  private async post(webhook: WebhookRecord, body: string, record: DeliveryRecord): Promise<boolean> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'parley-webex-simulator',
    };
    if (webhook.secret !== undefined && webhook.secret !== '') {
      headers['x-spark-signature'] = sparkSignature(webhook.secret, body);
    }

    try {
      const response = await fetch(webhook.targetUrl, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      record.lastStatus = response.status;
      record.lastError = undefined;
      return response.status >= 200 && response.status < 300;
    } catch (error) {
      record.lastStatus = undefined;
      record.lastError = error instanceof Error ? error.name : 'Error';
      return false;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping.signal.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      const signal = this.stopping.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
