// Platform credentials at rest: sealed with AES-256-GCM under a key from the environment,
// bound to the connection they belong to, so a sealed value copied to another row does
// not open. A second, previous key lets an operator rotate without downtime: values sealed
// under it still open, and are sealed again under the current key when next written.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

import { ConfigInvalidError } from '../core/errors.js';

export const credentialsKeyVariable = 'PARLEY_CREDENTIALS_KEY';
export const previousKeyVariable = 'PARLEY_CREDENTIALS_KEY_PREVIOUS';

const version = 'v1';

/** A sealed value does not open: tampered with, moved to another row, or under an unknown key. */
export class CredentialsUnreadableError extends Error {}

interface Key {
  id: string;
  bytes: Buffer;
}

function keyFrom(value: string, variable: string): Key {
  const bytes = Buffer.from(value.trim(), 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== value.trim()) {
    throw new ConfigInvalidError(
      `${variable} must be 32 random bytes in base64 (44 characters); it decodes to ${bytes.length} bytes. Generate one with: openssl rand -base64 32`,
    );
  }
  // The key id tells which key sealed a value; it reveals nothing about the key.
  return { id: createHash('sha256').update('parley-credentials-key-id').update(bytes).digest('hex').slice(0, 8), bytes };
}

export class CredentialSealer {
  private readonly current: Key;
  private readonly keys: Map<string, Key>;

  constructor(current: string, previous?: string) {
    this.current = keyFrom(current, credentialsKeyVariable);
    this.keys = new Map([[this.current.id, this.current]]);
    if (previous !== undefined && previous !== '') {
      const old = keyFrom(previous, previousKeyVariable);
      this.keys.set(old.id, old);
    }
  }

  /** The sealer the environment configures, or undefined when no key is set. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): CredentialSealer | undefined {
    const current = env[credentialsKeyVariable];
    if (current === undefined || current === '') return undefined;
    return new CredentialSealer(current, env[previousKeyVariable]);
  }

  /** Seals a set of credentials for one connection: `v1.<key id>.<iv>.<tag>.<ciphertext>`. */
  seal(credentials: Record<string, string>, connectionId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(aad(connectionId));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return [version, this.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(sealed: string, connectionId: string): Record<string, string> {
    const [v, keyId, iv, tag, ciphertext] = sealed.split('.');
    if (v !== version || !keyId || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new CredentialsUnreadableError(`The stored credentials of connection ${connectionId} are not in a format this version reads.`);
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new CredentialsUnreadableError(
        `The credentials of connection ${connectionId} were sealed under another key (id ${keyId}). Set ${previousKeyVariable} to that key, or enter the credentials again.`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(connectionId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as Record<string, string>;
    } catch (error) {
      throw new CredentialsUnreadableError(`The stored credentials of connection ${connectionId} failed their integrity check; enter them again.`, { cause: error });
    }
  }

  /** True when a value was sealed under the previous key and should be sealed again. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}

function aad(connectionId: string): Buffer {
  return Buffer.from(`parley:connection:${connectionId}`, 'utf8');
}
