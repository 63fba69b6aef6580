// `parley start --config FILE` run as a child process: each start failure must exit non-zero
// with exactly one stderr line that names the failing key or variable and shows no secret.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { stringify } from 'yaml';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const killAfterMs = 20_000;
const botToken = 'xoxb-test-literal-bot-token-4b1d';
const signingSecret = 'test-literal-signing-secret-9e2c';

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Stderr lines, without blank lines and Node's own warning lines. */
  lines: string[];
  stderr: string;
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago and has no listener now. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the CLI's start command with `env` added to a copy of this process's environment without PARLEY_* variables. */
async function runStart(configPath: string, env: Record<string, string> = {}): Promise<Outcome> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('PARLEY_') && name !== 'SOME_UNSET_VAR') childEnv[name] = value;
  }
  Object.assign(childEnv, env);

  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configPath], {
    cwd: projectRoot,
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));

  // A hub that started by mistake would run until a signal, so the kill turns that into a failure.
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(timer);

  const stderr = Buffer.concat(chunks).toString('utf8');
  const lines = stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !line.startsWith('(node:') && !line.startsWith('(Use '));
  return { code, signal, lines, stderr };
}

describe('parley start with a bad config', () => {
  let dir = '';
  let slackPort = 0;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parley-cli-'));
    slackPort = await unusedPort();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Builds a minimal valid config: one org and one Slack connection whose API is an unused local port. */
  function validConfig(): Record<string, unknown> {
    return {
      server: { host: '127.0.0.1', port: 0 },
      store: { kind: 'sqlite', path: path.join(dir, 'parley.db') },
      orgs: [{ id: 'globex', name: 'Globex', domains: ['globex.example'] }],
      connections: [
        {
          id: 'globex-slack',
          org: 'globex',
          platform: 'slack',
          slack: { apiUrl: `http://127.0.0.1:${slackPort}/api/`, botToken, signingSecret },
        },
      ],
    };
  }

  let files = 0;
  function writeConfig(content: Record<string, unknown> | string): string {
    files += 1;
    const file = path.join(dir, `config-${files}.yaml`);
    writeFileSync(file, typeof content === 'string' ? content : stringify(content));
    return file;
  }

  function assertOneLineFailure(outcome: Outcome): string {
    assert.equal(outcome.signal, null, `the hub did not exit within ${killAfterMs} ms`);
    assert.notEqual(outcome.code, 0);
    assert.equal(outcome.lines.length, 1, `expected one stderr line, got:\n${outcome.stderr}`);
    assert.doesNotMatch(outcome.stderr, /^\s+at /m, 'stderr contains a stack trace');
    return outcome.lines[0]!;
  }

  function assertNoSecret(outcome: Outcome): void {
    assert.equal(outcome.stderr.includes(botToken), false, 'stderr shows the bot token');
    assert.equal(outcome.stderr.includes(signingSecret), false, 'stderr shows the signing secret');
  }

  test('port that is not a number names server.port', async () => {
    const config = validConfig();
    config.server = { host: '127.0.0.1', port: 'abc' };

    const outcome = await runStart(writeConfig(config));

    const line = assertOneLineFailure(outcome);
    assert.match(line, /server\.port/);
    assert.match(line, /"abc"/);
    assertNoSecret(outcome);
  });

  test('unknown key is named without echoing its section', async () => {
    const config = validConfig();
    config.colour = 'blue';
    const connection = (config.connections as Record<string, unknown>[])[0]!;
    connection.slak = { botToken };

    const outcome = await runStart(writeConfig(config));

    const line = assertOneLineFailure(outcome);
    assert.match(line, /\bcolour: unknown key/);
    assert.match(line, /connections\[0\]\.slak: unknown key/);
    assertNoSecret(outcome);
  });

  test('connection with an undefined org names connections[0].org', async () => {
    const config = validConfig();
    (config.connections as Record<string, unknown>[])[0]!.org = 'initech';

    const outcome = await runStart(writeConfig(config));

    const line = assertOneLineFailure(outcome);
    assert.match(line, /connections\[0\]\.org/);
    assert.match(line, /"initech"/);
    assertNoSecret(outcome);
  });

  test('invalid YAML names the line', async () => {
    // Line 5 is indented less than the key before it, which YAML rejects.
    const text = ['server:', '  port: 0', 'store:', '  path: a.db', ' kind: sqlite', ''].join('\n');

    const outcome = await runStart(writeConfig(text));

    const line = assertOneLineFailure(outcome);
    assert.match(line, /not valid YAML/);
    assert.match(line, /line 5\b/);
  });

  test('secret from an unset variable names the key and variable', async () => {
    const config = validConfig();
    const connection = (config.connections as { slack: Record<string, unknown> }[])[0]!;
    connection.slack.botToken = { env: 'SOME_UNSET_VAR' };

    const outcome = await runStart(writeConfig(config));

    const line = assertOneLineFailure(outcome);
    assert.match(line, /connections\[0\]\.slack\.botToken/);
    assert.match(line, /SOME_UNSET_VAR/);
    assertNoSecret(outcome);
  });

  test('port in use names server.port and PARLEY_SERVER_PORT', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    const config = validConfig();
    config.server = { host: '127.0.0.1', port };

    let outcome: Outcome;
    try {
      outcome = await runStart(writeConfig(config));
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }

    const line = assertOneLineFailure(outcome);
    assert.match(line, /in use/);
    assert.match(line, new RegExp(`\\b${port}\\b`));
    assert.match(line, /server\.port/);
    assert.match(line, /PARLEY_SERVER_PORT/);
    assertNoSecret(outcome);
  });

  test('PARLEY_SERVER_PORT that is not a number names the variable', async () => {
    const outcome = await runStart(writeConfig(validConfig()), { PARLEY_SERVER_PORT: 'notanumber' });

    const line = assertOneLineFailure(outcome);
    assert.match(line, /PARLEY_SERVER_PORT/);
    assert.match(line, /not a number/);
    assertNoSecret(outcome);
  });
});
