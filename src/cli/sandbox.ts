// `parley start` with no config: the simulated Webex and Slack organisations, the hub
// on SQLite under ./data, and the consoles to chat from.

import { rmSync } from 'node:fs';

import { createLogger } from '../server/logging.js';
import { startHub } from '../server/hub.js';
import { untilSignal } from './signals.js';
import { createWorld } from './world.js';

export async function startSandbox(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const hubPort = Number(env.PARLEY_SERVER_PORT ?? 8080);
  const dataPath = env.PARLEY_STORE_PATH ?? './data/sandbox.db';
  const offset = (n: number) => (hubPort === 0 ? 0 : hubPort + n);

  // The simulators keep their state in memory, so the sandbox database starts empty too.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dataPath}${suffix}`, { force: true });

  const world = await createWorld({ hubPort, webexPort: offset(1), slackPort: offset(2), dataPath, slackRateLimitScale: 10 });
  const logger = createLogger(env.PARLEY_LOG_LEVEL ?? 'info');
  let hub;
  try {
    hub = await startHub(world.config(), logger);
    await world.connectSlack(hub.url);
  } catch (error) {
    await hub?.stop();
    await world.stop();
    throw error;
  }

  process.stdout.write(
    [
      '',
      'Parley sandbox is running.',
      `  Hub:                 ${hub.url}  (health: ${hub.url}/healthz)`,
      `  Webex console (Acme): ${world.webex.url}/console   users alice@acme.example, carol@acme.example`,
      `  Slack console (Globex): ${world.slack.url}/console   users bob@globex.example, dana@globex.example`,
      '',
      'Try it: in the Webex console, act as Alice and send "invite bob@globex.example" to parley@webex.bot.',
      'In the Slack console, act as Bob and send "accept" in the DM with Parley. Then chat in the new',
      'private channel (Slack) and the direct space with Bob Builder (Webex).',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  await untilSignal();
  process.stdout.write('Stopping the sandbox.\n');
  await hub.stop();
  await world.stop();
  return 0;
}
