/**
 * A Web API error. The server renders it as HTTP 200 `{ok: false, error: code, ...extra}`,
 * which is how Slack reports every failure except rate limiting.
 */
export class SlackApiError extends Error {
  readonly code: string;
  readonly extra: Record<string, unknown>;

  constructor(code: string, extra: Record<string, unknown> = {}) {
    super(`Slack API error: ${code}`);
    this.name = 'SlackApiError';
    this.code = code;
    this.extra = extra;
  }
}
