// Adaptive Cards (schema 1.5) the bot posts: a contact request with buttons to accept and decline.

import type { PersonCard } from '../../core/events.js';
import { platformNames } from '../../core/platform.js';

/** Builds a contact request card, whose buttons send back the command they represent. */
export function contactRequestCard(requester: PersonCard, summary: string): Record<string, unknown> {
  return {
    contentType: 'application/vnd.microsoft.card.adaptive',
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: 'Contact request', weight: 'Bolder', size: 'Medium' },
        {
          type: 'FactSet',
          facts: [
            { title: 'Name', value: requester.displayName },
            { title: 'Email', value: requester.email },
            { title: 'Organisation', value: requester.domain },
            { title: 'Platform', value: platformNames[requester.platform] },
          ],
        },
        { type: 'TextBlock', text: summary, wrap: true },
      ],
      actions: [
        { type: 'Action.Submit', title: 'Accept', data: { parleyAction: 'accept', email: requester.email } },
        { type: 'Action.Submit', title: 'Decline', data: { parleyAction: 'decline', email: requester.email } },
      ],
    },
  };
}

/** Builds the file consent card Teams shows for a file the bot offers; the user's response arrives as a `fileConsent/invoke`. */
export function fileConsentCard(name: string, size: number, description: string, consentId: string): Record<string, unknown> {
  const context = { parleyConsent: consentId };
  return {
    contentType: 'application/vnd.microsoft.teams.card.file.consent',
    name,
    content: { description, sizeInBytes: size, acceptContext: context, declineContext: context },
  };
}

/** Builds the card that shows an uploaded file in the chat, from the upload session's details. */
export function fileInfoCard(upload: { name: string; contentUrl: string; uniqueId: string; fileType: string }): Record<string, unknown> {
  return {
    contentType: 'application/vnd.microsoft.teams.card.file.info',
    contentUrl: upload.contentUrl,
    name: upload.name,
    content: { uniqueId: upload.uniqueId, fileType: upload.fileType },
  };
}
