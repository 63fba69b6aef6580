// The hub's HTTP server: connector webhook routes (raw bodies, for signature checks),
// health endpoints, and nothing that exposes content.

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

import type { InboundRoute } from '../core/connector.js';
import { PortInUseError } from '../core/errors.js';

export interface HttpServerOptions {
  logger: Logger;
  routes: InboundRoute[];
  ready: () => Promise<boolean>;
}

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

  // Webhook routes read the raw bytes: signatures are computed over them, never over
  // re-serialised JSON.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    for (const route of options.routes) {
      scope.post(route.path, { bodyLimit: route.bodyLimit }, async (request, reply) => {
        const started = Date.now();
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          headers[name] = Array.isArray(value) ? value[0] : value;
        }
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const response = await route.handle({ headers, rawBody, receivedAt: started });

        request.log.debug({ route: route.path, status: response.status, duration_ms: Date.now() - started }, 'Webhook handled.');
        void reply.code(response.status);
        for (const [name, value] of Object.entries(response.headers ?? {})) void reply.header(name, value);
        return reply.send(response.body ?? '');
      });
    }
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
