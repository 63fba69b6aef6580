// HTTP front of the simulator: `/api/<method>` for the Web API, `/console` for the web
// console, and the file paths (`/upload/`, `/files-pri/`) that file-http.ts serves. Plain
// node:http so the raw body and every header stay under the simulator's control.

import http from 'node:http';

import { handleConsole, handleConsoleFileShare, isConsoleFileSharePath } from './console.js';
import { isFileHttpPath } from './file-http.js';
import type { FileHttp } from './file-http.js';
import { handleWebApi, readBody } from './web-api.js';
import type { WebApiDeps } from './web-api.js';

export interface ServerDeps extends WebApiDeps {
  fileHttp: FileHttp;
}

/** Largest request body accepted; Slack's own limit is not documented, this is generous for text. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

function send(response: http.ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  response.writeHead(status, headers);
  response.end(body);
}

async function route(deps: ServerDeps, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://simulator.invalid');

  // File content is streamed by its handlers, so these paths skip the body limit below.
  if (isFileHttpPath(url.pathname)) {
    deps.fileHttp.handle(request, response);
    return;
  }
  if (isConsoleFileSharePath(url.pathname)) {
    const reply = await handleConsoleFileShare(deps.state, request, url);
    send(response, reply.status, { 'content-type': reply.type, 'cache-control': 'no-store', ...reply.headers }, reply.body);
    return;
  }

  const rawBody = await readBody(request, MAX_BODY_BYTES);

  if (url.pathname.startsWith('/api/')) {
    const result = handleWebApi(deps, {
      method: decodeURIComponent(url.pathname.slice('/api/'.length)),
      query: url.searchParams,
      contentType: request.headers['content-type'] ?? '',
      ...(request.headers.authorization !== undefined ? { authorization: request.headers.authorization } : {}),
      rawBody,
    });
    if (result.loseResponse === true) {
      response.socket?.destroy();
      return;
    }
    const headers = { 'content-type': 'application/json; charset=utf-8', ...result.headers };
    send(response, result.status, headers, JSON.stringify(result.body));
    return;
  }

  if (url.pathname === '/console' || url.pathname.startsWith('/console/')) {
    const reply = await handleConsole(deps.state, request, url, rawBody);
    send(response, reply.status, { 'content-type': reply.type, 'cache-control': 'no-store', ...reply.headers }, reply.body);
    return;
  }

  send(response, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not found. The Web API is under /api/<method>; the console is at /console.\n');
}

export function createSlackHttpServer(deps: ServerDeps): http.Server {
  return http.createServer((request, response) => {
    route(deps, request, response).catch((error: unknown) => {
      console.error('Slack simulator request failed:', error instanceof Error ? error.stack : String(error));
      if (!response.headersSent) {
        send(response, 500, { 'content-type': 'application/json; charset=utf-8' }, '{"ok":false,"error":"internal_error"}');
      } else {
        response.destroy();
      }
    });
  });
}
