// The RSA keys of the simulated Bot Framework. The JWKS publishes the signing keys with their
// channel endorsements. One more published key lacks the msteams endorsement and one key is
// not published; tests forge bad tokens with these two. A last key signs the simulated Entra
// ID access tokens.
import { type JWK, type JWTPayload, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import { newKeyId } from './ids.js';

/** Choice of signing key: the current endorsed one, the published one without msteams, or one absent from the JWKS. */
export type SigningKeyChoice = 'published' | 'unendorsed' | 'unpublished';

/** `none` writes an unsigned token, which every verifier must reject. */
export type TokenAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'none';

/** Channels that endorse the published signing keys. A Teams bot must find `msteams` here. */
export const ENDORSEMENTS = ['msteams', 'skype'];

/** Endorsements of the published key that Teams activities must not be accepted with. */
export const OTHER_CHANNEL_ENDORSEMENTS = ['webchat', 'directline'];

export interface KeyPairJwk {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/**
 * Private and public keys a simulator starts with. Tests may generate them once with
 * generateKeyMaterial and pass them to every simulator they start, because RSA key generation
 * takes about 100 ms per key.
 */
export interface TeamsKeyMaterial {
  endorsed: KeyPairJwk;
  unendorsed: KeyPairJwk;
  unpublished: KeyPairJwk;
  /** Signs the access tokens of the token endpoint; never published. */
  accessToken: KeyPairJwk;
}

/** A key as the JWKS lists it, with the Bot Framework's `endorsements` extension. */
export interface PublishedKey extends JWK {
  kid: string;
  endorsements: string[];
}

/** A key imported for jose, as importJWK returns it. */
type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

interface KeyEntry extends KeyPairJwk {
  /** Absent for a key that the JWKS does not list. */
  endorsements: string[] | undefined;
  imported: Map<string, ImportedKey>;
}

export async function generateKeyPairJwk(): Promise<KeyPairJwk> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = newKeyId();
  return { kid, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

export async function generateKeyMaterial(): Promise<TeamsKeyMaterial> {
  const [endorsed, unendorsed, unpublished, accessToken] = await Promise.all([
    generateKeyPairJwk(),
    generateKeyPairJwk(),
    generateKeyPairJwk(),
    generateKeyPairJwk(),
  ]);
  return { endorsed, unendorsed, unpublished, accessToken };
}

function entry(pair: KeyPairJwk, endorsements: string[] | undefined): KeyEntry {
  return { ...pair, endorsements, imported: new Map() };
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export class KeyRing {
  /** Endorsed published keys, newest first; the first one signs the tokens sent to the bot. */
  private endorsed: KeyEntry[];
  private readonly unendorsed: KeyEntry;
  private readonly unpublished: KeyEntry;
  readonly accessToken: KeyEntry;

  constructor(material: TeamsKeyMaterial) {
    this.endorsed = [entry(material.endorsed, ENDORSEMENTS)];
    this.unendorsed = entry(material.unendorsed, OTHER_CHANNEL_ENDORSEMENTS);
    this.unpublished = entry(material.unpublished, undefined);
    this.accessToken = entry(material.accessToken, undefined);
  }

  /** Returns the JWKS document: every endorsed key, then the key endorsed for other channels only. */
  jwks(): { keys: PublishedKey[] } {
    const keys = [...this.endorsed, this.unendorsed].map((key) => ({
      kty: key.publicJwk.kty,
      use: 'sig',
      kid: key.kid,
      n: key.publicJwk.n,
      e: key.publicJwk.e,
      endorsements: [...(key.endorsements ?? [])],
    }));
    return { keys };
  }

  /** Key id of the key that signs the tokens sent to the bot now. */
  currentKid(): string {
    return this.current().kid;
  }

  kidOf(choice: SigningKeyChoice): string {
    return this.choose(choice).kid;
  }

  /**
   * Adds a new endorsed key, publishes it and signs with it from now on. With
   * `retirePrevious`, the older endorsed keys leave the JWKS, so tokens they signed stop verifying.
   */
  async rotate(options: { retirePrevious?: boolean } = {}): Promise<string> {
    const fresh = entry(await generateKeyPairJwk(), ENDORSEMENTS);
    this.endorsed = options.retirePrevious === true ? [fresh] : [fresh, ...this.endorsed];
    return fresh.kid;
  }

  /** Signs `claims` as a JWT with the chosen key; `kid` overrides the header's key id. */
  async sign(claims: JWTPayload, options: { key?: SigningKeyChoice; alg?: TokenAlgorithm; kid?: string } = {}): Promise<string> {
    const key = this.choose(options.key ?? 'published');
    const alg = options.alg ?? 'RS256';
    const kid = options.kid ?? key.kid;

    if (alg === 'none') {
      return `${base64urlJson({ alg: 'none', typ: 'JWT', kid })}.${base64urlJson(claims)}.`;
    }
    return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid }).sign(await this.importFor(key, alg));
  }

  /** Signs an access token of the simulated Entra ID token endpoint. */
  async signAccessToken(claims: JWTPayload): Promise<string> {
    const key = this.accessToken;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(await this.importFor(key, 'RS256'));
  }

  private current(): KeyEntry {
    const key = this.endorsed[0];
    if (key === undefined) {
      throw new Error('The key ring has no endorsed key.');
    }
    return key;
  }

  private choose(choice: SigningKeyChoice): KeyEntry {
    if (choice === 'published') {
      return this.current();
    }
    return choice === 'unendorsed' ? this.unendorsed : this.unpublished;
  }

  // A WebCrypto RSA key is bound to one hash, so each algorithm needs its own import.
  private async importFor(key: KeyEntry, alg: string): Promise<ImportedKey> {
    let imported = key.imported.get(alg);
    if (imported === undefined) {
      imported = (await importJWK(key.privateJwk, alg));
      key.imported.set(alg, imported);
    }
    return imported;
  }

  /** Imports the public access token key for verification on the Connector routes. */
  async accessTokenPublicKey(): Promise<ImportedKey> {
    const cacheKey = 'public:RS256';
    let imported = this.accessToken.imported.get(cacheKey);
    if (imported === undefined) {
      imported = (await importJWK(this.accessToken.publicJwk, 'RS256'));
      this.accessToken.imported.set(cacheKey, imported);
    }
    return imported;
  }
}
