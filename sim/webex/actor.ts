// Acting as one identity in-process. Each call goes through the same HTTP routes as a real
// client (Fastify's inject), so validation, permissions and webhooks behave the same.
import type { FastifyInstance } from 'fastify';
import type {
  CreateWebhookRequest,
  SendMessageRequest,
  WebexMembership,
  WebexMessage,
  WebexPerson,
  WebexRoom,
  WebexWebhook,
} from './api-types.js';
import { WebexRequestError } from './errors.js';
import { INTERNAL_HEADER } from './http.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export class WebexActor {
  constructor(
    private readonly app: FastifyInstance,
    private readonly token: string,
    private readonly internalKey: string,
  ) {}

  /**
   * Sends one API request as this identity. `path` is relative to `/v1`, such as '/messages'.
   * Throws WebexRequestError for any non-2xx status. Injected faults and rate limits do not
   * apply, so tests can act as users while the code under test is being throttled.
   */
  async request<T>(method: Method, path: string, body?: object): Promise<T> {
    const response = await this.app.inject({
      method,
      url: `/v1${path}`,
      headers: { authorization: `Bearer ${this.token}`, [INTERNAL_HEADER]: this.internalKey },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    const parsed: unknown = response.body === '' ? undefined : JSON.parse(response.body);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new WebexRequestError(method, path, response.statusCode, parsed);
    }
    return parsed as T;
  }

  me(): Promise<WebexPerson> {
    return this.request('GET', '/people/me');
  }

  sendMessage(message: SendMessageRequest): Promise<WebexMessage> {
    return this.request('POST', '/messages', message);
  }

  editMessage(messageId: string, edit: { roomId: string; text?: string; markdown?: string }): Promise<WebexMessage> {
    return this.request('PUT', `/messages/${encodeURIComponent(messageId)}`, edit);
  }

  async deleteMessage(messageId: string): Promise<void> {
    await this.request('DELETE', `/messages/${encodeURIComponent(messageId)}`);
  }

  getMessage(messageId: string): Promise<WebexMessage> {
    return this.request('GET', `/messages/${encodeURIComponent(messageId)}`);
  }

  createRoom(title: string): Promise<WebexRoom> {
    return this.request('POST', '/rooms', { title });
  }

  addMember(roomId: string, member: { personId?: string; personEmail?: string; isModerator?: boolean }): Promise<WebexMembership> {
    return this.request('POST', '/memberships', { roomId, ...member });
  }

  createWebhook(webhook: CreateWebhookRequest): Promise<WebexWebhook> {
    return this.request('POST', '/webhooks', webhook);
  }
}
