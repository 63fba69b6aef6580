// Checks of simulator output against the published Slack specs, shared by the conformance
// tests: keys against the java-slack-sdk sample payloads, and the event wrapper JSON Schema.

import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

import type { SpecsFolder } from '../../kit/specs.js';

/** Polymorphic block payloads; the samples show one block type only. */
const UNCHECKED_KEYS = new Set(['blocks']);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Lists paths in `actual` whose key is missing from `sample` or whose JSON type differs. */
export function unknownKeys(actual: unknown, sample: unknown, path = ''): string[] {
  if (actual === null || sample === undefined) {
    return [];
  }
  if (kindOf(actual) !== kindOf(sample)) {
    return [`${path || '<root>'}: ${kindOf(actual)} where the sample has ${kindOf(sample)}`];
  }

  if (Array.isArray(actual) && Array.isArray(sample)) {
    return sample.length === 0 ? [] : actual.flatMap((item, i) => unknownKeys(item, sample[0], `${path}[${i}]`));
  }

  if (kindOf(actual) === 'object') {
    const sampleObject = sample as Record<string, unknown>;
    if (Object.keys(sampleObject).length === 0) {
      return [];
    }
    return Object.entries(actual as Record<string, unknown>).flatMap(([key, value]) => {
      const keyPath = path === '' ? key : `${path}.${key}`;
      if (!(key in sampleObject)) {
        return [`${keyPath}: not in sample`];
      }
      return UNCHECKED_KEYS.has(key) ? [] : unknownKeys(value, sampleObject[key], keyPath);
    });
  }
  return [];
}

/** Compiles the Events API wrapper schema (slack_common_event_wrapper_schema.json). */
export function compileWrapperSchema(specs: SpecsFolder): ValidateFunction {
  const ajv = new Ajv({ strict: false });
  return ajv.compile(specs.readJson('slack/events-api/slack_common_event_wrapper_schema.json') as object);
}
