#!/usr/bin/env node
// The `parley` command.

import { parseArgs } from 'node:util';

import { ConfigInvalidError, ParleyError } from '../core/errors.js';
import { exportMetadata, type ExportFormat } from '../pipeline/metadata-export.js';
import { loadConfig, storeOptions } from '../server/config.js';
import { exampleConfig } from '../server/config-example.js';
import { startHub } from '../server/hub.js';
import { createLogger } from '../server/logging.js';
import { Store } from '../store/store.js';
import { adminUsage, runAdmin } from './admin.js';
import { capabilityMatrix } from '../server/capabilities.js';
import { formatMessage } from './format.js';
import { explainPolicy } from './policy-explain.js';
import { startSandbox } from './sandbox.js';
import { untilSignal } from './signals.js';

const usage = `Usage: parley <command> [options]

Commands:
  start [--config FILE]            start the hub; with no config, the sandbox
  migrate --config FILE            apply database migrations and exit
  config example                   print a commented example config
  metadata export --config FILE [--format csv|jsonl]
                                   write the metadata log to standard output
  capabilities                     print what crosses between each pair of platforms
  format --from PLATFORM --to PLATFORM
                                   read one message on standard input as the first
                                   platform writes it (webex, slack, xmpp, plain) and
                                   print what the second would receive
  policy explain --config FILE --from EMAIL --to EMAIL [--feature NAME]
                 [--size BYTES] [--type MEDIA-TYPE] [--name FILE-NAME]
                                   say whether the federation policies allow a
                                   feature (default messages) and which rule decides;
                                   for files, with the file's size, type and name
${adminUsage}  help                             show this text
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      format: { type: 'string', default: 'csv' },
      from: { type: 'string' },
      to: { type: 'string' },
      feature: { type: 'string', default: 'messages' },
      org: { type: 'string' },
      role: { type: 'string' },
      file: { type: 'string' },
      email: { type: 'string' },
      sso: { type: 'boolean' },
      size: { type: 'string' },
      type: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, ...rest] = positionals;

  if (values.help || command === 'help' || command === undefined) {
    process.stdout.write(usage);
    return command === undefined && !values.help ? 2 : 0;
  }

  switch (command) {
    case 'start':
      return values.config ? start(values.config) : startSandbox();
    case 'migrate': {
      const config = loadConfig(requireConfig(values.config));
      const store = await openStore(config);
      const applied = await store.migrate();
      await store.close();
      console.log(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'The database is up to date.');
      return 0;
    }
    case 'config':
      if (sub !== 'example') break;
      process.stdout.write(exampleConfig());
      return 0;
    case 'metadata': {
      if (sub !== 'export') break;
      const format = values.format as ExportFormat;
      if (format !== 'csv' && format !== 'jsonl') {
        console.error(`parley: --format "${values.format}" is not supported; use csv or jsonl.`);
        return 2;
      }
      const config = loadConfig(requireConfig(values.config));
      const store = await openStore(config);
      await store.migrate();
      await exportMetadata(store, format, process.stdout);
      await store.close();
      return 0;
    }
    case 'admin': {
      if (!sub) break;
      const config = loadConfig(requireConfig(values.config));
      console.log(await runAdmin(config, [sub, ...rest], values));
      return 0;
    }
    case 'capabilities':
      console.log(capabilityMatrix());
      return 0;
    case 'format': {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      const result = formatMessage(values.from, values.to, Buffer.concat(chunks).toString('utf8'));
      (result.ok ? console.log : console.error)(result.text);
      return result.ok ? 0 : 2;
    }
    case 'policy': {
      if (sub !== 'explain') break;
      const config = loadConfig(requireConfig(values.config));
      const store = await openStore(config);
      await store.migrate();
      const stored = await store.storedPolicies();
      await store.close();
      const result = explainPolicy(config, values.from, values.to, values.feature ?? 'messages', stored, {
        ...(values.size !== undefined ? { size: values.size } : {}),
        ...(values.type !== undefined ? { mediaType: values.type } : {}),
        ...(values.name !== undefined ? { name: values.name } : {}),
      });
      (result.ok ? console.log : console.error)(result.text);
      return result.ok ? 0 : 2;
    }
  }

  console.error(`parley: unknown command "${positionals.join(' ')}".\n\n${usage}`);
  return 2;
}

function requireConfig(path: string | undefined): string {
  if (!path) throw new ConfigInvalidError('This command needs --config FILE, the path of the hub config.');
  return path;
}

function openStore(config: ReturnType<typeof loadConfig>): Promise<Store> {
  return Store.open(storeOptions(config));
}

async function start(configPath: string): Promise<number> {
  const config = loadConfig(configPath);
  const logger = createLogger(config.log.level);
  const hub = await startHub(config, logger);
  await untilSignal();
  await hub.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ParleyError) {
      console.error(`parley: ${error.message}`);
    } else {
      console.error('parley: the hub stopped on an unexpected error:', error);
    }
    process.exitCode = 1;
  },
);
