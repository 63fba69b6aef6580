// Locates the machine-readable platform specs that the conformance tests validate against.
// The folder sits beside the repository (../shared/specs) in development and CI; a plain clone
// has no such folder, so callers skip their conformance checks when loadSpecs() returns undefined.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SpecsFolder {
  /** Absolute path of the specs folder. */
  readonly dir: string;
  /** Parses a JSON file inside the folder, for example `webex/webex-messaging.openapi.json`. */
  readJson(relativePath: string): unknown;
}

/** Returns the specs folder named by PARLEY_SPECS_DIR or found at ../shared/specs, or undefined when absent. */
export function loadSpecs(): SpecsFolder | undefined {
  const dir = process.env.PARLEY_SPECS_DIR ?? path.resolve(repoRoot, '../shared/specs');
  if (!existsSync(dir)) {
    return undefined;
  }

  const cache = new Map<string, unknown>();
  return {
    dir,
    readJson(relativePath: string): unknown {
      const cached = cache.get(relativePath);
      if (cached !== undefined) {
        return cached;
      }
      const parsed: unknown = JSON.parse(readFileSync(path.join(dir, relativePath), 'utf8'));
      cache.set(relativePath, parsed);
      return parsed;
    },
  };
}
