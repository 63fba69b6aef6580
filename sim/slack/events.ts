// Events API delivery: signed POSTs to each app's request URL, acknowledgement deadline,
// retries and the delivery log.
//
// Ordering: each app has one queue and at most one request in flight, so first attempts
// leave in the order the events were created. A failed attempt does not hold the queue: its
// retry waits on a timer (retryDelaysMs) and then joins the end of the queue. So a slow or
// broken endpoint delays later events by at most one ackTimeoutMs per attempt, and a retry
// can arrive after newer events, which real Slack does too.

import type http from 'node:http';

import { envelopesFor } from './envelopes.js';
import type { EventEnvelope } from './envelopes.js';
import { postJson } from './http-post.js';
import type { InstalledApp, StateChange } from './model.js';
import { signSlackRequest } from './signing.js';
import type { SlackState } from './state.js';

export type RetryReason = 'http_timeout' | 'http_error' | 'connection_failed';

export interface DeliveryAttempt {
  /** 0 for the first attempt, then the X-Slack-Retry-Num that was sent. */
  retryNum: number;
  /** HTTP status, absent on a timeout or connection failure. */
  status?: number;
  /** Failure reason, sent as the next retry's X-Slack-Retry-Reason; absent on success. */
  failure?: RetryReason;
  durationMs: number;
}

export type DeliveryOutcome = 'pending' | 'acknowledged' | 'failed' | 'stopped_by_no_retry' | 'cancelled';

export interface Delivery {
  eventId: string;
  appId: string;
  requestUrl: string;
  envelope: EventEnvelope;
  attempts: DeliveryAttempt[];
  outcome: DeliveryOutcome;
}

export interface DeliveryOptions {
  /** Waits before retries 1, 2 and 3; Slack uses about 0 s, 1 min and 5 min. */
  retryDelaysMs: readonly number[];
  /** Time the request URL has to answer 2xx; Slack allows 3 s. */
  ackTimeoutMs: number;
}

interface QueuedAttempt {
  delivery: Delivery;
  retryNum: number;
  reason?: RetryReason;
}

interface AppQueue {
  items: QueuedAttempt[];
  busy: boolean;
}

/** User-Agent Slack sends with Events API requests. */
const USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';

export class EventDelivery {
  private readonly log: Delivery[] = [];
  private readonly queues = new Map<string, AppQueue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private waiters: Array<() => void> = [];
  private stopped = false;

  private readonly state: SlackState;
  private readonly options: DeliveryOptions;

  constructor(state: SlackState, options: DeliveryOptions) {
    this.state = state;
    this.options = options;
    state.onChange((change) => this.handleChange(change));
  }

  deliveries(): readonly Delivery[] {
    return this.log;
  }

  /** Resolves once no delivery is pending: every one was acknowledged, gave up or was cancelled. */
  settle(): Promise<void> {
    if (this.pendingCount() === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Performs Slack's url_verification handshake and throws unless the URL returns the
   * challenge (as plain text or as JSON `{challenge}`) with a 2xx status.
   */
  async verifyRequestUrl(app: InstalledApp, url: string): Promise<void> {
    const challenge = `challenge-${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    const body = JSON.stringify({ token: app.verificationToken, challenge, type: 'url_verification' });
    const outcome = await postJson(url, body, this.signedHeaders(app, body), this.options.ackTimeoutMs, this.inFlight);

    if (outcome.kind !== 'response') {
      throw new Error(`url_verification to ${url} failed (${outcome.kind}); start the receiver before setting its URL.`);
    }
    if (outcome.status < 200 || outcome.status >= 300) {
      throw new Error(`url_verification to ${url} returned HTTP ${outcome.status}; the receiver must answer 200.`);
    }
    if (outcome.body.trim() !== challenge && readChallenge(outcome.body) !== challenge) {
      throw new Error(`url_verification to ${url} did not return the challenge; return it as text or as {"challenge": ...}.`);
    }
  }

  /** Cancels timers and in-flight requests; pending deliveries end as `cancelled`. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    for (const request of this.inFlight) {
      request.destroy();
    }
    this.inFlight.clear();

    for (const delivery of this.log) {
      if (delivery.outcome === 'pending') {
        delivery.outcome = 'cancelled';
      }
    }
    this.notifyIfSettled();
  }

  private handleChange(change: StateChange): void {
    if (this.stopped) {
      return;
    }

    for (const { app, envelope } of envelopesFor(this.state, change)) {
      const delivery: Delivery = {
        eventId: envelope.event_id,
        appId: app.appId,
        requestUrl: app.requestUrl ?? '',
        envelope,
        attempts: [],
        outcome: 'pending',
      };
      this.log.push(delivery);
      this.enqueue({ delivery, retryNum: 0 });
    }
  }

  private enqueue(item: QueuedAttempt): void {
    let queue = this.queues.get(item.delivery.appId);
    if (queue === undefined) {
      queue = { items: [], busy: false };
      this.queues.set(item.delivery.appId, queue);
    }
    queue.items.push(item);
    void this.pump(queue);
  }

  private async pump(queue: AppQueue): Promise<void> {
    if (queue.busy) {
      return;
    }

    queue.busy = true;
    try {
      let item = queue.items.shift();
      while (item !== undefined && !this.stopped) {
        await this.attempt(item);
        item = queue.items.shift();
      }
    } finally {
      queue.busy = false;
    }
  }

  private async attempt(item: QueuedAttempt): Promise<void> {
    const { delivery, retryNum } = item;
    const app = this.state.apps.get(delivery.appId);
    if (app === undefined) {
      this.finish(delivery, 'cancelled');
      return;
    }

    // Slack signs every attempt afresh, so the timestamp is the retry's own.
    const body = JSON.stringify(delivery.envelope);
    const headers = this.signedHeaders(app, body);
    if (retryNum > 0) {
      headers['x-slack-retry-num'] = String(retryNum);
      headers['x-slack-retry-reason'] = item.reason ?? 'http_error';
    }

    const started = Date.now();
    const outcome = await postJson(delivery.requestUrl, body, headers, this.options.ackTimeoutMs, this.inFlight);
    if (this.stopped) {
      return;
    }

    const attempt: DeliveryAttempt = { retryNum, durationMs: Date.now() - started };
    delivery.attempts.push(attempt);

    if (outcome.kind === 'response') {
      attempt.status = outcome.status;
      if (outcome.status >= 200 && outcome.status < 300) {
        this.finish(delivery, 'acknowledged');
        return;
      }
      attempt.failure = 'http_error';
      if (outcome.headers['x-slack-no-retry'] === '1') {
        this.finish(delivery, 'stopped_by_no_retry');
        return;
      }
    } else {
      attempt.failure = outcome.kind === 'timeout' ? 'http_timeout' : 'connection_failed';
    }

    this.scheduleRetry(delivery, retryNum, attempt.failure);
  }

  private scheduleRetry(delivery: Delivery, retryNum: number, reason: RetryReason): void {
    const delay = this.options.retryDelaysMs[retryNum];
    if (delay === undefined) {
      this.finish(delivery, 'failed');
      return;
    }

    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue({ delivery, retryNum: retryNum + 1, reason });
    }, delay);
    this.timers.add(timer);
  }

  private signedHeaders(app: InstalledApp, body: string): Record<string, string> {
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      'user-agent': USER_AGENT,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(app.signingSecret, timestamp, body),
    };
  }

  private finish(delivery: Delivery, outcome: DeliveryOutcome): void {
    delivery.outcome = outcome;
    this.notifyIfSettled();
  }

  private pendingCount(): number {
    return this.log.filter((delivery) => delivery.outcome === 'pending').length;
  }

  private notifyIfSettled(): void {
    if (this.pendingCount() > 0) {
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) {
      resolve();
    }
  }
}

function readChallenge(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { challenge?: unknown };
    return typeof parsed.challenge === 'string' ? parsed.challenge : undefined;
  } catch {
    return undefined;
  }
}
