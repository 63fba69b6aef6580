// Web API arguments as Slack receives them: form fields, JSON body keys or query
// parameters. Form values are strings, so booleans and numbers are parsed here.

import { SlackApiError } from './errors.js';

export class MethodArgs {
  private readonly values: Record<string, unknown>;

  constructor(values: Record<string, unknown>) {
    this.values = values;
  }

  has(name: string): boolean {
    const value = this.values[name];
    return value !== undefined && value !== null && value !== '';
  }

  /** Returns a string argument; JSON numbers are accepted and converted. */
  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') {
      return undefined;
    }
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    return JSON.stringify(value);
  }

  /** Returns a required string or throws `invalid_arguments` naming the field, as Slack does. */
  requireString(name: string): string {
    const value = this.string(name);
    if (value === undefined) {
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
      });
    }
    return value;
  }

  bool(name: string): boolean {
    const value = this.values[name];
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  /** Returns an integer argument or throws `invalid_arguments` when it is not one. */
  int(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) {
      return undefined;
    }
    const value = Number(raw);
    if (!Number.isInteger(value)) {
      throw new SlackApiError('invalid_arguments', {
        response_metadata: { messages: [`[ERROR] invalid type for field ${name}: expected an integer`] },
      });
    }
    return value;
  }

  /**
   * Returns a JSON argument. The SDK sends objects such as `blocks` and `metadata` as JSON
   * strings in form bodies; a JSON request body carries them as objects.
   */
  json(name: string, errorCode: string): unknown {
    const value = this.values[name];
    if (value === undefined || value === null || value === '') {
      return undefined;
    }
    if (typeof value !== 'string') {
      return value;
    }
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new SlackApiError(errorCode);
    }
  }
}

/** Splits a comma-separated id list such as `users=U1,U2`. */
export function splitIds(value: string): string[] {
  return value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
}

/** Encodes an opaque pagination cursor the way Slack's look (base64 of a prefixed value). */
export function encodeCursor(kind: string, value: string | number): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

/** Decodes a cursor made by encodeCursor or throws `invalid_cursor`. */
export function decodeCursor(kind: string, cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const prefix = `${kind}:`;
  if (!decoded.startsWith(prefix)) {
    throw new SlackApiError('invalid_cursor');
  }
  return decoded.slice(prefix.length);
}
