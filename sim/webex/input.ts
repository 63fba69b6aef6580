// Small readers for request bodies and query strings that raise Webex-style 400 errors.
import { badRequest } from './errors.js';

export type Fields = Record<string, unknown>;

export function asFields(body: unknown): Fields {
  if (body === undefined || body === null || body === '') {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object. Send an object such as {"roomId": "..."}.');
  }
  return body as Fields;
}

export function optionalString(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw badRequest(`Invalid ${key}: expected a string, got ${typeof value}.`);
  }
  return value;
}

export function requiredString(fields: Fields, key: string): string {
  const value = optionalString(fields, key);
  if (value === undefined || value.trim() === '') {
    throw badRequest(`Missing required field ${key}.`);
  }
  return value;
}

/** Reads a list given as a JSON array, a repeated form field or a comma-separated string. */
export function optionalStringList(fields: Fields, key: string): string[] | undefined {
  const value = fields[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value as string[];
  }
  throw badRequest(`Invalid ${key}: expected a list of strings.`);
}

export function optionalBoolean(fields: Fields, key: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (value === true || value === 'true') {
    return true;
  }
  if (value === false || value === 'false') {
    return false;
  }
  throw badRequest(`Invalid ${key}: expected true or false.`);
}

/**
 * Reads the `max` query parameter: a positive integer, `fallback` when absent, and at most
 * `cap` (larger values are lowered to the cap rather than rejected).
 */
export function pageSize(query: Fields, fallback: number, cap: number): number {
  const raw = query.max;
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw badRequest(`Invalid max ${String(raw)}: expected a positive integer up to ${cap}.`);
  }
  return Math.min(value, cap);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
