// The Fastify application: body parsers that keep the raw size for the message size limit,
// the ErrorResponse error handler, and lost responses for injected faults.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { ConnectorError, errorResponse } from './errors.js';
import type { ConnectorOperation } from './faults.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Connector operation of a route; selects injected faults and the rate limit group. */
    connectorOperation?: ConnectorOperation;
  }
}

export interface TeamsApp {
  app: FastifyInstance;
  /** Size in bytes of the request's JSON body as received; 0 without a body. */
  bodyBytes(request: FastifyRequest): number;
  /** Marks a request whose connection drops after its route has run. */
  loseResponse(request: FastifyRequest): void;
}

function parseForm(body: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    fields[key] = value;
  }
  return fields;
}

export function buildApp(maxActivityBytes: number): TeamsApp {
  // Room above the activity limit, so that the route and not the parser responds with 413 MessageSizeTooBig.
  const app = Fastify({ logger: false, bodyLimit: Math.max(2 * maxActivityBytes, 1024 * 1024) });
  const sizes = new WeakMap<FastifyRequest, number>();
  const losing = new WeakSet<FastifyRequest>();

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    sizes.set(request, raw.length);
    if (raw.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch (error) {
      done(new ConnectorError(400, 'BadArgument', 'The request body is not valid JSON.', { cause: error }), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(String(body)));
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    if (losing.has(request)) {
      request.raw.socket.destroy();
    }
    return payload;
  });

  app.setErrorHandler((error: FastifyError | ConnectorError, request, reply) => {
    if (error instanceof ConnectorError) {
      if (error.retryAfter !== undefined) {
        void reply.header('retry-after', String(error.retryAfter));
      }
      return reply.code(error.status).send(errorResponse(error.code, error.message));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send(errorResponse('MessageSizeTooBig', 'Message size too big: the activity exceeds the size limit.'));
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      console.error('Teams simulator route failed', request.method, request.url.split('?')[0], error);
      return reply.code(500).send(errorResponse('InternalServerError', 'Internal error in the Teams simulator.'));
    }
    return reply.code(status).send(errorResponse('BadArgument', `Invalid request: ${error.message}`));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return reply.code(404).send(errorResponse('NotFound', `No route for ${request.method} ${path}.`));
  });

  return {
    app,
    bodyBytes: (request) => sizes.get(request) ?? 0,
    loseResponse: (request) => {
      losing.add(request);
    },
  };
}
