// `parley start` with no config: the simulated Webex, Slack and Teams organisations, an XMPP
// partner on a local Prosody when it is installed, the hub on SQLite under ./data, and the
// consoles to chat from.

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';

import type { Logger } from 'pino';

import { AccountService } from '../admin/accounts.js';
import { generateTraffic } from '../analytics/generate.js';
import { createLogger } from '../server/logging.js';
import { startHub, type Hub } from '../server/hub.js';
import { sandboxComponentDomain, sandboxPartnerDomain, sandboxUploadDomain, sandboxXmppUsers, startSandboxXmpp, type SandboxXmpp } from './sandbox-xmpp.js';
import { untilSignal } from './signals.js';
import { createWorld, type World } from './world.js';

/** The sandbox's operator account; its password is new at every start. */
export const sandboxOperator = 'operator@hub.example';

export interface Sandbox {
  hub: Hub;
  world: World;
  /** The XMPP partner, or why there is none. */
  xmpp: SandboxXmpp | string;
  banner: string;
  stop(): Promise<void>;
}

/** Starts everything the sandbox runs; `startSandbox` adds the banner and waits for Ctrl-C. */
export async function launchSandbox(env: NodeJS.ProcessEnv = process.env, logger?: Logger): Promise<Sandbox> {
  const hubPort = Number(env.PARLEY_SERVER_PORT ?? 8080);
  const dataPath = env.PARLEY_STORE_PATH ?? './data/sandbox.db';
  const offset = (n: number) => (hubPort === 0 ? 0 : hubPort + n);

  // The simulators keep their state in memory, so the sandbox database starts empty too.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dataPath}${suffix}`, { force: true });

  const xmpp = await startSandboxXmpp(path.dirname(dataPath), offset(3));
  const world = await createWorld({
    hubPort,
    webexPort: offset(1),
    slackPort: offset(2),
    dataPath,
    slackRateLimitScale: 10,
    slackPresencePolling: true,
    ...(typeof xmpp === 'string' ? {} : { xmpp: xmpp.world }),
    teams: { port: offset(6) },
  });
  let hub: Hub | undefined;
  let operator: { password: string; recoveryCodes: string[]; totpUri: string };
  try {
    hub = await startHub(world.config(), logger ?? createLogger(env.PARLEY_LOG_LEVEL ?? 'info'));
    await world.connectSlack(hub.url);
    world.connectTeams(hub.url);
    // Both Teams users have installed the Parley app, so that others can invite them.
    for (const user of ['ivy@hooli.example', 'jack@hooli.example']) world.teams?.installApp(user);
    await world.teams?.settle();
    // An operator to log in with, and six months of made-up history so the charts show something.
    const password = `sandbox-${randomBytes(9).toString('base64url')}`;
    const created = await new AccountService(hub.store).create({ email: sandboxOperator, role: 'operator', password });
    operator = { password, recoveryCodes: created.recoveryCodes, totpUri: created.totpUri };
    await generateTraffic(hub.store, {
      records: 20_000,
      months: 6,
      usersPerDomain: 30,
      partnerDomains: 8,
      orgs: [
        { id: 'acme', domains: ['acme.example'], platform: 'webex' },
        { id: 'globex', domains: ['globex.example'], platform: 'slack' },
        { id: 'hooli', domains: ['hooli.example'], platform: 'teams' },
        ...(typeof xmpp === 'string' ? [] : [{ id: 'initech', domains: [sandboxPartnerDomain], platform: 'xmpp' as const }]),
      ],
    });
  } catch (error) {
    await hub?.stop();
    await world.stop();
    if (typeof xmpp !== 'string') await xmpp.stop();
    throw error;
  }

  const running = hub;
  const xmppLines =
    typeof xmpp === 'string'
      ? [`  XMPP: ${xmpp}`]
      : [
          `  XMPP (Initech, Prosody): 127.0.0.1:${xmpp.c2sPort}   accounts ${Object.entries(sandboxXmppUsers)
            .map(([user, password]) => `${user}@${sandboxPartnerDomain} (password ${password})`)
            .join(', ')}`,
          `    Log in with any XMPP client, server 127.0.0.1 port ${xmpp.c2sPort}. Add alice\\40acme.example@${sandboxComponentDomain}`,
          `    to your roster to invite Alice, or chat with ${sandboxComponentDomain} to send the bot commands.`,
          `    Files go through the upload service ${sandboxUploadDomain}; its links point at 127.0.0.1:${xmpp.httpPort}.`,
        ];
  const banner = [
    '',
    'Parley sandbox is running.',
    `  Hub:                 ${running.url}  (health: ${running.url}/healthz)`,
    `  Webex console (Acme): ${world.webex.url}/console   users alice@acme.example, carol@acme.example`,
    `  Slack console (Globex): ${world.slack.url}/console   users bob@globex.example, dana@globex.example`,
    `  Teams console (Hooli): ${world.teams?.url ?? ''}/console   users ivy@hooli.example, jack@hooli.example`,
    ...xmppLines,
    '',
    `Portal: ${running.url}/portal/   email ${sandboxOperator}, password ${operator.password}, code ${operator.recoveryCodes[0]}`,
    `  Each code works once. More one-time codes: ${operator.recoveryCodes.slice(2, 5).join(' ')}; or add the TOTP below to an authenticator app.`,
    `Admin API: ${running.url}/api/v1 (OpenAPI at ${running.url}/api/v1/openapi.json). Log in as the operator:`,
    `  curl -si -X POST ${running.url}/api/v1/session -H 'content-type: application/json' \\`,
    `    -d '{"email": "${sandboxOperator}", "password": "${operator.password}", "code": "${operator.recoveryCodes[1]}"}'`,
    `  TOTP for an authenticator app: ${operator.totpUri}`,
    `  Then: curl -s -b 'parley_session=<cookie value>' ${running.url}/api/v1/orgs/acme/analytics/overview`,
    '',
    'Try it: in the Webex console, act as Alice and send "invite bob@globex.example" to parley@webex.bot.',
    'In the Slack console, act as Bob and send "accept" in the DM with Parley. Then chat in the new',
    'private channel (Slack) and the direct space with Bob Builder (Webex).',
    'In the Teams console, act as Ivy and send "invite alice@acme.example"; contacts arrive in the chat with Parley.',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');

  return {
    hub: running,
    world,
    xmpp,
    banner,
    async stop() {
      await running.stop();
      await world.stop();
      if (typeof xmpp !== 'string') await xmpp.stop();
    },
  };
}

export async function startSandbox(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const sandbox = await launchSandbox(env);
  process.stdout.write(sandbox.banner);
  await untilSignal();
  process.stdout.write('Stopping the sandbox.\n');
  await sandbox.stop();
  return 0;
}
