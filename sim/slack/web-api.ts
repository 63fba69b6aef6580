// Web API endpoint `/api/<method>`: argument parsing, authentication, fault injection,
// scope and rate checks, then the method handler. GET with query arguments and POST are
// accepted for every method; Slack documents GET for the read methods (MethodSpec.get). Slack reports every failure as HTTP 200
// `{ok: false, error}` except rate limiting, which is HTTP 429 with Retry-After.

import type http from 'node:http';

import { MethodArgs } from './args.js';
import { SlackApiError } from './errors.js';
import type { FaultInjector } from './faults.js';
import { RateLimitedError } from './handler.js';
import type { MethodHandler } from './handler.js';
import { CHAT_METHODS } from './methods-chat.js';
import { CONVERSATION_METHODS } from './methods-conversations.js';
import { FILE_METHODS } from './methods-files.js';
import { USER_METHODS } from './methods-users.js';
import type { RateLimiter } from './ratelimit.js';
import { METHOD_SPECS, requireAnyScope, type MethodSpec } from './scopes.js';
import type { SlackState } from './state.js';

const HANDLERS: Readonly<Record<string, MethodHandler>> = {
  ...USER_METHODS,
  ...CONVERSATION_METHODS,
  ...CHAT_METHODS,
  ...FILE_METHODS,
};

export interface WebApiDeps {
  state: SlackState;
  limiter: RateLimiter;
  faults: FaultInjector;
}

export interface WebApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Drop the connection instead of sending this response (an injected fault). */
  loseResponse?: boolean;
}

export interface WebApiRequest {
  method: string;
  query: URLSearchParams;
  contentType: string;
  authorization?: string;
  rawBody: string;
}

function ok(body: Record<string, unknown>): WebApiResponse {
  return { status: 200, headers: {}, body: { ok: true, ...body } };
}

function fail(error: string, extra: Record<string, unknown> = {}): WebApiResponse {
  return { status: 200, headers: {}, body: { ok: false, error, ...extra } };
}

/**
 * Merges query and body arguments. The `token` argument counts only in form bodies and
 * queries: Slack ignores a token inside a JSON body and requires the Authorization header.
 */
function parseArgs(request: WebApiRequest): { values: Record<string, unknown>; token?: string } | SlackApiError {
  const values: Record<string, unknown> = Object.fromEntries(request.query);
  let formToken = request.query.get('token') ?? undefined;

  if (request.rawBody.length > 0) {
    if (request.contentType.startsWith('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.rawBody);
      } catch {
        return new SlackApiError('invalid_json');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return new SlackApiError('invalid_json');
      }
      Object.assign(values, parsed);
      delete values.token;
    } else if (request.contentType.startsWith('application/x-www-form-urlencoded') || request.contentType === '') {
      const form = new URLSearchParams(request.rawBody);
      Object.assign(values, Object.fromEntries(form));
      formToken = form.get('token') ?? formToken;
    } else {
      return new SlackApiError('invalid_form_data');
    }
  }

  const bearer = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '')?.[1];
  const token = bearer ?? formToken;
  return token === undefined ? { values } : { values, token };
}

export function handleWebApi(deps: WebApiDeps, request: WebApiRequest): WebApiResponse {
  const spec = METHOD_SPECS[request.method];
  const handler = HANDLERS[request.method];
  // NOTE: Slack methods this simulator does not implement (such as conversations.replies,
  // conversations.list and files.list) also get unknown_method here, which real Slack would not return.
  if (spec === undefined || handler === undefined) {
    return fail('unknown_method', { req_method: request.method });
  }

  const fault = deps.faults.take(request.method);
  if (fault !== undefined && fault.loseResponse !== true) {
    return fault;
  }
  const result = run(deps, request, spec, handler);
  return fault?.loseResponse === true ? { ...result, loseResponse: true } : result;
}

function run(deps: WebApiDeps, request: WebApiRequest, spec: MethodSpec, handler: MethodHandler): WebApiResponse {

  const parsed = parseArgs(request);
  if (parsed instanceof SlackApiError) {
    return fail(parsed.code, parsed.extra);
  }
  if (parsed.token === undefined) {
    return fail('not_authed');
  }
  const app = deps.state.appByToken(parsed.token);
  if (app === undefined) {
    return fail('invalid_auth');
  }

  try {
    requireAnyScope(app, spec.scopes);

    if (request.method !== 'chat.postMessage') {
      const retryAfter = deps.limiter.takeMethodCall(app.appId, request.method, spec.tier);
      if (retryAfter !== undefined) {
        throw new RateLimitedError(retryAfter);
      }
    }

    const args = new MethodArgs(parsed.values);
    const result = ok(handler({ app, args, state: deps.state, limiter: deps.limiter, method: request.method }));

    // Slack reports the token's scopes and the method's accepted scopes in these headers;
    // the SDK copies them into response_metadata.scopes and acceptedScopes.
    result.headers['x-oauth-scopes'] = [...app.scopes].join(',');
    result.headers['x-accepted-oauth-scopes'] = spec.scopes.join(',');
    return result;
  } catch (error) {
    if (error instanceof SlackApiError) {
      return fail(error.code, error.extra);
    }
    if (error instanceof RateLimitedError) {
      return {
        status: 429,
        headers: { 'retry-after': String(error.retryAfterSeconds) },
        body: { ok: false, error: 'ratelimited' },
      };
    }
    throw error;
  }
}

/** Reads a request body up to `maxBytes`; rejects when it is larger. */
export function readBody(request: http.IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error(`Request body exceeds ${maxBytes} bytes.`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
