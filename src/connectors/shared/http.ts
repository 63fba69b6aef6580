// Helpers every HTTP-based connector uses: constant-time comparison and split text.

import { timingSafeEqual } from 'node:crypto';

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Splits text into parts of at most `limit` units (as `measure` counts them), at a
 * paragraph break where possible, else a line break, else a space, and never inside a
 * multi-byte character or a surrogate pair.
 */
export function splitText(text: string, limit: number, measure: (s: string) => number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (measure(rest) > limit) {
    const cut = cutPoint(rest, limit, measure);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest !== '' || parts.length === 0) parts.push(rest);
  return parts;
}

function cutPoint(text: string, limit: number, measure: (s: string) => number): number {
  // The longest prefix of whole code points within the limit.
  const codePoints = Array.from(text);
  let low = 0;
  let high = codePoints.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(codePoints.slice(0, mid).join('')) <= limit) low = mid;
    else high = mid - 1;
  }
  const prefix = codePoints.slice(0, Math.max(low, 1)).join('');

  for (const separator of ['\n\n', '\n', ' ']) {
    const at = prefix.lastIndexOf(separator);
    if (at > prefix.length / 2) return at + separator.length;
  }
  return prefix.length;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
export const characters = (s: string): number => s.length;
