// Starts the simulated world and a hub in this process, with logs captured for checks.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { createWorld, type World, type WorldOptions } from '../../src/cli/world.js';
import { startHub, type Hub, type StartOptions } from '../../src/server/hub.js';
import { createLogger } from '../../src/server/logging.js';

export interface TestHub {
  world: World;
  hub: Hub;
  dir: string;
  dataPath: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestHub(options: Partial<WorldOptions> = {}, hubOptions: StartOptions = {}): Promise<TestHub> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-'));
  const dataPath = path.join(dir, 'parley.db');
  const world = await createWorld({
    hubPort: 0,
    webexPort: 0,
    slackPort: 0,
    dataPath,
    slackRateLimitScale: 1000,
    slackRetryDelaysMs: [0, 200, 500],
    delivery: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 5, ...options.delivery },
    ...options,
  });

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const hub = await startHub(world.config(), createLogger('debug', sink), hubOptions);
  await world.connectSlack(hub.url);
  world.connectTeams(hub.url);

  return {
    world,
    hub,
    dir,
    dataPath,
    logs,
    async stop() {
      await hub.stop();
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
