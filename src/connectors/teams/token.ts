// The bot's own access tokens for the Bot Connector service: OAuth 2.0 client credentials,
// cached until shortly before they expire, with one request in flight at a time.

import { PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';
import { retryAfterMs } from '../shared/http.js';

/** The scope of Bot Connector tokens. */
export const connectorScope = 'https://api.botframework.com/.default';
/** A token is renewed this long before it expires. */
const renewBeforeMs = 5 * 60 * 1000;
const requestTimeoutMs = 15_000;

export class TokenClient {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly settings: { tokenUrl: string; appId: string; appPassword: string },
  ) {}

  /** Returns a token valid for at least five more minutes. */
  async get(): Promise<string> {
    if (this.token && this.token.expiresAt - renewBeforeMs > Date.now()) return this.token.value;
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the cached token, after the Connector refused it. */
  reset(): void {
    this.token = undefined;
  }

  private async request(): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.settings.appId,
      client_secret: this.settings.appPassword,
      scope: connectorScope,
    });
    let response: Response;
    try {
      response = await fetch(this.settings.tokenUrl, { method: 'POST', body, redirect: 'error', signal: AbortSignal.timeout(requestTimeoutMs) });
    } catch (error) {
      throw new PlatformUnavailableError(`Teams token request failed: ${(error as Error).message}.`, undefined, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new PlatformUnavailableError(`Teams token endpoint returned ${response.status}.`, retryAfterMs(response.headers.get('retry-after')));
    }
    const answer = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof answer.access_token !== 'string') {
      // The error code (invalid_client, unauthorized_client) names the problem; the description may echo the request, so it is left out.
      const code = typeof answer.error === 'string' ? answer.error.slice(0, 40) : String(response.status);
      throw new PlatformRejectedError(code, `Teams token endpoint rejected the app credentials (${code}); check teams.appId and teams.appPassword.`);
    }
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : Number(answer.expires_in ?? 3600);
    this.token = { value: answer.access_token, expiresAt: Date.now() + (Number.isFinite(lifetime) ? lifetime : 3600) * 1000 };
    return answer.access_token;
  }
}
