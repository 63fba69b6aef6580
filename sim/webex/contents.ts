// Uploaded files: storing them for a message, the malware scan states that downloads report,
// and the response headers of `GET /contents/{id}`.
import { create as formatContentDisposition } from 'content-disposition';
import { WebexApiError, notFound } from './errors.js';
import { newWebexId } from './ids.js';
import type { ContentRecord, PersonRecord, ScanState, UploadScanPolicy, WebexState } from './state.js';

/**
 * Default maximum size of one uploaded file. The Webex Message Attachments guide limits each
 * file to 100MB, read here as 100 × 1024 × 1024 bytes.
 */
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

export const SCAN_STATES: readonly ScanState[] = ['scanning', 'clean', 'infected', 'unscannable'];

/** A file read from a multipart request, before it is stored. */
export interface UploadedFile {
  name: string;
  mediaType: string;
  bytes: Buffer;
}

/**
 * Stores `file` for message `messageId` with the scan outcome that `state.uploadScan` sets,
 * and returns the record. `contentsUrl` is the absolute URL of `/v1/contents`.
 */
export function storeContent(state: WebexState, messageId: string, file: UploadedFile, contentsUrl: string, now = Date.now()): ContentRecord {
  const policy = state.uploadScan;
  const id = newWebexId('CONTENT');
  const content: ContentRecord = {
    id,
    url: `${contentsUrl}/${id}`,
    messageId,
    name: file.name,
    mediaType: file.mediaType,
    bytes: file.bytes,
    scan: {
      state: policy.state,
      retryAfter: policy.retryAfter,
      cleanAt: policy.state === 'scanning' && policy.forMs !== undefined ? now + policy.forMs : undefined,
    },
  };
  state.contents.set(id, content);
  return content;
}

/** Returns the scan state of `content` at `now`, first turning a finished scan 'clean'. */
export function currentScanState(content: ContentRecord, now = Date.now()): ScanState {
  const scan = content.scan;
  if (scan.state === 'scanning' && scan.cleanAt !== undefined && now >= scan.cleanAt) {
    scan.state = 'clean';
    scan.cleanAt = undefined;
  }
  return scan.state;
}

/**
 * Builds the scan policy for `sim.scanFiles`. `forMs` applies only to 'scanning', and
 * `retryAfter` is whole seconds because `Retry-After` carries an integer.
 */
export function uploadScanPolicy(options: { state: ScanState; retryAfter?: number; forMs?: number }): UploadScanPolicy {
  if (!SCAN_STATES.includes(options.state)) {
    throw new RangeError(`Unknown scan state ${String(options.state)}; use one of ${SCAN_STATES.join(', ')}.`);
  }
  const retryAfter = checkRetryAfter(options.retryAfter ?? 1);
  const forMs = options.forMs;
  if (forMs !== undefined && (options.state !== 'scanning' || !Number.isFinite(forMs) || forMs < 0)) {
    throw new RangeError(`Invalid forMs ${forMs}: it needs state 'scanning' and a number of milliseconds of at least 0.`);
  }
  return { state: options.state, retryAfter, forMs };
}

export function checkRetryAfter(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 0) {
    throw new RangeError(`Invalid retryAfter ${seconds}: expected a whole number of seconds of at least 0.`);
  }
  return seconds;
}

/** Reads a content id from a content URL (`.../v1/contents/{id}`) or returns a bare id unchanged. */
export function contentIdFrom(urlOrId: string): string {
  if (!urlOrId.includes('/')) {
    return urlOrId;
  }
  const path = new URL(urlOrId, 'http://127.0.0.1').pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Finds a file whose message is in a room the caller belongs to; others get 404 as in Webex. */
export function visibleContent(state: WebexState, caller: PersonRecord, contentId: string): ContentRecord {
  const content = state.contents.get(contentId);
  const message = content ? state.messages.get(content.messageId) : undefined;
  if (!content || !message || !state.isMember(message.roomId, caller.id)) {
    throw notFound(`Could not find a file with content id ${contentId} in a room you are a member of.`);
  }
  return content;
}

/**
 * Throws the status Webex returns while a file is not downloadable: 423 with Retry-After
 * during the malware scan, 410 for an infected file, and 428 for a file that could not be
 * scanned. The query parameter `allow=unscannable` downloads an unscannable file anyway
 * (DownloadOptions.AllowUnscannable of the Webex Go SDK, WebexCommunity/webex-go-sdk).
 */
export function checkDownloadable(content: ContentRecord, allowUnscannable: boolean): void {
  const state = currentScanState(content);
  if (state === 'scanning') {
    const retryAfter = content.scan.retryAfter;
    throw new WebexApiError(423, `File ${content.id} is being scanned for malware. Retry after ${retryAfter} seconds.`, { retryAfter });
  }
  if (state === 'infected') {
    throw new WebexApiError(410, `File ${content.id} was found to contain malware and cannot be downloaded.`);
  }
  if (state === 'unscannable' && !allowUnscannable) {
    throw new WebexApiError(
      428,
      `File ${content.id} could not be scanned for malware. Add the query parameter allow=unscannable to download it anyway.`,
    );
  }
}

/**
 * Returns an ASCII stand-in for `name` for the plain `filename` parameter: accents are
 * dropped and other non-ASCII characters become '_'. Clients that read `filename*` get the
 * exact name.
 */
function asciiFileName(name: string): string {
  const withoutMarks = name.normalize('NFKD').replace(/\p{M}/gu, '').normalize('NFC');
  return withoutMarks.replace(/[^\x20-\x7e]/gu, '_');
}

/** Builds `Content-Disposition: attachment; filename="<ASCII>"; filename*=UTF-8''<name>`. */
export function contentDisposition(name: string): string {
  const fallback = asciiFileName(name);
  return formatContentDisposition(name, fallback === name ? undefined : { fallback });
}

/** Response headers of `GET` and `HEAD /contents/{id}`. */
export function contentHeaders(content: ContentRecord): Record<string, string> {
  return {
    'content-type': content.mediaType,
    'content-length': String(content.bytes.length),
    'content-disposition': contentDisposition(content.name),
  };
}
