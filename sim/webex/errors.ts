/**
 * An error that the simulated API returns to the caller. Every route throws these, and the
 * server turns them into the Webex error body `{message, errors: [{description}], trackingId}`.
 */
export class WebexApiError extends Error {
  readonly status: number;
  /** Seconds for the `Retry-After` header, set on 429 and on injected faults that ask for it. */
  readonly retryAfter: number | undefined;

  constructor(status: number, message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'WebexApiError';
    this.status = status;
    this.retryAfter = options.retryAfter;
  }
}

export interface WebexErrorBody {
  message: string;
  errors: { description: string }[];
  trackingId: string;
}

export function errorBody(message: string, trackingId: string): WebexErrorBody {
  return { message, errors: [{ description: message }], trackingId };
}

export const badRequest = (message: string): WebexApiError => new WebexApiError(400, message);
export const unauthorized = (message: string): WebexApiError => new WebexApiError(401, message);
export const forbidden = (message: string): WebexApiError => new WebexApiError(403, message);
export const notFound = (message: string): WebexApiError => new WebexApiError(404, message);
export const conflict = (message: string): WebexApiError => new WebexApiError(409, message);

/** Thrown by the programmatic API (`sim.actAs(...)`) when the simulated API answers with an error. */
export class WebexRequestError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(method: string, path: string, status: number, body: unknown) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : 'no error body';
    super(`${method} ${path} failed with HTTP ${status}: ${message}`);
    this.name = 'WebexRequestError';
    this.status = status;
    this.body = body;
  }
}
