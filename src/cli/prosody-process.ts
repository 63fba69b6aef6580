// Runs a Prosody server as a child process with a config of the caller's own: used by the
// sandbox's XMPP partner and by the XMPP tests. Prosody comes from the system's packages.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export function prosodyInstalled(): boolean {
  try {
    execFileSync('prosodyctl', ['about'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Creates an account with the config's own storage, before the server starts. */
export function registerUser(configPath: string, user: string, host: string, password: string): void {
  execFileSync('prosodyctl', ['--config', configPath, 'register', user, host, password], { stdio: 'pipe' });
}

/** Writes a self-signed certificate for a domain, for STARTTLS in tests and the sandbox. */
export function selfSignedCertificate(domain: string, certPath: string, keyPath: string): void {
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${domain}`, '-addext', `subjectAltName=DNS:${domain}`, '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  );
}

export interface ProsodyProcess {
  stop(): Promise<void>;
  /** Resolves when the process exits on its own. */
  exited: Promise<number | null>;
}

/** Starts `prosody -F` and resolves once every port in `ports` accepts connections. */
export async function startProsodyProcess(configPath: string, ports: number[], timeoutMs = 10_000): Promise<ProsodyProcess> {
  const child: ChildProcess = spawn('prosody', ['-F', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await Promise.all(ports.map(listening));
    if (open.every(Boolean)) break;
    if (!running) throw new Error(`Prosody exited at start (config ${configPath}): ${output.join('').trim().slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Prosody did not open ports ${ports.join(', ')} within ${timeoutMs} ms (config ${configPath}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  return {
    exited,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
