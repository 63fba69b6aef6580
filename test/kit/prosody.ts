// Starts real Prosody servers on loopback for the XMPP tests, each with its own config,
// data folder and ports. A test module pins server-to-server routes to 127.0.0.1, and a
// resolv.conf of the test's own keeps name lookups on the machine.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  freePort,
  prosodyInstalled,
  registerUser,
  selfSignedCertificate,
  startProsodyProcess,
  type ProsodyProcess,
} from '../../src/cli/prosody-process.js';

const moduleDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'prosody');

export { freePort, prosodyInstalled };

export interface ProsodyOptions {
  name: string;
  /** Domains served as VirtualHosts, with accounts (user → password). */
  hosts: Array<{ domain: string; users?: Record<string, string> }>;
  components?: Array<{ domain: string; secret: string }>;
  /** Other test servers' s2s ports, by domain. */
  routes?: Record<string, number>;
  /** Require STARTTLS on server-to-server links, with a certificate generated per host. */
  s2sTls?: boolean;
  /**
   * A shipped config to run instead of the generated host sections, such as
   * deploy/prosody/parley-hub.cfg.lua with its domains replaced. Its certificate paths under
   * /etc/prosody/certs/ point at the generated certificates; ports, paths and logging are
   * set for the test before its first host section.
   */
  base?: string;
  /** Serve HTTP on a loopback port, which upload services hand out in their links. */
  http?: boolean;
  /** XEP-0363 upload services (Prosody's http_file_share) in the generated config. */
  uploads?: Array<{ domain: string; access?: string[]; sizeLimit?: number }>;
}

export interface Prosody {
  name: string;
  dir: string;
  c2sPort: number;
  s2sPort: number;
  componentPort: number;
  /** The HTTP port upload links point at, when `http` is set. */
  httpPort: number | undefined;
  /** Adds server-to-server routes; takes effect at the next start. */
  setRoutes(routes: Record<string, number>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  log(): string;
  dispose(): Promise<void>;
}

export async function createProsody(options: ProsodyOptions): Promise<Prosody> {
  const dir = mkdtempSync(path.join(tmpdir(), `parley-prosody-${options.name}-`));
  const data = path.join(dir, 'data');
  const certs = path.join(dir, 'certs');
  mkdirSync(data);
  mkdirSync(certs);
  mkdirSync(path.join(dir, 'no-certs'));
  const [c2sPort, s2sPort, componentPort] = [await freePort(), await freePort(), await freePort()];
  const httpPort = options.http ? await freePort() : undefined;
  const configPath = path.join(dir, 'prosody.cfg.lua');
  const logPath = path.join(dir, 'prosody.log');
  let routes = { ...options.routes };
  let child: ProsodyProcess | undefined;

  // Nothing in tests should resolve a name; this resolv.conf points at a closed port.
  writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  if (options.s2sTls) {
    const inBase = [...(options.base ?? '').matchAll(/^(?:VirtualHost|Component) "([^"]+)"/gm)].map((m) => m[1]!);
    const domains = new Set([...options.hosts.map((h) => h.domain), ...(options.components ?? []).map((c) => c.domain), ...(options.uploads ?? []).map((u) => u.domain), ...inBase]);
    for (const domain of domains) {
      selfSignedCertificate(domain, path.join(certs, `${domain}.crt`), path.join(certs, `${domain}.key`));
    }
  }

  const lua = (value: string) => JSON.stringify(value);
  const uploadHost = options.uploads?.[0]?.domain ?? /^Component "([^"]+)" "http_file_share"/m.exec(options.base ?? '')?.[1];
  const writeConfig = () => {
    const ssl = (domain: string) =>
      options.s2sTls ? `s2s_ssl = { certificate = ${lua(path.join(certs, `${domain}.crt`))}; key = ${lua(path.join(certs, `${domain}.key`))}; }` : '';
    const testGlobals = [
      'run_as_root = true',
      `pidfile = ${lua(path.join(dir, 'prosody.pid'))}`,
      `data_path = ${lua(data)}`,
      `plugin_paths = { ${lua(moduleDir)} }`,
      `log = { { levels = { min = "debug" }, to = "file", filename = ${lua(logPath)} } }`,
      'daemonize = false',
      `unbound = { resolvconf = ${lua(path.join(dir, 'resolv.conf'))} }`,
      'interfaces = { "127.0.0.1" }',
      `c2s_ports = { ${c2sPort} }`,
      `s2s_ports = { ${s2sPort} }`,
      `component_ports = { ${componentPort} }`,
      'component_interfaces = { "127.0.0.1" }',
      'c2s_direct_tls_ports = {}',
      's2s_direct_tls_ports = {}',
      httpPort === undefined ? 'http_ports = {}' : `http_ports = { ${httpPort} }`,
      'https_ports = {}',
      'http_interfaces = { "127.0.0.1" }',
      ...(httpPort === undefined ? [] : [`http_external_url = "http://127.0.0.1:${httpPort}/"`]),
      // Links name 127.0.0.1, which matches no host, so its requests go to the upload service.
      ...(uploadHost === undefined ? [] : [`http_default_host = ${lua(uploadHost)}`]),
      // Certificates are given per host; client streams stay plain, so that the test client
      // needs no trust store.
      `certificates = ${lua(path.join(dir, 'no-certs'))}`,
      `c2s_ssl = { certificate = ${lua(path.join(dir, 'no-certs', 'none.crt'))}; key = ${lua(path.join(dir, 'no-certs', 'none.key'))}; }`,
      `test_s2s_routes = { ${Object.entries(routes).map(([domain, port]) => `[${lua(domain)}] = ${port}`).join('; ')} }`,
    ];
    if (options.base !== undefined) {
      const base = options.base
        .replaceAll('/etc/prosody/certs/', `${certs}/`)
        .replace(/^modules_enabled = \{/m, 'modules_enabled = {\n\t"test_routes";');
      const firstHost = base.search(/^(VirtualHost|Component) /m);
      writeFileSync(configPath, `${base.slice(0, firstHost)}\n-- Test settings\n${testGlobals.join('\n')}\n\n${base.slice(firstHost)}`);
      return;
    }
    writeFileSync(
      configPath,
      [
        ...testGlobals,
        'modules_enabled = { "roster", "saslauth", "tls", "dialback", "disco", "ping", "presence", "message", "iq", "vcard_legacy", "posix", "test_routes" }',
        'modules_disabled = { "offline", "s2s_bidi" }',
        'authentication = "internal_plain"',
        'storage = "internal"',
        'c2s_require_encryption = false',
        'allow_unencrypted_plain_auth = true',
        `s2s_require_encryption = ${options.s2sTls ? 'true' : 'false'}`,
        's2s_secure_auth = false',
        ...options.hosts.map((h) => `VirtualHost ${lua(h.domain)}\n  ${ssl(h.domain)}`),
        ...(options.components ?? []).map((c) => `Component ${lua(c.domain)}\n  component_secret = ${lua(c.secret)}\n  ${ssl(c.domain)}`),
        ...(options.uploads ?? []).map(
          (u) =>
            `Component ${lua(u.domain)} "http_file_share"\n  http_file_share_access = { ${(u.access ?? []).map(lua).join(', ')} }\n` +
            `  http_file_share_size_limit = ${u.sizeLimit ?? 10 * 1024 * 1024}\n  http_file_share_daily_quota = ${(u.sizeLimit ?? 10 * 1024 * 1024) * 100}`,
        ),
        '',
      ].join('\n'),
    );
  };
  writeConfig();

  for (const host of options.hosts) {
    for (const [user, password] of Object.entries(host.users ?? {})) {
      registerUser(configPath, user, host.domain, password);
    }
  }

  const prosody: Prosody = {
    name: options.name,
    dir,
    c2sPort,
    s2sPort,
    componentPort,
    httpPort,
    setRoutes(more) {
      routes = { ...routes, ...more };
      writeConfig();
    },
    async start() {
      if (child) return;
      child = await startProsodyProcess(configPath, [c2sPort, s2sPort, ...(httpPort === undefined ? [] : [httpPort])]);
    },
    async stop() {
      const running = child;
      child = undefined;
      await running?.stop();
    },
    log() {
      return existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    },
    async dispose() {
      await prosody.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return prosody;
}
