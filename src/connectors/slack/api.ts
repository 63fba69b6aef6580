// The Slack Web API through the official SDK, with its errors mapped to the hub's coded
// errors. Retries are the delivery worker's job, so the SDK's own retries are off.

import { ErrorCode, WebClient, type WebAPICallResult } from '@slack/web-api';

import { PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';

export function slackClient(apiUrl: string, token: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

/** Runs one Web API call and converts a failure into a coded error. */
export async function slackCall<T extends WebAPICallResult>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const coded = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
    switch (coded.code) {
      case ErrorCode.RateLimitedError:
        throw new PlatformUnavailableError(`Slack ${method} was rate limited.`, (coded.retryAfter ?? 1) * 1000, { cause: error });
      case ErrorCode.PlatformError: {
        const slackError = coded.data?.error ?? 'unknown_error';
        if (['service_unavailable', 'ratelimited'].includes(slackError)) {
          throw new PlatformUnavailableError(`Slack ${method} returned ${slackError}.`, undefined, { cause: error });
        }
        // Slack documents that part of a call may have taken effect before these errors.
        if (['internal_error', 'fatal_error', 'request_timeout'].includes(slackError)) {
          throw new PlatformUnavailableError(`Slack ${method} returned ${slackError}.`, undefined, { cause: error, outcomeUnknown: true });
        }
        throw new PlatformRejectedError(slackError, `Slack ${method} returned ${slackError}.`, { cause: error });
      }
      case ErrorCode.HTTPError:
        if ((coded.statusCode ?? 500) >= 500) {
          const outcomeUnknown = coded.statusCode !== 503;
          throw new PlatformUnavailableError(`Slack ${method} returned HTTP ${coded.statusCode}.`, undefined, { cause: error, outcomeUnknown });
        }
        throw new PlatformRejectedError(String(coded.statusCode), `Slack ${method} returned HTTP ${coded.statusCode}.`, { cause: error });
      default:
        throw new PlatformUnavailableError(`Slack ${method} failed: ${(error as Error).message}.`, undefined, { cause: error, outcomeUnknown: true });
    }
  }
}
