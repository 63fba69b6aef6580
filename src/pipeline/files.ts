// Files on their way from one platform to another: opened at the source when the delivery
// runs, checked against the target's and the policies' size limits, and streamed through
// without being held in memory. A source that does not say how large a file is gets it
// counted in a temporary file first, since every target's upload flow needs the size up front.

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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

/** Characters no platform takes in a file name: path separators and control characters. */
// eslint-disable-next-line no-control-regex
const unsafeInName = /[/\\\u0000-\u001f\u007f]/g;

/**
 * The name a file is delivered under: the sender's name as it was, with only path
 * separators and control characters replaced; a name made from the date and the media type
 * when the source gave none.
 */
export function deliveredName(name: string | undefined, mediaType: string, now: Date = new Date()): string {
  const cleaned = (name ?? '').normalize('NFC').replace(unsafeInName, '_').trim();
  if (cleaned !== '' && cleaned !== '.' && cleaned !== '..') return cleaned;
  const extension = mime.extension(mediaType) || 'bin';
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `file-${stamp}.${extension}`;
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
  const dir = await mkdtemp(join(tmpdir(), 'parley-file-'));
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

export interface FileLimits {
  /** The largest file the target platform takes, and its name for the notice. */
  platformBytes: number;
  platformName: string;
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
    ({ size, body } = await spool(body, limits.platformBytes, () => tooLarge(limits.platformBytes, false)));
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
  body.once('error', (error) => checked.destroy(error));
  return { name, mediaType, size, body: checked };
}
