// A small client for the Webex REST API over fetch. Errors become the hub's coded errors:
// 429 and 5xx are retryable (with Retry-After), other 4xx are rejections.
// Source: developer.webex.com REST API basics (Bearer auth, 429 + Retry-After, Link paging).

import type { FileContent } from '../../core/connector.js';
import { PlatformRejectedError, PlatformUnavailableError } from '../../core/errors.js';
import { multipartBody } from '../shared/files.js';
import { retryAfterMs } from '../shared/http.js';

export interface WebexMessage {
  id: string;
  roomId: string;
  roomType?: string;
  text?: string;
  markdown?: string;
  personId: string;
  personEmail?: string;
  created: string;
  /** The thread's first message, when this message is a reply in a thread. */
  parentId?: string;
  /** When the message was last edited. */
  updated?: string;
  /** Content URLs of the message's files (at most one), fetched with the reader's token. */
  files?: string[];
}

export interface WebexPerson {
  id: string;
  emails: string[];
  displayName: string;
  avatar?: string;
  orgId?: string;
  type?: string;
  /** Shown only for people in the caller's own org or an org it manages. */
  status?: string;
  title?: string;
}

export interface WebexWebhook {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  status: string;
}

export interface WebexGuest {
  id: string;
  subject: string;
  displayName: string;
  accessToken: string;
  expiresIn: number;
}

export class WebexApi {
  constructor(private readonly baseUrl: string) {}

  /** The origin content URLs must have: files are fetched only from the Webex API itself. */
  get origin(): string {
    return new URL(this.baseUrl).origin;
  }

  async request<T>(
    token: string,
    method: string,
    path: string,
    body?: Record<string, unknown> | { contentType: string; stream: AsyncIterable<Uint8Array> },
    signal?: AbortSignal,
  ): Promise<T> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    const where = `Webex ${method} ${path.split('?')[0]}`;
    let response: Response;
    const streamed = body !== undefined && 'stream' in body && 'contentType' in body;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': streamed ? (body.contentType as string) : 'application/json' } : {}),
        },
        ...(body ? (streamed ? { body: body.stream as unknown as ReadableStream, duplex: 'half' } : { body: JSON.stringify(body) }) : {}),
        ...(signal ? { signal } : {}),
      } as RequestInit);
    } catch (error) {
      throw new PlatformUnavailableError(`${where} failed: ${(error as Error).message}.`, undefined, { cause: error, outcomeUnknown: true });
    }

    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      const wait = retryAfterMs(response.headers.get('retry-after'));
      // A 429 or a 503 turns the call away before it runs; any other 5xx may come after it ran.
      const outcomeUnknown = response.status !== 429 && response.status !== 503;
      throw new PlatformUnavailableError(`${where} returned ${response.status}.`, response.status === 429 ? (wait ?? 1000) : wait, { outcomeUnknown });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new PlatformRejectedError(String(response.status), `${where} returned ${response.status}.`);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  me(token: string): Promise<WebexPerson> {
    return this.request(token, 'GET', '/people/me');
  }

  person(token: string, id: string): Promise<WebexPerson> {
    return this.request(token, 'GET', `/people/${encodeURIComponent(id)}`);
  }

  async personByEmail(token: string, email: string): Promise<WebexPerson | undefined> {
    const result = await this.request<{ items: WebexPerson[] }>(token, 'GET', `/people?email=${encodeURIComponent(email)}`);
    return result.items[0];
  }

  message(token: string, id: string): Promise<WebexMessage> {
    return this.request(token, 'GET', `/messages/${encodeURIComponent(id)}`);
  }

  recentMessages(token: string, roomId: string, max = 50): Promise<{ items: WebexMessage[] }> {
    return this.request(token, 'GET', `/messages?roomId=${encodeURIComponent(roomId)}&max=${max}`);
  }

  directMessages(token: string, personId: string): Promise<{ items: WebexMessage[] }> {
    return this.request(token, 'GET', `/messages/direct?personId=${encodeURIComponent(personId)}`);
  }

  postMessage(
    token: string,
    body: { toPersonId?: string; roomId?: string; text: string; markdown?: string; parentId?: string },
  ): Promise<WebexMessage> {
    return this.request(token, 'POST', '/messages', body);
  }

  /** Posts one file, streamed as multipart/form-data, with optional text. */
  postFile(
    token: string,
    target: { toPersonId?: string; roomId?: string; parentId?: string; text?: string; markdown?: string },
    file: FileContent,
    signal?: AbortSignal,
  ): Promise<WebexMessage> {
    const fields = Object.entries(target).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    const { contentType, body } = multipartBody(fields, 'files', file);
    return this.request(token, 'POST', '/messages', { contentType, stream: body }, signal);
  }

  editMessage(token: string, id: string, body: { roomId: string; text: string; markdown?: string }): Promise<WebexMessage> {
    return this.request(token, 'PUT', `/messages/${encodeURIComponent(id)}`, body);
  }

  deleteMessage(token: string, id: string): Promise<void> {
    return this.request(token, 'DELETE', `/messages/${encodeURIComponent(id)}`);
  }

  room(token: string, id: string): Promise<{ id: string; title?: string; type?: string }> {
    return this.request(token, 'GET', `/rooms/${encodeURIComponent(id)}`);
  }

  createRoom(token: string, title: string): Promise<{ id: string }> {
    return this.request(token, 'POST', '/rooms', { title });
  }

  /** Adds a person to a group room; one who is already a member (409) is left as they are. */
  async addMember(token: string, roomId: string, personId: string): Promise<void> {
    try {
      await this.request(token, 'POST', '/memberships', { roomId, personId });
    } catch (error) {
      if (!(error instanceof PlatformRejectedError && error.platformCode === '409')) throw error;
    }
  }

  /** Removes a person from a group room; one who is not a member is left as they are. */
  async removeMember(token: string, roomId: string, personId: string): Promise<void> {
    const found = await this.request<{ items: Array<{ id: string }> }>(
      token,
      'GET',
      `/memberships?roomId=${encodeURIComponent(roomId)}&personId=${encodeURIComponent(personId)}`,
    );
    for (const membership of found.items) {
      try {
        await this.request(token, 'DELETE', `/memberships/${encodeURIComponent(membership.id)}`);
      } catch (error) {
        if (!(error instanceof PlatformRejectedError && error.platformCode === '404')) throw error;
      }
    }
  }

  webhooks(token: string): Promise<{ items: WebexWebhook[] }> {
    return this.request(token, 'GET', '/webhooks');
  }

  createWebhook(token: string, body: Record<string, unknown>): Promise<WebexWebhook> {
    return this.request(token, 'POST', '/webhooks', body);
  }

  updateWebhook(token: string, id: string, body: Record<string, unknown>): Promise<WebexWebhook> {
    return this.request(token, 'PUT', `/webhooks/${encodeURIComponent(id)}`, body);
  }

  guestToken(serviceAppToken: string, subject: string, displayName: string): Promise<WebexGuest> {
    return this.request(serviceAppToken, 'POST', '/guests/token', { subject, displayName });
  }
}
