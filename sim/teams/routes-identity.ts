// The identity endpoints: the Bot Framework's OpenID metadata and JWKS, which bots use to
// check the tokens on incoming activities, and the Entra ID token endpoint, which gives bots
// the access tokens for the Connector.
import type { FastifyInstance } from 'fastify';
import type { SimContext } from './context.js';
import { ConnectorError } from './errors.js';
import { BOT_FRAMEWORK_ISSUER } from './delivery.js';
import type { TeamsApp } from './http.js';
import { type TokenRequestForm, aadError } from './tokens.js';

export const OPENID_METADATA_PATH = '/v1/.well-known/openidconfiguration';
export const JWKS_PATH = '/v1/.well-known/keys';

function formOf(body: unknown): TokenRequestForm {
  if (typeof body !== 'object' || body === null) {
    return {};
  }
  const fields = body as Record<string, unknown>;
  const text = (name: string): string | undefined => (typeof fields[name] === 'string' ? fields[name] : undefined);
  return { grant_type: text('grant_type'), client_id: text('client_id'), client_secret: text('client_secret'), scope: text('scope') };
}

export function registerIdentityRoutes(app: FastifyInstance, context: SimContext, http: TeamsApp): void {
  app.get(OPENID_METADATA_PATH, async () => {
    context.counters.metadataRequests += 1;
    return {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: `${context.baseUrl}/v1/authorize-not-supported`,
      jwks_uri: `${context.baseUrl}${JWKS_PATH}`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    };
  });

  app.get(JWKS_PATH, async () => {
    context.counters.jwksRequests += 1;
    return context.keys.jwks();
  });

  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', async (request, reply) => {
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/x-www-form-urlencoded')) {
      context.tokens.requests += 1;
      const rejected = aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'. Send the form as application/x-www-form-urlencoded.");
      return reply.code(rejected.status).send(rejected.body);
    }

    try {
      if (context.faults.take('getToken') === 'lose-response') {
        http.loseResponse(request);
      }
    } catch (error) {
      if (!(error instanceof ConnectorError)) {
        throw error;
      }
      context.tokens.requests += 1;
      if (error.retryAfter !== undefined) {
        void reply.header('retry-after', String(error.retryAfter));
      }
      const code = error.status === 429 || error.status === 503 ? 'temporarily_unavailable' : 'server_error';
      return reply.code(error.status).send({ error: code, error_description: error.message });
    }

    const result = await context.tokens.handle(request.params.tenant, formOf(request.body));
    return reply.code(result.status).header('cache-control', 'no-store').send(result.body);
  });
}
