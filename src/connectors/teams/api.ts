// Bot Connector calls through the official client (botframework-connector), one client per
// service URL, signed with the hub's own tokens. The client's retry and redirect policies are
// removed: the delivery worker retries with the platform's Retry-After, and a request is
// never followed to another host.

import { ConnectorClient } from 'botframework-connector';

import { PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';
import { retryAfterMs } from '../shared/http.js';
import type { TokenClient } from './token.js';

/** Statuses that Microsoft documents as retryable with back-off (bots/how-to/rate-limit.md). */
const retryable = new Set([412, 429, 502, 503, 504]);

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  response?: { headers?: { get(name: string): string | undefined | null } };
}

export class ConnectorApi {
  private readonly clients = new Map<string, ConnectorClient>();

  constructor(private readonly tokens: TokenClient) {}

  /** Calls the Connector at `serviceUrl`; errors become the hub's coded errors. */
  async call<T>(serviceUrl: string, what: string, work: (client: ConnectorClient) => Promise<T>): Promise<T> {
    try {
      return await work(this.client(serviceUrl));
    } catch (error) {
      throw this.explain(error as RestErrorLike & Error, what);
    }
  }

  private client(serviceUrl: string): ConnectorClient {
    let client = this.clients.get(serviceUrl);
    if (client) return client;
    const credentials = {
      signRequest: async <R extends { headers: { set(name: string, value: string): void } }>(request: R): Promise<R> => {
        request.headers.set('authorization', `Bearer ${await this.tokens.get()}`);
        return request;
      },
    };
    client = new ConnectorClient(credentials as unknown as ConstructorParameters<typeof ConnectorClient>[0], { baseUri: serviceUrl });
    const pipeline = (client as unknown as { client: { pipeline: { getOrderedPolicies(): Array<{ name: string }>; removePolicy(p: { name: string }): void } } }).client.pipeline;
    for (const policy of pipeline.getOrderedPolicies()) {
      if (/retry|redirect|log/i.test(policy.name)) pipeline.removePolicy({ name: policy.name });
    }
    this.clients.set(serviceUrl, client);
    return client;
  }

  private explain(error: RestErrorLike & Error, what: string): Error {
    const status = error.statusCode;
    if (status === undefined) {
      return new PlatformUnavailableError(`Teams ${what} failed: ${error.message}.`, undefined, { cause: error, outcomeUnknown: true });
    }
    if (status === 401) this.tokens.reset();
    if (retryable.has(status) || status === 401 || status >= 500) {
      const wait = retryAfterMs(error.response?.headers?.get('retry-after') ?? undefined);
      return new PlatformUnavailableError(`Teams ${what} returned ${status}.`, status === 429 ? (wait ?? 1000) : wait, {
        cause: error,
        outcomeUnknown: status !== 429 && status !== 412 && status !== 401,
      });
    }
    const code = status === 413 ? 'MessageSizeTooBig' : String(status);
    return new PlatformRejectedError(code, `Teams ${what} returned ${status}${error.code ? ` (${error.code.slice(0, 60)})` : ''}.`, { cause: error });
  }
}
