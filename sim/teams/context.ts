import type { ActivityDelivery } from './delivery.js';
import type { Directory } from './directory.js';
import type { FaultInjector } from './faults.js';
import type { KeyRing } from './keys.js';
import type { RateLimiter } from './ratelimit.js';
import type { TeamsState } from './state.js';
import type { TokenService } from './tokens.js';

/** Counts of requests that tests read to check a client's caching. */
export interface RequestCounters {
  metadataRequests: number;
  jwksRequests: number;
}

/** Dependencies of every route module and user action: the model, the services and the simulator's URLs. */
export interface SimContext {
  readonly state: TeamsState;
  readonly directory: Directory;
  readonly keys: KeyRing;
  readonly tokens: TokenService;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly delivery: ActivityDelivery;
  readonly counters: RequestCounters;
  /** Largest activity JSON body in bytes that the Connector accepts. */
  readonly maxActivityBytes: number;
  /** Largest file in bytes that a user may share or the bot may upload; kept in memory. */
  readonly maxFileBytes: number;
  /** Path prefixes (without slashes) that serve the Connector routes; the first one is in activities. */
  readonly servicePaths: readonly string[];
  /** Base URL such as http://127.0.0.1:41234, known once the server listens. */
  baseUrl: string;
}

/** Returns the serviceUrl put in activities: the base URL and the first service path, with a trailing slash. */
export function serviceUrlOf(context: SimContext): string {
  return `${context.baseUrl}/${context.servicePaths[0] ?? 'amer'}/`;
}
