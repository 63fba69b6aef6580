// File transfer over HTTP for the connectors: streamed downloads and uploads whose HTTP
// statuses become the hub's errors, and a streamed multipart/form-data body.

import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress, type LookupOptions } from 'node:dns';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import contentDisposition from 'content-disposition';

import type { FileContent } from '../../core/connector.js';
import { FileNotDeliverableError, PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';
import { retryAfterMs } from './http.js';

export interface Download {
  body: Readable;
  mediaType: string;
  size?: number;
  name?: string;
}

/**
 * GETs a file and returns its body as a stream, with the name, type and size its headers
 * give. 429 and 5xx are retryable, and 404 and 410 mean the file is gone. `where` names the platform call in
 * errors and never carries the URL, which may hold a capability.
 */
export async function download(
  url: string,
  init: {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    where: string;
    redirect?: 'error' | 'follow';
    /** The platform's own meaning of a status, checked before the general rules. */
    explain?: (response: Response) => Error | undefined;
  },
): Promise<Download> {
  let response: Response;
  try {
    // Identity encoding: a compressed body's Content-Length is not the file's size.
    response = await fetch(url, {
      headers: { ...init.headers, 'accept-encoding': 'identity' },
      redirect: init.redirect ?? 'error',
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    throw new PlatformUnavailableError(`${init.where} failed: ${(error as Error).message}.`, undefined, { cause: error });
  }
  const explained = init.explain?.(response);
  if (explained) {
    await response.body?.cancel();
    throw explained;
  }
  if (response.status === 429 || response.status >= 500) {
    await response.body?.cancel();
    const wait = retryAfterMs(response.headers.get('retry-after'));
    throw new PlatformUnavailableError(`${init.where} returned ${response.status}.`, response.status === 429 ? (wait ?? 1000) : wait);
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    throw new FileNotDeliverableError(`file_${response.status}`, 'it was deleted before it could be passed on');
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new PlatformRejectedError(String(response.status), `${init.where} returned ${response.status}.`);
  }
  const length = response.headers.get('content-length');
  const encoding = (response.headers.get('content-encoding') ?? 'identity').toLowerCase();
  // fetch decodes a compressed body, so its Content-Length is then the compressed size.
  const size = length !== null && /^\d+$/.test(length) && encoding === 'identity' ? Number(length) : undefined;
  return {
    body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    mediaType: (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(),
    ...(size !== undefined ? { size } : {}),
    ...nameFrom(response.headers.get('content-disposition')),
  };
}

/** Reads the file name of a Content-Disposition header, preferring the UTF-8 `filename*`. */
function nameFrom(header: string | null): { name?: string } {
  if (!header) return {};
  try {
    const name = contentDisposition.parse(header).parameters.filename;
    return name ? { name } : {};
  } catch {
    return {};
  }
}

/**
 * Quotes a form-data parameter as a quoted-string: UTF-8 as it is, with backslash and quote
 * escaped. (RFC 7578 suggests percent-encoding a quote, which common parsers such as busboy
 * keep as the literal text "%22"; the escaped form reaches them intact.)
 */
function formQuote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`;
}

/**
 * Builds a multipart/form-data body with text fields and one file, streamed: the file's bytes are
 * passed through as they arrive. The file part names the file both ways, raw UTF-8 in
 * `filename` as browsers send it and RFC 5987 `filename*`, so a server that reads either
 * gets the exact name.
 */
export function multipartBody(fields: Array<[string, string]>, fileField: string, file: FileContent): { contentType: string; body: AsyncIterable<Uint8Array> } {
  const boundary = `parley-${randomBytes(16).toString('hex')}`;
  async function* parts(): AsyncIterable<Uint8Array> {
    for (const [name, value] of fields) {
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=${formQuote(name)}\r\n\r\n${value}\r\n`);
    }
    const encoded = encodeURIComponent(file.name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name=${formQuote(fileField)}; filename=${formQuote(file.name)}; filename*=UTF-8''${encoded}\r\n` +
        `Content-Type: ${file.mediaType}\r\n\r\n`,
    );
    for await (const chunk of file.body) yield chunk as Uint8Array;
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: parts() };
}

/** Address ranges a download from a URL a user sent must not reach, unless allowed. */
const privateRanges = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 3],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    // Unspecified, loopback and IPv4-compatible (::a.b.c.d) addresses.
    ['::', 96],
    ['::ffff:0:0:0', 96],
    ['64:ff9b::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001:db8::', 32],
    ['2002::', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries. (A BlockList checks
  // IPv4 addresses against IPv6 rules in mapped form, so no rule covers ::ffff:0:0/96 whole.)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return privateRanges.check(mapped, 'ipv4');
  if (family === 6 && /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(address)) {
    const [high, low] = address.slice(7).split(':').map((h) => parseInt(h, 16)) as [number, number];
    return privateRanges.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Resolves a name as dns.lookup does, dropping private, loopback and link-local addresses, so that a URL from a
 * chat message cannot make the hub fetch from its own network. The check happens at connect
 * time, on the addresses actually used.
 */
function publicLookup(hostname: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const allowed = addresses.filter((a) => !isPrivateAddress(a.address));
    if (allowed.length === 0) {
      return callback(Object.assign(new Error(`${hostname} resolves only to private or loopback addresses`), { code: 'EADDRNOTAVAIL' }), []);
    }
    if (options.all) return callback(null, allowed);
    callback(null, allowed[0]!.address, allowed[0]!.family);
  });
}

/**
 * GETs a file from a URL someone sent in a chat (an XMPP upload link). Only http and https,
 * no redirects, and no private or loopback address unless `allowPrivate` is set (for a test
 * or a sandbox on one machine).
 */
export async function downloadFromUserUrl(url: string, init: { allowPrivate: boolean; signal?: AbortSignal; where: string; timeoutMs?: number }): Promise<Download> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password) {
    throw new FileNotDeliverableError('file_url_invalid', 'its link is not a plain http or https address');
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!init.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    throw new FileNotDeliverableError('file_url_private', 'its link points into a private network, which Parley does not fetch from');
  }
  const get = parsed.protocol === 'https:' ? httpsGet : httpGet;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = get(
      parsed,
      {
        headers: { 'accept-encoding': 'identity' },
        ...(init.allowPrivate ? {} : { lookup: publicLookup }),
        ...(init.signal ? { signal: init.signal } : {}),
        timeout: init.timeoutMs ?? 30_000,
      },
      resolve,
    );
    request.once('timeout', () => request.destroy(new Error('timed out waiting for a response')));
    request.once('error', reject);
  }).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'EADDRNOTAVAIL') {
      throw new FileNotDeliverableError('file_url_private', 'its link points into a private network, which Parley does not fetch from');
    }
    // The code, not the message: a DNS error's message names the link's host.
    throw new PlatformUnavailableError(`${init.where} failed: ${(error as NodeJS.ErrnoException).code ?? 'network error'}.`, undefined, { cause: error });
  });
  const status = response.statusCode ?? 0;
  if (status === 429 || status >= 500) {
    response.destroy();
    throw new PlatformUnavailableError(`${init.where} returned ${status}.`, retryAfterMs(response.headers['retry-after']));
  }
  if (status === 404 || status === 410) {
    response.destroy();
    throw new FileNotDeliverableError(`file_${status}`, 'it was deleted before it could be passed on');
  }
  if (status < 200 || status >= 300) {
    response.destroy();
    throw new PlatformRejectedError(String(status), `${init.where} returned ${status}.`);
  }
  const length = response.headers['content-length'];
  // node:http does not decode compressed bodies; a compressed one is refused, since its bytes are not the file.
  const encoding = (response.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    response.destroy();
    throw new FileNotDeliverableError('file_encoding', `its server sent it compressed (${encoding.slice(0, 20)}) although it was asked not to`);
  }
  const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
  return {
    body: response,
    mediaType: (response.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim(),
    ...(size !== undefined ? { size } : {}),
    ...nameFrom(response.headers['content-disposition'] ?? null),
  };
}

/**
 * Refuses an http(s) URL whose host is, or resolves to, a private, loopback or link-local
 * address, unless `allowPrivate` is set. For uploads to a URL a remote service chose.
 * NOTE: the name is resolved here and again when fetch connects, so a DNS answer that changes
 * in between is not caught. Downloads use publicLookup, which has no such gap.
 */
export async function assertPublicUrl(url: string, allowPrivate: boolean, what: string): Promise<void> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password) {
    throw new FileNotDeliverableError('file_url_invalid', `${what} is not a plain http or https address`);
  }
  if (allowPrivate) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [host] : (await dnsPromises.lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new FileNotDeliverableError('file_url_private', `${what} points into a private network, which Parley does not send to`);
  }
}

/**
 * Streams a file's bytes to an upload URL with POST or PUT. A 413 means the file is too large
 * for the service, 429 and 5xx may pass on a retry, and any other failure status is final.
 * `where` names the upload in errors and never carries the URL, which may hold a capability.
 */
export async function uploadFile(
  url: string,
  file: FileContent,
  init: { method: 'POST' | 'PUT'; headers: Record<string, string>; signal?: AbortSignal | undefined; where: string },
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { ...init.headers, 'content-length': String(file.size) },
      body: file.body as unknown as ReadableStream,
      duplex: 'half',
      redirect: 'error',
      ...(init.signal ? { signal: init.signal } : {}),
    } as RequestInit);
  } catch (error) {
    throw new PlatformUnavailableError(`${init.where} failed: ${(error as Error).message}.`, undefined, { cause: error });
  }
  await response.body?.cancel();
  if (response.status === 413) throw new FileNotDeliverableError('file_too_large', `${init.where} rejected it as too large`);
  if (response.status === 429 || response.status >= 500) {
    throw new PlatformUnavailableError(`${init.where} returned ${response.status}.`, retryAfterMs(response.headers.get('retry-after')));
  }
  if (!response.ok) throw new PlatformRejectedError(String(response.status), `${init.where} returned ${response.status}.`);
}
