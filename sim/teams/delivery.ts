// Delivery of activities to the bot's messaging endpoint: a POST with a Bot Framework JWT,
// the 15 s response deadline after which Teams sends the same activity again, and the log of
// every attempt.
//
// Ordering: in each conversation an activity's first attempt starts once the previous
// activity's first attempt got its response or timed out, so activities arrive in the order
// people acted. Resends do not hold the queue.
// NOTE: Teams itself does not wait for the bot before sending the next activity; a bot must
// not rely on this ordering.
import http from 'node:http';
import https from 'node:https';
import type { Directory } from './directory.js';
import type { InboundActivity } from './inbound.js';
import type { KeyRing } from './keys.js';

/** Issuer of the tokens the Bot Framework sends with activities. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** User-Agent of the Bot Framework Connector service's requests to bots. */
const USER_AGENT = 'Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)';

/** Caps the response body kept for invoke responses. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export type DeliveryFailure = 'timeout' | 'connection_failed' | 'no_endpoint';

export interface DeliveryAttempt {
  /** 1 for the first attempt, 2 for the first resend. */
  attempt: number;
  startedAt: string;
  durationMs: number;
  /** HTTP status, absent on a timeout or connection failure. */
  status?: number;
  failure?: DeliveryFailure;
}

/**
 * `delivered`: the bot responded 2xx. `rejected`: it responded with another status.
 * `timed_out`: no response within the deadline, resends included. `failed`: no connection or
 * no endpoint. `cancelled`: the simulator closed first.
 */
export type DeliveryOutcome = 'pending' | 'delivered' | 'rejected' | 'timed_out' | 'failed' | 'cancelled';

export interface Delivery {
  activityId: string;
  activityType: string;
  /** The invoke name, such as `fileConsent/invoke`. */
  name?: string;
  conversationId: string;
  activity: InboundActivity;
  attempts: DeliveryAttempt[];
  outcome: DeliveryOutcome;
  /** The bot's last response: the invoke response for invoke activities. */
  response?: { status: number; body: unknown };
}

/** Minimal logger shape, met by pino. */
export interface DeliveryLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: DeliveryLogger = { info: () => undefined, warn: () => undefined };

export interface DeliveryOptions {
  /** Time in ms the bot has to respond before the activity is sent again; Teams uses 15 s. */
  resendAfterMs: number;
  /** Resends after timeouts; Teams sends an activity again once. */
  maxResends: number;
}

type AttemptResult =
  | { kind: 'response'; status: number; body: string; contentType: string }
  | { kind: DeliveryFailure };

function parseBody(body: string, contentType: string): unknown {
  if (body === '') {
    return undefined;
  }
  if (!/json/i.test(contentType)) {
    return body;
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

export class ActivityDelivery {
  private readonly log: Delivery[] = [];
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<Delivery>>();
  private readonly inFlight = new Set<http.ClientRequest>();
  private stopped = false;

  constructor(
    private readonly keys: KeyRing,
    private readonly directory: Directory,
    readonly options: DeliveryOptions,
    private readonly logger: DeliveryLogger = silentLogger,
  ) {}

  deliveries(): Delivery[] {
    return this.log;
  }

  /** Queues an activity for the bot and returns its log entry and a promise of its final state. */
  send(activity: InboundActivity): { delivery: Delivery; done: Promise<Delivery> } {
    const delivery: Delivery = {
      activityId: activity.id,
      activityType: activity.type,
      ...(typeof activity.name === 'string' ? { name: activity.name } : {}),
      conversationId: activity.conversation.id,
      activity,
      attempts: [],
      outcome: 'pending',
    };
    this.log.push(delivery);

    const conversationId = activity.conversation.id;
    const previous = this.tails.get(conversationId) ?? Promise.resolve();
    const first = previous.then(() => this.attempt(delivery, 1));
    this.tails.set(
      conversationId,
      first.then(
        () => undefined,
        () => undefined,
      ),
    );

    const done = first.then((result) => this.resendWhileTimedOut(delivery, result));
    this.running.add(done);
    done
      .finally(() => this.running.delete(done))
      .catch((error: unknown) => console.error('Teams simulator delivery failed', error));
    return { delivery, done };
  }

  /** Resolves once every queued delivery, with its resends, has finished. */
  async settle(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.allSettled([...this.running]);
    }
  }

  /** Aborts requests in flight; pending deliveries end as `cancelled`. */
  stop(): void {
    this.stopped = true;
    for (const request of this.inFlight) {
      request.destroy();
    }
    this.inFlight.clear();
    for (const delivery of this.log) {
      if (delivery.outcome === 'pending') {
        delivery.outcome = 'cancelled';
      }
    }
  }

  private async resendWhileTimedOut(delivery: Delivery, first: AttemptResult): Promise<Delivery> {
    let result = first;
    let attempt = 1;
    while (result.kind === 'timeout' && attempt <= this.options.maxResends && !this.stopped) {
      attempt += 1;
      this.logger.info(this.logFields(delivery, attempt), 'Bot did not respond in time; sending the activity again.');
      result = await this.attempt(delivery, attempt);
    }

    if (this.stopped) {
      delivery.outcome = 'cancelled';
    } else if (result.kind === 'response') {
      delivery.outcome = result.status >= 200 && result.status < 300 ? 'delivered' : 'rejected';
      delivery.response = { status: result.status, body: parseBody(result.body, result.contentType) };
    } else {
      delivery.outcome = result.kind === 'timeout' ? 'timed_out' : 'failed';
    }

    if (delivery.outcome !== 'delivered' && delivery.outcome !== 'cancelled') {
      const status = result.kind === 'response' ? result.status : undefined;
      this.logger.warn({ ...this.logFields(delivery, attempt), outcome: delivery.outcome, status }, 'Delivery to the bot failed.');
    }
    return delivery;
  }

  private logFields(delivery: Delivery, attempt: number): Record<string, unknown> {
    return { activity_id: delivery.activityId, activity_type: delivery.activityType, conversation_id: delivery.conversationId, attempt };
  }

  private async attempt(delivery: Delivery, attempt: number): Promise<AttemptResult> {
    if (this.stopped) {
      return { kind: 'connection_failed' };
    }
    const started = Date.now();
    const record: DeliveryAttempt = { attempt, startedAt: new Date(started).toISOString(), durationMs: 0 };
    delivery.attempts.push(record);

    const endpoint = this.directory.bot.messagingEndpoint;
    let result: AttemptResult;
    if (endpoint === undefined) {
      result = { kind: 'no_endpoint' };
    } else {
      // Each attempt carries a freshly signed token, as a resend is a new request.
      const token = await this.signActivityToken(delivery.activity.serviceUrl);
      result = await this.post(endpoint, JSON.stringify(delivery.activity), token);
    }

    record.durationMs = Date.now() - started;
    if (result.kind === 'response') {
      record.status = result.status;
    } else {
      record.failure = result.kind;
    }
    return result;
  }

  /** Signs the token Teams sends with an activity: Bot Framework issuer, the bot as audience, the serviceurl claim. */
  signActivityToken(serviceUrl: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.keys.sign({
      serviceurl: serviceUrl,
      nbf: now - 300,
      exp: now + 3600,
      iss: BOT_FRAMEWORK_ISSUER,
      aud: this.directory.bot.appId,
    });
  }

  // Each request uses its own connection (agent: false), so no idle socket outlives the simulator.
  private post(url: string, body: string, token: string): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          this.inFlight.delete(request);
          resolve(result);
        }
      };

      const client = url.startsWith('https:') ? https : http;
      const request = client.request(url, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'user-agent': USER_AGENT,
        },
      });
      this.inFlight.add(request);

      const timer = setTimeout(() => {
        finish({ kind: 'timeout' });
        request.destroy();
      }, this.options.resendAfterMs);

      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) {
            chunks.push(chunk);
          }
        });
        response.on('end', () => {
          finish({
            kind: 'response',
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: response.headers['content-type'] ?? '',
          });
        });
        response.on('error', () => finish({ kind: 'connection_failed' }));
      });
      request.on('error', () => finish({ kind: 'connection_failed' }));
      request.end(body);
    });
  }
}
