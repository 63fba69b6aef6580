// Authentication of the activities the Bot Framework sends to the bot. Every request carries
// a JWT that must be signed by a key from the Bot Framework's OpenID metadata, be meant for
// this bot, be current, come from a key endorsed for the activity's channel, and name the
// activity's service URL. Source: botbuilder-dotnet ChannelValidation.cs and
// JwtTokenExtractor.cs, as summarised in the Bot Framework authentication docs.

import { decodeProtectedHeader, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';

import { PlatformUnavailableError, SignatureInvalidError } from '../../core/errors.js';

/** The issuer of tokens the Bot Framework channel service signs. */
export const botFrameworkIssuer = 'https://api.botframework.com';

const algorithms = ['RS256', 'RS384', 'RS512'];
/** Clock skew the Bot Framework SDKs allow on token lifetimes. */
const clockToleranceSeconds = 300;
/** Keys are read again after this long, as the SDKs do (once a day). */
const keysMaxAgeMs = 24 * 60 * 60 * 1000;
/** An unknown key id reads the keys again at most this often, so forged ids cannot flood the metadata service. */
const refreshMinIntervalMs = 60 * 1000;
const fetchTimeoutMs = 10_000;
/** After a read of the keys fails or finds none, the next read waits this long. */
const failedReadPauseMs = 10_000;
const maxDocumentBytes = 256 * 1024;

interface CachedKey {
  jwk: JWK;
  endorsements: string[];
  imported: Map<string, Awaited<ReturnType<typeof importJWK>>>;
}

export interface ActivityAuthSettings {
  /** The bot's Microsoft app id: the audience tokens must name. */
  appId: string;
  /** The OpenID metadata document that names the signing keys. */
  openIdMetadataUrl: string;
  /** The only channel whose activities are accepted, `msteams`. */
  channelId: string;
}

export class ActivityAuthenticator {
  private keys = new Map<string, CachedKey>();
  private loadedAt = 0;
  private unknownReadAt = 0;
  private attemptedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(private readonly settings: ActivityAuthSettings) {}

  /**
   * Checks the `Authorization` header of an activity and returns the token's claims. Throws
   * SignatureInvalidError (401) for any token that does not pass, and PlatformUnavailableError
   * when the signing keys cannot be read.
   */
  async verify(authorization: string | undefined, activity: { channelId?: unknown; serviceUrl?: unknown }): Promise<JWTPayload> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '');
    if (!match) throw new SignatureInvalidError('Teams activity has no Bearer token in its Authorization header.');
    const token = match[1]!;

    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new SignatureInvalidError('Teams activity token has an unreadable header.');
    }
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
      throw new SignatureInvalidError(`Teams activity token uses the algorithm ${String(header.alg).slice(0, 20)}; only ${algorithms.join(', ')} are accepted.`);
    }
    if (typeof header.kid !== 'string' || header.kid === '') throw new SignatureInvalidError('Teams activity token names no key id.');

    const key = await this.key(header.kid);
    if (!key) throw new SignatureInvalidError('Teams activity token is signed with a key the Bot Framework does not publish.');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.imported(key, header.alg), {
        issuer: botFrameworkIssuer,
        audience: this.settings.appId,
        algorithms,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw new SignatureInvalidError(`Teams activity token was rejected: ${(error as Error).message.slice(0, 120)}.`);
    }

    const channel = typeof activity.channelId === 'string' ? activity.channelId : '';
    // Keys are shared with other channels (Web Chat, Direct Line); this endpoint serves one.
    if (channel !== this.settings.channelId) {
      throw new SignatureInvalidError(`Teams activity names the channel ${JSON.stringify(channel.slice(0, 40))}; this endpoint takes only ${this.settings.channelId}.`);
    }
    if (!key.endorsements.includes(channel)) {
      throw new SignatureInvalidError(`Teams activity token's key is not endorsed for the channel ${JSON.stringify(channel.slice(0, 40))}.`);
    }
    if (typeof payload.serviceurl !== 'string' || payload.serviceurl !== activity.serviceUrl) {
      throw new SignatureInvalidError("Teams activity token's serviceurl claim does not match the activity's serviceUrl.");
    }
    return payload;
  }

  private async key(kid: string): Promise<CachedKey | undefined> {
    const now = Date.now();
    if (this.keys.size === 0 || now - this.loadedAt > keysMaxAgeMs) {
      // Reads that fail are not repeated for every request; cached keys serve while the service is down.
      if (this.loading) {
        // A read is under way: wait for it rather than count it as a failure.
        await this.loading.catch(() => undefined);
        if (this.keys.size === 0) throw new PlatformUnavailableError('The Bot Framework signing keys could not be read; retrying shortly.', failedReadPauseMs);
      } else if (now - this.attemptedAt < failedReadPauseMs) {
        if (this.keys.size === 0) throw new PlatformUnavailableError('The Bot Framework signing keys could not be read; retrying shortly.', failedReadPauseMs);
      } else {
        try {
          await this.load();
        } catch (error) {
          if (this.keys.size === 0) throw error;
        }
      }
    }
    const known = this.keys.get(kid);
    if (known) return known;
    // A key the cache does not have may be new: read the keys again, but for unknown ids not
    // more than once a minute.
    if (now - this.unknownReadAt >= refreshMinIntervalMs) {
      this.unknownReadAt = now;
      await this.load();
    }
    return this.keys.get(kid);
  }

  private async imported(key: CachedKey, alg: string) {
    let imported = key.imported.get(alg);
    if (!imported) {
      imported = await importJWK({ ...key.jwk, alg }, alg);
      key.imported.set(alg, imported);
    }
    return imported;
  }

  /** Reads the metadata and its key set; concurrent callers share one read. */
  private load(): Promise<void> {
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<void> {
    this.attemptedAt = Date.now();
    const metadata = (await fetchJson(this.settings.openIdMetadataUrl, 'Bot Framework OpenID metadata')) as { jwks_uri?: unknown };
    if (typeof metadata.jwks_uri !== 'string' || !/^https?:\/\//.test(metadata.jwks_uri)) {
      throw new PlatformUnavailableError('Bot Framework OpenID metadata has no jwks_uri.');
    }
    const set = (await fetchJson(metadata.jwks_uri, 'Bot Framework signing keys')) as { keys?: unknown };
    const keys = new Map<string, CachedKey>();
    for (const entry of Array.isArray(set.keys) ? set.keys : []) {
      const jwk = entry as JWK & { endorsements?: unknown };
      if (typeof jwk.kid !== 'string' || jwk.kty !== 'RSA') continue;
      const endorsements = Array.isArray(jwk.endorsements) ? jwk.endorsements.filter((e): e is string => typeof e === 'string') : [];
      const { endorsements: _dropped, ...plain } = jwk;
      keys.set(jwk.kid, { jwk: plain, endorsements, imported: new Map() });
    }
    this.keys = keys;
    this.loadedAt = Date.now();
  }
}

async function fetchJson(url: string, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(fetchTimeoutMs) });
  } catch (error) {
    throw new PlatformUnavailableError(`Reading the ${what} failed: ${(error as Error).message}.`, undefined, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new PlatformUnavailableError(`Reading the ${what} returned ${response.status}.`);
  }
  const text = await response.text();
  if (text.length > maxDocumentBytes) throw new PlatformUnavailableError(`The ${what} is larger than ${maxDocumentBytes} bytes.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PlatformUnavailableError(`The ${what} is not JSON.`);
  }
}
