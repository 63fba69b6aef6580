// The hub's HTTP server: connector webhook routes (raw bodies, for signature checks),
// health endpoints, and nothing that exposes content.

import { existsSync } from 'node:fs';
import path from 'node:path';

import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

import type { InboundRoute } from '../core/connector.js';
import { PortInUseError } from '../core/errors.js';
import { safeEqual } from '../connectors/shared/http.js';

export interface HttpServerOptions {
  logger: Logger;
  /** Finds the connector route for a webhook path; connections come and go while the hub runs. */
  route: (path: string) => InboundRoute | undefined;
  ready: () => Promise<boolean>;
  /** The built portal (web/dist), served under /portal/; absent when it was not built. */
  portalDir?: string;
  /** Prometheus exposition, and the bearer token a scrape must carry when one is set. */
  metrics?: { read: () => Promise<{ contentType: string; body: string }>; token?: string };
}

/** No platform's webhook body comes near this; each route's own limit is checked below it. */
const hookBodyCeiling = 1024 * 1024;

export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    // Fastify's per-request lines carry URLs only; they stay below the default level.
    loggerInstance: options.logger.child({ component: 'http' }, { level: 'warn' }) as unknown as FastifyBaseLogger,
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await options.ready();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready' });
  });

  // The portal is a single-page app: its files by name, and index.html for its own routes.
  const portalDir = options.portalDir;
  if (portalDir !== undefined && existsSync(path.join(portalDir, 'index.html'))) {
    void app.register(fastifyStatic, { root: portalDir, prefix: '/portal/', wildcard: false, index: 'index.html' });
    app.get('/portal/*', async (request, reply) => {
      if (/\.[a-z0-9]+$/i.test(request.url.split('?')[0]!)) return reply.code(404).send({ error: 'not_found', message: 'No such portal file.' });
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    });
    app.get('/', async (_request, reply) => reply.redirect('/portal/', 302));
  } else {
    app.get('/portal/*', async (_request, reply) =>
      reply.code(503).send({ error: 'portal_not_built', message: 'The portal is not built. Run "npm run build:web" (npm start does it first) and restart the hub.' }),
    );
  }

  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', async (request, reply) => {
      if (metrics.token !== undefined && !safeEqual(request.headers.authorization ?? '', `Bearer ${metrics.token}`)) {
        return reply.code(401).send({ error: 'unauthorized', message: 'Send the server.metricsToken as a bearer token to read /metrics.' });
      }
      const { contentType, body } = await metrics.read();
      return reply.type(contentType).send(body);
    });
  }

  // Webhook routes read the raw bytes: signatures are computed over them, never over
  // re-serialised JSON.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post('/hooks/*', { bodyLimit: hookBodyCeiling }, async (request, reply) => {
      const started = Date.now();
      const path = request.url.split('?')[0]!;
      const route = options.route(path);
      if (!route) return reply.code(404).send({ error: 'not_found', message: `No connection serves ${path.slice(0, 200)}.` });
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (rawBody.length > route.bodyLimit) {
        return reply.code(413).send({ error: 'payload_too_large', message: `Request body of ${rawBody.length} bytes exceeds the limit of ${route.bodyLimit} bytes.` });
      }
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        headers[name] = Array.isArray(value) ? value[0] : value;
      }
      const response = await route.handle({ headers, rawBody, receivedAt: started });

      request.log.debug({ route: route.path, status: response.status, duration_ms: Date.now() - started }, 'Webhook handled.');
      void reply.code(response.status);
      for (const [name, value] of Object.entries(response.headers ?? {})) void reply.header(name, value);
      return reply.send(response.body ?? '');
    });
  });

  return app;
}

/** Starts listening; a port in use becomes one clear error naming the port and the fix. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port, { cause: error });
    throw error;
  }
}
