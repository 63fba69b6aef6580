// Makes Alice (Webex) and Bob (Slack) contacts through the bot, as a user would.

import type { World } from '../../src/cli/world.js';
import { waitFor } from './wait.js';

export interface AliceAndBob {
  /** Alice's direct space with Bob's proxy, in Webex. */
  aliceRoom: string;
  /** Bob's private channel with Alice's proxy, in Slack. */
  bobChannel: string;
  /** Bob's direct message with the Parley app, in Slack. */
  bobIm: string;
}

export async function connectAliceAndBob(world: World): Promise<AliceAndBob> {
  const { webex, slack, people, slackApp } = world;
  const bobIm = slack.openIm(people.bob.id, slackApp.botUserId);
  await webex.actAs(people.alice.token).sendMessage({ toPersonEmail: people.webexBot.email, text: 'invite bob@globex.example' });
  await waitFor('contact request in Slack', () =>
    slack.inbox(people.bob.id).find((m) => m.channel === bobIm && m.text.includes('wants to connect')),
  );
  await slack.postAsUser(people.bob.id, bobIm, 'accept');
  const greeting = await waitFor('proxy greeting in Webex', () =>
    webex.inbox(people.alice.id).find((m) => m.personId !== people.webexBot.id && m.text?.includes('is now your contact')),
  );
  const proxyGreeting = await waitFor('proxy greeting in Slack', () =>
    slack.inbox(people.bob.id).find((m) => m.username === 'Alice Anders (acme.example)'),
  );
  return { aliceRoom: greeting.roomId, bobChannel: proxyGreeting.channel, bobIm };
}
