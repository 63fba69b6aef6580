// Loads the YAML config, applies PARLEY_* environment overrides, validates it and
// resolves secret references. Every failure names the key, the value and the fix.

import { readFileSync } from 'node:fs';

import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';

import { ConfigInvalidError, SecretMissingError } from '../core/errors.js';
import type { StoreOptions } from '../store/store.js';
import { configSchema, overridableSections, type HubConfig } from './config-schema.js';

/** A config whose secret references are replaced by their values. */
export type Resolved<T> = T extends { env: string }
  ? string
  : T extends string | number | boolean | undefined | null
    ? T
    : T extends (infer U)[]
      ? Resolved<U>[]
      : { [K in keyof T]: Resolved<T[K]> };

export type ResolvedConfig = Resolved<HubConfig>;

export function envName(section: string, key: string): string {
  return `PARLEY_${section}_${key}`.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Reads and parses a YAML file; an absent path yields an empty document. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(`Cannot read config file ${path}: ${(error as Error).message}. Check the path given with --config.`, {
      cause: error,
    });
  }

  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigInvalidError(`Config file ${path} is not valid YAML${where}. Fix the syntax and start again.`, {
      cause: error,
    });
  }
}

function applyOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [section, schema] of Object.entries(overridableSections)) {
    for (const [key, field] of Object.entries(schema.shape)) {
      const name = envName(section, key);
      const value = env[name];
      if (value === undefined) continue;

      const target = (raw[section] ??= {}) as Record<string, unknown>;
      target[key] = coerce(value, field as z.ZodType, name);
    }
  }
}

function coerce(value: string, field: z.ZodType, name: string): unknown {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap() as z.ZodType;
  }
  if (inner instanceof z.ZodNumber) {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) {
      throw new ConfigInvalidError(`Environment variable ${name}="${value}" is not a number. Set it to a number or unset it.`);
    }
    return number;
  }
  return value;
}

/** Formats the issues on one line, because the CLI reports a failed start as one stderr line. */
function formatIssues(error: z.ZodError, raw: unknown): string {
  return error.issues.map((issue) => formatIssue(issue, raw)).join('; ');
}

function formatIssue(issue: z.ZodError['issues'][number], raw: unknown): string {
  // The value of an unknown key's parent is a whole section that may contain secrets, so only the keys are named.
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((name) => keyPath([...issue.path, name]));
    return `${keys.join(', ')}: unknown key, remove it or check its spelling`;
  }
  return `${keyPath(issue.path) || '(root)'}: ${issue.message} (${describeValue(raw, issue.path)})`;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** Describes the value at `path`: a scalar as JSON, a section or list by its kind, a possible secret as ***. */
function describeValue(raw: unknown, path: readonly PropertyKey[]): string {
  let current: unknown = raw;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return 'missing';
    current = (current as Record<PropertyKey, unknown>)[part];
  }

  if (current === undefined) return 'missing';
  if (/token|secret|password/i.test(path.map(String).join('.'))) return 'value ***';
  if (Array.isArray(current)) return 'a list';
  if (current !== null && typeof current === 'object') return 'a mapping';
  return `value ${JSON.stringify(current)}`;
}

function resolveSecrets(value: unknown, path: string, env: NodeJS.ProcessEnv): unknown {
  if (Array.isArray(value)) return value.map((item, i) => resolveSecrets(item, `${path}[${i}]`, env));
  if (value === null || typeof value !== 'object') return value;

  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'env' && typeof record.env === 'string') {
    const resolved = env[record.env];
    if (resolved === undefined || resolved === '') {
      throw new SecretMissingError(
        `Secret ${path} refers to environment variable ${record.env}, which is not set. Set ${record.env} before starting the hub.`,
      );
    }
    return resolved;
  }

  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(record)) {
    out[key] = resolveSecrets(child, path ? `${path}.${key}` : key, env);
  }
  return out;
}

function checkReferences(config: HubConfig): void {
  const orgIds = new Set(config.orgs.map((o) => o.id));
  const domains = new Map<string, string>();
  for (const org of config.orgs) {
    for (const domain of org.domains) {
      const owner = domains.get(domain);
      if (owner !== undefined) {
        throw new ConfigInvalidError(
          `Domain ${domain} is listed under both orgs ${owner} and ${org.id}. A domain belongs to one organisation; remove it from one.`,
        );
      }
      domains.set(domain, org.id);
    }
  }

  const connectionIds = new Set<string>();
  config.connections.forEach((connection, i) => {
    if (!orgIds.has(connection.org)) {
      throw new ConfigInvalidError(
        `connections[${i}].org: "${connection.org}" is not an org id. Add it under orgs or use one of: ${[...orgIds].join(', ') || '(none defined)'}.`,
      );
    }
    if (connectionIds.has(connection.id)) {
      throw new ConfigInvalidError(`connections[${i}].id: "${connection.id}" is used twice. Give each connection its own id.`);
    }
    connectionIds.add(connection.id);
  });

  if (config.store.kind === 'postgres' && !config.store.url) {
    throw new ConfigInvalidError('store.url is missing, but store.kind is postgres. Set store.url (or PARLEY_STORE_URL) to a PostgreSQL URL.');
  }
}

/** Validates a parsed config document and the environment; returns the resolved config. */
export function buildConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigInvalidError('The config must be a YAML mapping with keys such as server, store, orgs and connections.');
  }

  const document = structuredClone(raw) as Record<string, unknown>;
  applyOverrides(document, env);

  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    throw new ConfigInvalidError(`Invalid config: ${formatIssues(parsed.error, document)}. Run "parley config example" for a commented example.`);
  }

  checkReferences(parsed.data);
  return resolveSecrets(parsed.data, '', env) as ResolvedConfig;
}

/** The store options a resolved config names. */
export function storeOptions(config: ResolvedConfig): StoreOptions {
  return config.store.kind === 'postgres' ? { kind: 'postgres', url: config.store.url! } : { kind: 'sqlite', path: config.store.path };
}

export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  return buildConfig(readConfigFile(path), env);
}
