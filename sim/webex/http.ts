// The Fastify application: the tracking id, injected faults, bearer authentication and rate
// limits run as hooks before every `/v1` route; errors become the Webex error body.
import { timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WebexApiError, errorBody, forbidden, unauthorized } from './errors.js';
import { newTrackingId } from './ids.js';
import type { Caller, PersonRecord, WebexState } from './state.js';
import type { TrafficControl } from './traffic.js';

/** Header that marks in-process requests of the programmatic API, exempt from faults and rate limits. */
export const INTERNAL_HEADER = 'x-parley-sim-internal';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on the routes that read multipart/form-data bodies. Other routes reject such bodies with 415. */
    acceptsMultipart?: boolean;
  }
}

/** What every route module gets: the model and the caller of a request. */
export interface ApiContext {
  readonly state: WebexState;
  caller(request: FastifyRequest): Caller;
  /** The calling person, bot or guest; a service app token gets 403. */
  person(request: FastifyRequest): PersonRecord;
  /** Absolute URL of `path` on this server as the client addressed it, for Link headers and file URLs. */
  absoluteUrl(request: FastifyRequest, path: string): string;
  /** Maximum size of one uploaded file, in bytes. */
  readonly maxFileBytes: number;
}

export interface AppOptions {
  state: WebexState;
  traffic: TrafficControl;
  internalKey: string;
  maxFileBytes: number;
}

function parseForm(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const previous = fields[key];
    if (previous === undefined) {
      fields[key] = value;
    } else {
      fields[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
  }
  return fields;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) {
    return false;
  }
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

export function buildApp(options: AppOptions): { app: FastifyInstance; context: ApiContext } {
  const { state, traffic } = options;
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const callers = new WeakMap<FastifyRequest, Caller>();
  const trackingIds = new WeakMap<FastifyRequest, string>();
  const losing = new WeakSet<FastifyRequest>();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(String(body)));
  });
  // The multipart parser leaves the body unread, so the 1 MB bodyLimit above does not apply to
  // it. readMultipartMessage enforces maxFileBytes plus room for the form fields instead.
  void app.register(multipart, { throwFileSizeLimit: false });

  const resolveCaller = (request: FastifyRequest): Caller => {
    const token = bearerToken(request);
    if (token === undefined) {
      throw unauthorized('The request requires a valid access token set in the Authorization request header as "Bearer <token>".');
    }
    const record = state.tokens.get(token);
    if (!record || (record.expiresAt !== undefined && record.expiresAt <= Date.now())) {
      throw unauthorized('The access token is invalid or has expired. Get a new token and retry.');
    }
    if (record.kind === 'serviceApp') {
      const serviceApp = state.serviceApps.get(record.subjectId);
      if (serviceApp) {
        return { kind: 'serviceApp', token, app: serviceApp };
      }
    } else {
      const person = state.people.get(record.subjectId);
      if (person) {
        return { kind: 'person', token, person };
      }
    }
    throw unauthorized('The access token belongs to an identity that no longer exists.');
  };

  app.addHook('onRequest', async (request, reply) => {
    const trackingId = newTrackingId();
    trackingIds.set(request, trackingId);
    void reply.header('trackingid', trackingId);

    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/v1/')) {
      return;
    }

    const internal = sameSecret(request.headers[INTERNAL_HEADER], options.internalKey);
    if (!internal && traffic.checkFaults(request.method, path) === 'lose-response') {
      losing.add(request);
    }
    const caller = resolveCaller(request);
    if (!internal) {
      traffic.checkRate(caller.token);
    }
    callers.set(request, caller);
  });

  app.addHook('preHandler', async (request) => {
    // An unknown path has no route URL and keeps its 404.
    const known = request.routeOptions.url !== undefined;
    if (known && request.isMultipart() && request.routeOptions.config.acceptsMultipart !== true) {
      throw new WebexApiError(
        415,
        `${request.method} ${request.url.split('?')[0]} does not accept multipart/form-data; send application/json or application/x-www-form-urlencoded. Only POST /v1/messages takes a file upload.`,
      );
    }
  });

  // A lost response: the route has run; the client sees the connection drop instead.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (losing.has(request)) {
      request.raw.socket.destroy();
    }
    return payload;
  });

  const sendError = (request: FastifyRequest, reply: FastifyReply, status: number, message: string, retryAfter?: number): FastifyReply => {
    if (retryAfter !== undefined) {
      void reply.header('retry-after', String(retryAfter));
    }
    const trackingId = trackingIds.get(request) ?? newTrackingId();
    return reply.code(status).type('application/json').send(errorBody(message, trackingId));
  };

  app.setErrorHandler((error: FastifyError | WebexApiError, request, reply) => {
    if (error instanceof WebexApiError) {
      return sendError(request, reply, error.status, error.message, error.retryAfter);
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 415) {
      return sendError(
        request,
        reply,
        status,
        'Unsupported content type: send application/json or application/x-www-form-urlencoded. To upload a file, send POST /v1/messages as multipart/form-data with the file in the field files.',
      );
    }
    const message = status === 500 ? 'Internal error in the Webex simulator.' : `Invalid request: ${error.message}`;
    if (status === 500) {
      console.error('Webex simulator route failed', error);
    }
    return sendError(request, reply, status, message);
  });

  app.setNotFoundHandler((request, reply) => {
    return sendError(request, reply, 404, `The requested resource ${request.method} ${request.url.split('?')[0]} could not be found.`);
  });

  const context: ApiContext = {
    state,
    caller(request) {
      const caller = callers.get(request);
      if (!caller) {
        throw unauthorized('The request requires a valid access token.');
      }
      return caller;
    },
    person(request) {
      const caller = context.caller(request);
      if (caller.kind !== 'person') {
        throw forbidden('This call needs a person, bot or guest token; a service app token cannot use it.');
      }
      return caller.person;
    },
    absoluteUrl(request, path) {
      const host = request.headers.host ?? '127.0.0.1';
      return `${request.protocol}://${host}${path}`;
    },
    maxFileBytes: options.maxFileBytes,
  };

  return { app, context };
}
