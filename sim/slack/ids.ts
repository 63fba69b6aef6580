// Identifier and timestamp generators shaped like Slack's own: T… teams, U… users, B… bots,
// A… apps, C… channels, D… ims, G… group ims, Ev… event ids, `seconds.micros` message ts.

import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Returns `prefix` followed by `length` random upper-case letters and digits. */
export function randomId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) {
    id += ALPHABET[byte % ALPHABET.length];
  }
  return id;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Builds a bot token in the `xoxb-<team>-<bot>-<secret>` layout Slack issues. */
export function botToken(): string {
  const digits = () => String(1_000_000_000 + (randomBytes(4).readUInt32BE(0) % 9_000_000_000));
  return `xoxb-${digits()}-${digits()}-${randomId('', 24).toLowerCase()}`;
}

/**
 * Issues message timestamps. Slack's `ts` is unix seconds with six fractional digits and is
 * unique per channel; this clock makes it unique and strictly increasing across the whole
 * simulator, so ts order is creation order.
 */
export class TsClock {
  private lastMicros = 0;

  next(): string {
    let micros = Date.now() * 1000;
    if (micros <= this.lastMicros) {
      micros = this.lastMicros + 1;
    }
    this.lastMicros = micros;

    const seconds = Math.floor(micros / 1_000_000);
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${fraction}`;
  }
}

/**
 * Converts a Slack timestamp (`1700000000.000100`, `1700000000`, `1700000000.5`) to integer
 * microseconds, or returns undefined when the value is not a decimal number.
 */
export function tsToMicros(ts: string): number | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,6})\d*)?$/.exec(ts);
  if (match === null) {
    return undefined;
  }
  const seconds = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return seconds * 1_000_000 + fraction;
}

/** Matches a message timestamp as Slack issues it, such as `1700000000.000100`. */
export const TS_PATTERN = /^\d{1,12}\.\d{6}$/;
