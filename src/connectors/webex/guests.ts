// Proxy identities: one Webex guest (Service App Guest Management, POST /guests/token)
// per external person. The same subject always yields the same guest person.

import { createHash } from 'node:crypto';

import type { WebexApi } from './api.js';

interface CachedGuest {
  personId: string;
  subject: string;
  token: string;
  expiresAt: number;
}

export function guestSubject(email: string): string {
  return `parley-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32)}`;
}

export class GuestTokens {
  private readonly bySubject = new Map<string, CachedGuest>();
  private readonly byPersonId = new Map<string, string>();

  constructor(
    private readonly api: WebexApi,
    private readonly serviceAppToken: string,
  ) {}

  /** Returns a valid token for the guest, fetching a new one a minute before it expires. */
  async get(subject: string, displayName: string): Promise<CachedGuest> {
    const cached = this.bySubject.get(subject);
    if (cached && cached.expiresAt - 60_000 > Date.now()) return cached;

    const guest = await this.api.guestToken(this.serviceAppToken, subject, displayName);
    const entry: CachedGuest = {
      personId: guest.id,
      subject,
      token: guest.accessToken,
      expiresAt: Date.now() + guest.expiresIn * 1000,
    };
    this.bySubject.set(subject, entry);
    this.byPersonId.set(guest.id, subject);
    return entry;
  }

  /** Remembers a guest known from a stored proxy binding, before its first token. */
  remember(personId: string, subject: string): void {
    this.byPersonId.set(personId, subject);
  }

  subjectOf(personId: string): string | undefined {
    return this.byPersonId.get(personId);
  }
}
