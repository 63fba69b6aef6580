// An OpenID Connect identity provider for the single sign-on tests, on loopback: discovery,
// a JWKS, an authorization endpoint that signs in whoever the test names, and a token
// endpoint that checks the client secret, the redirect URI and the PKCE verifier before it
// issues an RS256 ID token. Faults let a test forge what a real provider never would.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface SignedInUser {
  email: string;
  emailVerified?: boolean;
  /** Authentication methods (RFC 8176), such as ['pwd', 'mfa']. */
  amr?: string[];
}

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorization signs in. */
  user: SignedInUser;
  /** Faults: sign with a key outside the JWKS, or return a different nonce or audience. */
  fault: 'none' | 'foreign_key' | 'wrong_nonce' | 'wrong_audience';
  tokenRequests: number;
  stop(): Promise<void>;
}

export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { user: SignedInUser; nonce: string; challenge: string; redirectUri: string }>();

  const provider: TestIdentityProvider = {
    issuer: '',
    clientId: 'parley-test',
    clientSecret: randomBytes(16).toString('hex'),
    user: { email: 'nobody@example.test' },
    fault: 'none',
    tokenRequests: 0,
    stop: async () => undefined,
  };

  const server: Server = createServer((request, response) => {
    void handle(request).then(
      ({ status, headers, body }) => response.writeHead(status, headers).end(body),
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });

  async function handle(request: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = new URL(request.url ?? '/', provider.issuer);
    const json = (status: number, value: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}/authorize`,
        token_endpoint: `${provider.issuer}/token`,
        jwks_uri: `${provider.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      if (p.get('client_id') !== provider.clientId || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
        return json(400, { error: 'invalid_request' });
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, { user: { ...provider.user }, nonce: p.get('nonce') ?? '', challenge: p.get('code_challenge')!, redirectUri: p.get('redirect_uri') ?? '' });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      back.searchParams.set('iss', provider.issuer);
      return { status: 302, headers: { location: back.href }, body: '' };
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      provider.tokenRequests += 1;
      let raw = '';
      for await (const chunk of request) raw += String(chunk);
      const form = new URLSearchParams(raw);
      const basic = (request.headers.authorization ?? '').startsWith('Basic ')
        ? Buffer.from(request.headers.authorization!.slice(6), 'base64').toString().split(':').map(decodeURIComponent)
        : [];
      const [clientId, secret] = basic.length === 2 ? basic : [form.get('client_id'), form.get('client_secret')];
      if (clientId !== provider.clientId || secret !== provider.clientSecret) return json(401, { error: 'invalid_client' });
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!grant || grant.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
        return json(400, { error: 'invalid_grant' });
      }
      const key: CryptoKey = provider.fault === 'foreign_key' ? foreign.privateKey : privateKey;
      const idToken = await new SignJWT({
        email: grant.user.email,
        email_verified: grant.user.emailVerified ?? true,
        amr: grant.user.amr ?? ['pwd', 'mfa'],
        nonce: provider.fault === 'wrong_nonce' ? 'another-nonce' : grant.nonce,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(provider.issuer)
        .setAudience(provider.fault === 'wrong_audience' ? 'someone-else' : provider.clientId)
        .setSubject(createHash('sha256').update(grant.user.email).digest('hex').slice(0, 16))
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    return json(404, { error: 'not_found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return provider;
}
