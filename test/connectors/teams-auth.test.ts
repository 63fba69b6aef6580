// The Teams bot endpoint's token checks, against the simulator's own OpenID metadata, key
// set and signatures: one valid token, then each way a token can be wrong.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startTeamsSimulator, type TeamsSimulator } from '../../sim/teams/index.js';
import { ActivityAuthenticator } from '../../src/connectors/teams/auth.js';
import { SignatureInvalidError } from '../../src/core/errors.js';

describe('Teams activity tokens', () => {
  let sim: TeamsSimulator;
  let auth: ActivityAuthenticator;
  let activity: { channelId: string; serviceUrl: string };
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    sim = await startTeamsSimulator({ tenants: [{ name: 'Initech', domain: 'initech.example', users: [{ name: 'Ivy Ito', email: 'ivy@initech.example' }] }] });
    auth = new ActivityAuthenticator({ appId: sim.bot.appId, openIdMetadataUrl: sim.openIdMetadataUrl, channelId: 'msteams' });
    activity = { channelId: 'msteams', serviceUrl: sim.serviceUrl };
  });
  after(() => sim.close());

  const rejected = async (token: string, on = activity) => {
    await assert.rejects(auth.verify(`Bearer ${token}`, on), SignatureInvalidError);
  };

  test('a valid token passes', async () => {
    const claims = await auth.verify(`Bearer ${await sim.signToken()}`, activity);
    assert.equal(claims.aud, sim.bot.appId);
  });

  test('an expired token fails', async () => {
    await rejected(await sim.signToken({ nbf: now() - 7200, exp: now() - 600 }));
  });

  test('skew of four minutes passes', async () => {
    await auth.verify(`Bearer ${await sim.signToken({ nbf: now() - 3600, exp: now() - 240 })}`, activity);
  });

  test('a future token fails', async () => {
    await rejected(await sim.signToken({ nbf: now() + 600 }));
  });

  test('a wrong audience fails', async () => {
    await rejected(await sim.signToken({ aud: 'another-bot' }));
  });

  test('a wrong issuer fails', async () => {
    await rejected(await sim.signToken({ iss: 'https://sts.windows.net/evil/' }));
  });

  test('an unknown key id fails', async () => {
    await rejected(await sim.signToken({}, { kid: 'no-such-key' }));
  });

  test('an unendorsed key fails', async () => {
    await rejected(await sim.signToken({}, { key: 'unendorsed' }));
  });

  test('another serviceurl fails', async () => {
    await rejected(await sim.signToken({ serviceurl: 'https://attacker.example/' }));
  });

  test('an unsigned token fails', async () => {
    await rejected(await sim.signToken({}, { alg: 'none' }));
  });

  test('an unpublished key fails', async () => {
    await rejected(await sim.signToken({}, { key: 'unpublished' }));
  });

  test('a signature under another kid fails', async () => {
    const published = sim.keyId('published');
    await rejected(await sim.signToken({}, { key: 'unpublished', kid: published }));
  });

  test('a missing header fails', async () => {
    await assert.rejects(auth.verify(undefined, activity), SignatureInvalidError);
  });

  test('another channel fails', async () => {
    await rejected(await sim.signToken(), { ...activity, channelId: 'directline' });
  });

  test('forged key ids read the keys once', async () => {
    const fresh = new ActivityAuthenticator({ appId: sim.bot.appId, openIdMetadataUrl: sim.openIdMetadataUrl, channelId: 'msteams' });
    await fresh.verify(`Bearer ${await sim.signToken()}`, activity);
    const before = sim.stats().jwksRequests;
    for (let i = 0; i < 20; i++) {
      await assert.rejects(fresh.verify(`Bearer ${await sim.signToken({}, { kid: `forged-${i}` })}`, activity), SignatureInvalidError);
    }
    assert.equal(sim.stats().jwksRequests - before, 1);
  });

  test('first tokens at once pass', async () => {
    const fresh = new ActivityAuthenticator({ appId: sim.bot.appId, openIdMetadataUrl: sim.openIdMetadataUrl, channelId: 'msteams' });
    const tokens = await Promise.all([sim.signToken(), sim.signToken(), sim.signToken()]);
    const results = await Promise.allSettled(tokens.map((token) => fresh.verify(`Bearer ${token}`, activity)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled']);
  });

  test('a rotated key is fetched', async () => {
    const fresh = new ActivityAuthenticator({ appId: sim.bot.appId, openIdMetadataUrl: sim.openIdMetadataUrl, channelId: 'msteams' });
    await fresh.verify(`Bearer ${await sim.signToken()}`, activity);
    await sim.rotateKeys();
    const claims = await fresh.verify(`Bearer ${await sim.signToken()}`, activity);
    assert.equal(claims.iss, 'https://api.botframework.com');
  });
});
