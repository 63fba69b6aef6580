// Rate limiting per access token and injected faults, both checked before a route runs.
import { WebexApiError } from './errors.js';

export interface RateLimit {
  /** Requests allowed per access token in one window. */
  requests: number;
  /** Window length in milliseconds; the count restarts when a window ends. */
  windowMs: number;
}

/** A failure that the next matching requests get instead of their normal response. */
export interface FaultSpec {
  /** HTTP method to match, such as 'POST'; any method when absent. */
  method?: string;
  /** Start of the request path, such as '/v1/messages' or '/messages' ('/v1' is implied). */
  pathPrefix: string;
  /** HTTP status of the failure; ignored with `loseResponse`. */
  status?: number;
  /** Seconds for a `Retry-After` header. */
  retryAfter?: number;
  /** How many requests fail; default 1. */
  times?: number;
  /** Error message in the body; a generic one by status when absent. */
  message?: string;
  /**
   * The request takes effect, then the connection drops before the response, as when a
   * network path fails mid-call.
   */
  loseResponse?: boolean;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

interface Window {
  start: number;
  count: number;
}

const defaultFaultMessages: Record<number, string> = {
  429: 'Too many requests have been sent in a given amount of time.',
  500: 'Internal server error (injected by the simulator).',
  502: 'Bad gateway (injected by the simulator).',
  503: 'Service unavailable (injected by the simulator).',
};

export class TrafficControl {
  private rateLimit: RateLimit | undefined;
  private readonly windows = new Map<string, Window>();
  private readonly faults: ActiveFault[] = [];

  constructor(rateLimit: RateLimit | undefined) {
    this.setRateLimit(rateLimit);
  }

  setRateLimit(rateLimit: RateLimit | undefined): void {
    if (rateLimit && (!(rateLimit.requests >= 1) || !(rateLimit.windowMs >= 1))) {
      throw new RangeError(`Invalid rate limit ${JSON.stringify(rateLimit)}: requests and windowMs must be at least 1.`);
    }
    this.rateLimit = rateLimit;
    this.windows.clear();
  }

  failNext(fault: FaultSpec): void {
    if (!fault.loseResponse && fault.status === undefined) {
      throw new RangeError(`Fault for ${fault.pathPrefix} needs a status, or loseResponse: true.`);
    }
    const pathPrefix = fault.pathPrefix.startsWith('/v1') ? fault.pathPrefix : `/v1${fault.pathPrefix}`;
    this.faults.push({ ...fault, pathPrefix, remaining: fault.times ?? 1 });
  }

  /**
   * Throws the first matching injected fault, using it up. Returns 'lose-response' when the
   * request should run and its connection then drop.
   */
  checkFaults(method: string, path: string): 'lose-response' | undefined {
    const index = this.faults.findIndex(
      (f) => path.startsWith(f.pathPrefix) && (f.method === undefined || f.method.toUpperCase() === method),
    );
    const fault = index < 0 ? undefined : this.faults[index];
    if (!fault) {
      return undefined;
    }

    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      this.faults.splice(index, 1);
    }
    if (fault.loseResponse) {
      return 'lose-response';
    }
    const status = fault.status ?? 500;
    const message = fault.message ?? defaultFaultMessages[status] ?? `Request failed with status ${status} (injected by the simulator).`;
    throw new WebexApiError(status, message, fault.retryAfter === undefined ? {} : { retryAfter: fault.retryAfter });
  }

  /** Counts one request for `token` and throws 429 with Retry-After once the window's quota is spent. */
  checkRate(token: string, now = Date.now()): void {
    const limit = this.rateLimit;
    if (!limit) {
      return;
    }

    let window = this.windows.get(token);
    if (!window || now - window.start >= limit.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(token, window);
    }
    window.count += 1;
    if (window.count > limit.requests) {
      const retryAfter = Math.max(1, Math.ceil((window.start + limit.windowMs - now) / 1000));
      throw new WebexApiError(429, `Too many requests: this access token may send ${limit.requests} requests per ${limit.windowMs} ms. Retry after ${retryAfter} s.`, { retryAfter });
    }
  }
}
