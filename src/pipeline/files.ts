// Files on their way from one platform to another: opened at the source when the delivery
// runs, checked against the target's and the policies' size limits, and streamed through
// without being held in memory. A source that does not say how large a file is gets it
// counted in a temporary file first, since every target's upload flow needs the size up front.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import mime from 'mime-types';

import type { FileContent, FileSource } from '../core/connector.js';
import { FileNotDeliverableError } from '../core/errors.js';
import type { FileRef } from '../core/events.js';

/** 1536 → "1.5 KB", in the binary units chat apps and Windows show as KB, MB and GB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}

/** Characters replaced in a file name: path separators, control characters and line separators. */
const unsafeInName = /[/\\\p{Cc}\u2028\u2029]/gu;
/**
 * Characters removed from a file name: direction overrides, which can make `gpj.exe` read as
 * `exe.jpg`, and invisible zero-width ones. The zero-width joiner stays, since emoji use it.
 */
const invisibleInName = /[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
/** Most file systems take names of up to 255 bytes. */
const maxNameBytes = 255;

/**
 * Returns the name a file is delivered under: the sender's name with path separators and
 * control characters replaced, invisible and direction characters removed, and trailing
 * dots and spaces trimmed. A name longer than 255 UTF-8 bytes is shortened, keeping its
 * extension. A file without a name gets one made from the date and its media type.
 */
export function deliveredName(name: string | undefined, mediaType: string, now: Date = new Date()): string {
  const cleaned = (name ?? '')
    .normalize('NFC')
    .replace(invisibleInName, '')
    .replace(unsafeInName, '_')
    .trim()
    .replace(/[. ]+$/, '');
  if (cleaned !== '' && !/^\.+$/.test(cleaned)) return shorten(cleaned);
  const extension = mime.extension(mediaType) || 'bin';
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `file-${stamp}.${extension}`;
}

/** Shortens a name to `maxNameBytes` UTF-8 bytes at a code point boundary, keeping a short extension. */
function shorten(name: string): string {
  if (Buffer.byteLength(name) <= maxNameBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let budget = maxNameBytes - Buffer.byteLength(extension);
  let stem = '';
  for (const char of name.slice(0, name.length - extension.length)) {
    budget -= Buffer.byteLength(char);
    if (budget < 0) break;
    stem += char;
  }
  return stem + extension;
}

/** Returns a stream that passes exactly `size` bytes and fails when the source sends more or fewer. */
function exactly(size: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > size) done(new FileSizeMismatchError(size, seen));
      else done(null, chunk);
    },
    flush(done) {
      done(seen === size ? null : new FileSizeMismatchError(size, seen));
    },
  });
}

/** The source sent a different number of bytes than it announced; a retry may get it right. */
export class FileSizeMismatchError extends Error {
  constructor(expected: number, seen: number) {
    super(`The source platform announced ${expected} bytes but sent ${seen > expected ? 'more' : seen}; the transfer was stopped.`);
  }
}

/** Counts a stream into a temporary file, giving up past `limit` bytes. */
async function spool(body: Readable, limit: number, tooLarge: (size: number) => Error): Promise<{ size: number; body: Readable }> {
  const dir = await mkdtemp(join(tmpdir(), spoolPrefix));
  const path = join(dir, 'content');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) done(tooLarge(size));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const stream = createReadStream(path);
  stream.once('close', () => void rm(dir, { recursive: true, force: true }));
  return { size, body: stream };
}

const spoolPrefix = 'parley-file-';

/**
 * Removes temporary files older than `olderThanMs` that a stopped or crashed hub left
 * behind; returns how many. Younger ones may belong to a transfer running now.
 */
export async function sweepSpools(olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(tmpdir())) {
    if (!entry.startsWith(spoolPrefix)) continue;
    const path = join(tmpdir(), entry);
    try {
      if (now - (await stat(path)).mtimeMs < olderThanMs) continue;
      await rm(path, { recursive: true, force: true });
      removed += 1;
    } catch {
      // Another process removed it first.
    }
  }
  return removed;
}

export interface FileLimits {
  /** The largest file the target platform takes, and its name for the notice. */
  platformBytes: number;
  platformName: string;
  /** The smallest size limit the policies set for this sender and recipient, if any. */
  policyBytes?: number;
  /** Asks the policies whether this file may cross; returns the reason when not. */
  policyDenies(file: { size: number; mediaType?: string; name?: string }): Promise<string | undefined>;
}

/**
 * Opens a file for one delivery: asks the source platform for it, learns its size (counting
 * it when the source does not say), and checks that size before any byte goes to the target.
 */
export async function openForDelivery(source: FileSource, ref: FileRef, limits: FileLimits, signal: AbortSignal): Promise<FileContent> {
  const tooLarge = (size: number, exact = true): FileNotDeliverableError =>
    new FileNotDeliverableError(
      'file_too_large',
      `the file is ${exact ? '' : 'over '}${formatBytes(size)} and ${limits.platformName} takes files up to ${formatBytes(limits.platformBytes)}`,
    );
  const check = async (size: number, mediaType: string | undefined, name: string | undefined): Promise<void> => {
    if (size > limits.platformBytes) throw tooLarge(size);
    const denied = await limits.policyDenies({ size, ...(mediaType ? { mediaType } : {}), ...(name ? { name } : {}) });
    if (denied !== undefined) throw new FileNotDeliverableError('file_policy', `${denied} (the file is ${formatBytes(size)}${mediaType ? `, ${mediaType}` : ''})`);
  };

  // What the source announced early is checked before the download starts.
  if (ref.size !== undefined) await check(ref.size, ref.mediaType, ref.name);
  const opened = await source.openFile(ref, signal);
  let size = opened.size;
  let body = opened.body;
  if (size === undefined) {
    // Counting stops at the smaller limit, so a refused file never fills the disk.
    const policyFirst = limits.policyBytes !== undefined && limits.policyBytes < limits.platformBytes;
    const cap = policyFirst ? limits.policyBytes! : limits.platformBytes;
    const over = () =>
      policyFirst
        ? new FileNotDeliverableError('file_policy', `the federation policy allows files up to ${formatBytes(cap)} between you and this contact, and the file is larger`)
        : tooLarge(cap, false);
    ({ size, body } = await spool(body, cap, over));
  }
  const mediaType = opened.mediaType || 'application/octet-stream';
  const name = deliveredName(opened.name ?? ref.name, mediaType);
  try {
    await check(size, mediaType, name);
  } catch (error) {
    body.destroy();
    throw error;
  }
  const checked = body.pipe(exactly(size));
  const raw = body;
  raw.once('error', (error) => checked.destroy(error));
  // A connector that stops reading early (a failed upload) destroys `checked`; the source
  // (an HTTP response or the temporary file) must close with it.
  checked.once('close', () => raw.destroy());
  return { name, mediaType, size, body: checked };
}
