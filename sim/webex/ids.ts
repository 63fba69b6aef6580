import { randomUUID } from 'node:crypto';

/** Kinds of object that Webex ids name, as they appear inside the decoded id. */
export type WebexIdKind =
  | 'PEOPLE'
  | 'ORGANIZATION'
  | 'ROOM'
  | 'MESSAGE'
  | 'MEMBERSHIP'
  | 'WEBHOOK'
  | 'APPLICATION'
  | 'CONTENT';

/**
 * Creates an id shaped like a Webex id: unpadded base64 of `ciscospark://us/<KIND>/<uuid>`.
 * Webex uses the standard alphabet; the simulator uses the URL-safe one so that ids need no
 * escaping in paths and query strings. Node's 'base64' decoder reads both alphabets.
 */
export function newWebexId(kind: WebexIdKind): string {
  return encodeWebexId(kind, randomUUID());
}

export function encodeWebexId(kind: WebexIdKind, uuid: string): string {
  return Buffer.from(`ciscospark://us/${kind}/${uuid}`, 'utf8').toString('base64url');
}

/** Decodes an id back to its kind, or returns undefined for text that is not a Webex id. */
export function webexIdKind(id: string): string | undefined {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const match = /^ciscospark:\/\/[a-z0-9]+\/([A-Z_]+)\//.exec(decoded);
  return match?.[1];
}

/** Creates an opaque access token. Real tokens are long random strings with an org suffix. */
export function newAccessToken(): string {
  return `${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}_SIM_${randomUUID()}`;
}

/** Creates a tracking id in the form Webex returns in the `trackingid` header and error bodies. */
export function newTrackingId(): string {
  return `ROUTER_${randomUUID().toUpperCase()}`;
}
