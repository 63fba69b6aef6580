// HTTP routes for file content: the single-use upload URLs that files.getUploadURLExternal
// returns (`POST /upload/v1/<token>`) and the `url_private` and `url_private_download` links
// (`GET /files-pri/<team>-<file>/[download/]<name>`). server.ts passes these requests over
// unread, and a Fastify instance with @fastify/multipart handles them.

import http from 'node:http';
import type { Readable } from 'node:stream';

import multipart from '@fastify/multipart';
import { create as createContentDisposition } from 'content-disposition';
import Fastify from 'fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { isFileVisibleToApp } from './file-views.js';
import type { SlackState } from './state.js';

export interface FileHttp {
  /** Handles a request for which isFileHttpPath is true. */
  handle(request: http.IncomingMessage, response: http.ServerResponse): void;
  close(): Promise<void>;
}

export function isFileHttpPath(pathname: string): boolean {
  return pathname.startsWith('/upload/') || pathname.startsWith('/files-pri/');
}

/**
 * Reads a stream into one buffer. Resolves undefined as soon as the content passes
 * `maxBytes` and leaves the rest unread. A busboy file stream signals that with a `limit`
 * event once it passes its own fileSize limit.
 */
export function collectUpTo(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;

    const finish = (outcome: () => void) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('limit', onLimit);
      stream.off('error', onError);
      stream.off('close', onClose);
      outcome();
    };
    const onLimit = () => {
      stream.pause();
      finish(() => resolve(undefined));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        onLimit();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error) => finish(() => reject(error));
    const onClose = () => finish(() => reject(new Error('The request closed before its body ended.')));

    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('limit', onLimit);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** Sends a short text response and closes the connection, so the rest of the request body is never read. */
function replyAndClose(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  reply.raw.once('finish', () => request.raw.destroy());
  return reply.code(status).header('connection', 'close').type('text/plain; charset=utf-8').send(`${message}\n`);
}

type ReceivedUpload =
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'too_large' }
  | { kind: 'no_file' }
  | { kind: 'invalid_multipart'; reason: string };

/**
 * Reads an upload's content: the whole body, or the first file part of a multipart/form-data
 * body under any field name (the SDK's files.uploadV2 names it `body`).
 */
async function receiveUpload(request: FastifyRequest, length: number): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    const bytes = await collectUpTo(request.raw, length);
    return bytes === undefined ? { kind: 'too_large' } : { kind: 'bytes', bytes };
  }

  try {
    const part = await request.file({ limits: { fileSize: length, files: 1 } });
    if (part === undefined) {
      return { kind: 'no_file' };
    }
    const bytes = await collectUpTo(part.file, length);
    // Busboy cuts a file part at fileSize and sets `truncated`. Its `limit` event comes before
    // collectUpTo listens when the whole part arrives in one chunk.
    return bytes === undefined || part.file.truncated ? { kind: 'too_large' } : { kind: 'bytes', bytes };
  } catch (error) {
    // Busboy rejects a missing boundary or a body that ends inside a part.
    return { kind: 'invalid_multipart', reason: error instanceof Error ? error.message : String(error) };
  }
}

function rejectUpload(request: FastifyRequest, reply: FastifyReply, received: Exclude<ReceivedUpload, { kind: 'bytes' }>, length: number): FastifyReply {
  switch (received.kind) {
    case 'too_large':
      return replyAndClose(request, reply, 413, `Request body is larger than the declared length of ${length} bytes.`);
    case 'no_file':
      return replyAndClose(request, reply, 400, 'The multipart/form-data body has no file part; send the content as a file part or as the raw body.');
    case 'invalid_multipart':
      return replyAndClose(request, reply, 400, `Invalid multipart/form-data body (${received.reason}); send the content as a file part or as the raw body.`);
  }
}

async function handleUpload(state: SlackState, request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const claim = state.files.claimUpload(request.params.token);
  if (claim === undefined) {
    return replyAndClose(request, reply, 404, 'Not found: this upload URL is unknown, was already used, or is receiving another request.');
  }

  let received: ReceivedUpload;
  try {
    received = await receiveUpload(request, claim.file.size);
  } catch (error) {
    claim.release();
    throw error;
  }

  if (received.kind !== 'bytes') {
    claim.release();
    return rejectUpload(request, reply, received, claim.file.size);
  }

  claim.store(received.bytes);
  return reply.code(200).type('text/plain; charset=utf-8').send(`OK - ${received.bytes.length}`);
}

/** Serves a file's content to a bot token with files:read that can see the file. */
function serveFile(
  state: SlackState,
  request: FastifyRequest<{ Params: { key: string } }>,
  reply: FastifyReply,
  asAttachment: boolean,
): FastifyReply {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const app = token === undefined ? undefined : state.appByToken(token);
  if (app === undefined || !app.scopes.has('files:read')) {
    // NOTE: real Slack may respond to a request without a usable token with its sign-in page
    // (HTML with status 200) or a redirect rather than 403.
    return reply
      .code(403)
      .type('text/plain; charset=utf-8')
      .send('Forbidden: send "Authorization: Bearer <token>" with the token of an app that has the files:read scope.\n');
  }

  const separator = request.params.key.indexOf('-');
  const teamId = request.params.key.slice(0, separator);
  const file = state.files.get(request.params.key.slice(separator + 1));
  const isServable =
    separator > 0 && file !== undefined && file.teamId === teamId && file.bytes !== undefined && isFileVisibleToApp(state, file, app);
  if (!isServable || file?.bytes === undefined) {
    return reply.code(404).type('text/plain; charset=utf-8').send('File not found.\n');
  }

  reply.header('content-type', file.mimetype).header('content-length', String(file.bytes.length));
  if (asAttachment) {
    reply.header('content-disposition', createContentDisposition(file.name));
  }
  return reply.send(file.bytes);
}

export async function createFileHttp(state: SlackState): Promise<FileHttp> {
  let route: ((request: http.IncomingMessage, response: http.ServerResponse) => void) | undefined;
  // The instance never listens. serverFactory hands over Fastify's request handler, which
  // server.ts calls for the file paths.
  const app = Fastify({
    serverFactory: (handler) => {
      route = handler;
      return http.createServer();
    },
  });

  // Upload bodies may have any content type, so every type but multipart/form-data reaches
  // the handler unread as request.raw.
  app.removeAllContentTypeParsers();
  await app.register(multipart);
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.post<{ Params: { token: string } }>('/upload/v1/:token', (request, reply) => handleUpload(state, request, reply));
  app.get<{ Params: { key: string } }>('/files-pri/:key/download/*', (request, reply) => serveFile(state, request, reply, true));
  app.get<{ Params: { key: string } }>('/files-pri/:key/*', (request, reply) => serveFile(state, request, reply, false));

  app.setNotFoundHandler((request, reply) => replyAndClose(request, reply, 404, 'Not found.'));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500 && !request.raw.destroyed) {
      // The route pattern, not the URL, because an upload URL's token is a credential.
      console.error(`Slack simulator file request ${request.method} ${request.routeOptions.url ?? '(no route)'} failed:`, error.stack ?? error.message);
    }
    return replyAndClose(request, reply, status, status >= 500 ? 'Internal error.' : error.message);
  });

  await app.ready();
  const handler = route;
  if (handler === undefined) {
    throw new Error('Fastify did not call serverFactory; the file routes have no request handler.');
  }

  return {
    handle: (request, response) => handler(request, response),
    close: () => app.close(),
  };
}
