// The tokens the simulator signs on activities to the bot, checked the way a Teams bot must
// check them: keys from the metadata's jwks_uri, issuer, audience, msteams endorsement and the
// serviceurl claim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type JWK, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { PublishedKey } from '../../../sim/teams/index.js';
import { APP_ID, startWorld } from './helpers.js';

async function fetchJwks(url: string): Promise<{ keys: PublishedKey[] }> {
  return (await (await fetch(url)).json()) as { keys: PublishedKey[] };
}

function bearerOf(header: string | undefined): string {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  assert.ok(match?.[1], `Authorization header ${String(header)} carries a bearer token`);
  return match[1];
}

test('metadata points to own JWKS', async (t) => {
  const { sim } = await startWorld(t);

  const response = await fetch(sim.openIdMetadataUrl);
  const metadata = (await response.json()) as Record<string, unknown>;

  assert.equal(response.status, 200);
  assert.equal(metadata.issuer, 'https://api.botframework.com');
  assert.equal(metadata.jwks_uri, sim.jwksUrl);
  assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256']);
  assert.equal(sim.stats().metadataRequests, 1);
});

test('JWKS lists endorsed and unendorsed keys', async (t) => {
  const { sim } = await startWorld(t);

  const { keys } = await fetchJwks(sim.jwksUrl);
  const byKid = new Map(keys.map((key) => [key.kid, key]));

  assert.equal(keys.length, 2);
  assert.ok(byKid.get(sim.keyId())?.endorsements.includes('msteams'));
  assert.equal(byKid.get(sim.keyId('unendorsed'))?.endorsements.includes('msteams'), false);
  assert.equal(byKid.has(sim.keyId('unpublished')), false);
  assert.equal(byKid.get(sim.keyId())?.kty, 'RSA');
  assert.equal(byKid.get(sim.keyId())?.d, undefined, 'no private key material');
  assert.equal(sim.stats().jwksRequests, 1);
});

test('activity token verifies with JWKS', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  sim.sendMessage(alice.id, 'hello');
  const [received] = await bot.waitFor(1);
  assert.ok(received);

  const token = bearerOf(received.headers.authorization);
  const { keys } = await fetchJwks(sim.jwksUrl);
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: keys as JWK[] }), {
    issuer: 'https://api.botframework.com',
    audience: APP_ID,
    algorithms: ['RS256', 'RS384', 'RS512'],
    clockTolerance: 300,
  });
  const signingKey = keys.find((key) => key.kid === protectedHeader.kid);

  assert.equal(payload.serviceurl, received.activity.serviceUrl);
  assert.equal(received.activity.serviceUrl, sim.serviceUrl);
  assert.ok(signingKey?.endorsements.includes(received.activity.channelId));
  assert.equal(typeof payload.nbf, 'number');
  assert.equal((payload.exp ?? 0) - (payload.nbf ?? 0), 3900, 'valid from 5 minutes ago for one hour');
});

test('forged tokens fail verification', async (t) => {
  const { sim } = await startWorld(t);
  const jwks = createLocalJWKSet({ keys: (await fetchJwks(sim.jwksUrl)).keys as JWK[] });
  const verify = (token: string) => jwtVerify(token, jwks, { issuer: 'https://api.botframework.com', audience: APP_ID });

  const unpublished = await sim.signToken({}, { key: 'unpublished' });
  const borrowedKid = await sim.signToken({}, { key: 'unpublished', kid: sim.keyId() });
  const unsigned = await sim.signToken({}, { alg: 'none' });
  const unendorsed = await sim.signToken({}, { key: 'unendorsed' });
  const unendorsedKey = (await fetchJwks(sim.jwksUrl)).keys.find((key) => key.kid === decodeProtectedHeader(unendorsed).kid);

  await assert.rejects(verify(unpublished), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  await assert.rejects(verify(borrowedKid), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  await assert.rejects(verify(unsigned));
  // The signature is valid, so a bot must reject the token because msteams is missing from the key's endorsements.
  await verify(unendorsed);
  assert.equal(unendorsedKey?.endorsements.includes('msteams'), false);
});

test('signToken merges and removes claims', async (t) => {
  const { sim } = await startWorld(t);

  const token = await sim.signToken({ aud: 'another-app', serviceurl: undefined, extra: 1 }, { alg: 'RS384' });
  const claims = decodeJwt(token);

  assert.equal(decodeProtectedHeader(token).alg, 'RS384');
  assert.equal(claims.aud, 'another-app');
  assert.equal('serviceurl' in claims, false);
  assert.equal(claims.extra, 1);
  assert.equal(claims.iss, 'https://api.botframework.com');
});

test('rotated key needs JWKS refetch', async (t) => {
  const { sim, bot, alice } = await startWorld(t);
  const before = await fetchJwks(sim.jwksUrl);

  const kid = await sim.rotateKeys();
  sim.sendMessage(alice.id, 'after rotation');
  const [received] = await bot.waitFor(1);
  const tokenKid = decodeProtectedHeader(bearerOf(received?.headers.authorization)).kid;
  const after = await fetchJwks(sim.jwksUrl);

  assert.equal(tokenKid, kid);
  assert.equal(before.keys.some((key) => key.kid === kid), false);
  assert.equal(after.keys.some((key) => key.kid === kid), true);
  assert.equal(after.keys.length, 3, 'the previous key stays published');
});

test('retired key leaves the JWKS', async (t) => {
  const { sim } = await startWorld(t);
  const previous = sim.keyId();

  const kid = await sim.rotateKeys({ retirePrevious: true });
  const { keys } = await fetchJwks(sim.jwksUrl);

  assert.equal(keys.some((key) => key.kid === previous), false);
  assert.equal(keys.some((key) => key.kid === kid), true);
});
