// Fault injection for Web API calls: the next calls of a method fail as configured,
// before authentication and rate limiting are checked.

export interface FaultSpec {
  /** Web API method name such as `chat.postMessage`; `*` matches every method. */
  method: string;
  /** HTTP status of the response; 429 adds Retry-After. Defaults to 200 with `error`, or 429 without it. */
  status?: number;
  /** Slack error code of an HTTP 200 `{ok: false}` response. */
  error?: string;
  /** Retry-After seconds on a 429; default 1. */
  retryAfter?: number;
  /** Number of calls that fail; default 1. */
  times?: number;
  /**
   * The call takes effect, then the connection drops before the response, as when a
   * network path fails mid-call. `status`, `error` and `retryAfter` are ignored.
   */
  loseResponse?: boolean;
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Run the call, then drop the connection instead of answering. */
  loseResponse?: boolean;
}

export class FaultInjector {
  private faults: Array<FaultSpec & { remaining: number }> = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`failNext times must be a positive integer, got ${String(spec.times)}.`);
    }
    this.faults.push({ ...spec, remaining: times });
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes the first fault matching `method` and returns the response to send, if any. */
  take(method: string): FaultResponse | undefined {
    const fault = this.faults.find((f) => f.method === method || f.method === '*');
    if (fault === undefined) {
      return undefined;
    }

    fault.remaining -= 1;
    if (fault.remaining === 0) {
      this.faults = this.faults.filter((f) => f !== fault);
    }

    if (fault.loseResponse === true) {
      return { status: 200, headers: {}, body: {}, loseResponse: true };
    }
    const status = fault.status ?? (fault.error !== undefined ? 200 : 429);
    if (status === 429) {
      const retryAfter = String(fault.retryAfter ?? 1);
      return { status, headers: { 'retry-after': retryAfter }, body: { ok: false, error: 'ratelimited' } };
    }
    return { status, headers: {}, body: { ok: false, error: fault.error ?? 'internal_error' } };
  }
}
