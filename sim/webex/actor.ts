// Acting as one identity in-process. Each call goes through the same HTTP routes as a real
// client (Fastify's inject), so validation, permissions and webhooks behave the same.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type {
  CreateWebhookRequest,
  SendFileRequest,
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

/** The response to `downloadContent`, whatever its status. Header names are lowercase. */
export interface ContentDownload {
  status: number;
  headers: Record<string, string>;
  bytes: Buffer;
}

/** Quotes a multipart parameter value, escaping `\` and `"` with a backslash as RFC 2616 does. */
function quoteParameter(name: string, value: string): string {
  if (/[\r\n]/.test(value)) {
    throw new RangeError(`Invalid ${name} ${JSON.stringify(value)}: it must not contain line breaks.`);
  }
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Builds a multipart/form-data body with the text fields and the file in the field `files`.
 * The file name is sent as raw UTF-8 in `filename`, as browsers and HTTP libraries do.
 */
function multipartBody(fields: Record<string, string>, file: SendFileRequest['file']): { contentType: string; body: Buffer } {
  const boundary = `parley-sim-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
  }
  const fileHeader =
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename=${quoteParameter('file name', file.name)}\r\n` +
    `Content-Type: ${checkMediaType(file.mediaType)}\r\n\r\n`;
  chunks.push(Buffer.from(fileHeader, 'utf8'), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

function checkMediaType(mediaType: string): string {
  if (/[\r\n]/.test(mediaType) || mediaType.trim() === '') {
    throw new RangeError(`Invalid media type ${JSON.stringify(mediaType)}: expected a value such as application/pdf.`);
  }
  return mediaType;
}

export class WebexActor {
  /**
   * `host` is the server's host and port, sent as the Host header so that URLs the server
   * builds from it (file URLs, Link headers) point at the listening server.
   */
  constructor(
    private readonly app: FastifyInstance,
    private readonly token: string,
    private readonly internalKey: string,
    private readonly host?: string,
  ) {}

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, [INTERNAL_HEADER]: this.internalKey };
    if (this.host !== undefined) {
      headers.host = this.host;
    }
    return headers;
  }

  /**
   * Sends one API request as this identity. `path` is relative to `/v1`, such as '/messages'.
   * Throws WebexRequestError for any non-2xx status. Injected faults and rate limits do not
   * apply, so tests can act as users while the code under test is being throttled.
   */
  async request<T>(method: Method, path: string, body?: object): Promise<T> {
    const response = await this.app.inject({
      method,
      url: `/v1${path}`,
      headers: this.headers(),
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    const parsed: unknown = response.body === '' ? undefined : JSON.parse(response.body);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new WebexRequestError(method, path, response.statusCode, parsed);
    }
    return parsed as T;
  }

  /**
   * Sends a message with a file through the multipart route, as a Webex client uploads a
   * local file. Throws WebexRequestError for any non-2xx status, such as 413 for a file over
   * the simulator's maxFileBytes.
   */
  async sendFile(message: SendFileRequest): Promise<WebexMessage> {
    const { file, ...rest } = message;
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(rest)) {
      if (typeof value === 'string') {
        fields[name] = value;
      }
    }
    const { contentType, body } = multipartBody(fields, file);
    const response = await this.app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...this.headers(), 'content-type': contentType },
      payload: body,
    });
    const parsed: unknown = response.body === '' ? undefined : JSON.parse(response.body);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new WebexRequestError('POST', '/messages', response.statusCode, parsed);
    }
    return parsed as WebexMessage;
  }

  /**
   * Fetches a file by its content URL (or a path such as '/v1/contents/{id}') as this
   * identity. Returns the response for any status, so tests can check 404, 410, 423 or 428.
   */
  async downloadContent(url: string): Promise<ContentDownload> {
    const target = new URL(url, 'http://127.0.0.1');
    const response = await this.app.inject({ method: 'GET', url: `${target.pathname}${target.search}`, headers: this.headers() });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) {
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
    }
    return { status: response.statusCode, headers, bytes: response.rawPayload };
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
