import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from './errors.js';
import type { ApiContext } from './http.js';
import { newWebexId } from './ids.js';
import { type Fields, asFields, isHttpUrl, optionalString, pageSize, requiredString } from './input.js';
import { type WebhookRecord, nowIso } from './state.js';
import { webhookView } from './views.js';
import { WEBHOOK_EVENTS, WEBHOOK_RESOURCES, parseFilter } from './webhook-match.js';

function readTargetUrl(fields: Fields): string {
  const targetUrl = requiredString(fields, 'targetUrl');
  if (!isHttpUrl(targetUrl)) {
    throw badRequest(`Invalid targetUrl ${JSON.stringify(targetUrl)}: expected an http(s) URL.`);
  }
  return targetUrl;
}

function readSecret(fields: Fields): string | undefined {
  const secret = optionalString(fields, 'secret');
  return secret === '' ? undefined : secret;
}

export function registerWebhookRoutes(app: FastifyInstance, context: ApiContext): void {
  const { state } = context;

  /** Finds a webhook of the caller; other callers' webhooks are 404 as in Webex. */
  const ownWebhook = (request: FastifyRequest<{ Params: { webhookId: string } }>): WebhookRecord => {
    const caller = context.person(request);
    const webhook = state.webhooks.get(request.params.webhookId);
    if (!webhook || webhook.ownerId !== caller.id) {
      throw notFound(`No webhook found with id ${request.params.webhookId} owned by the caller.`);
    }
    return webhook;
  };

  app.post('/v1/webhooks', async (request) => {
    const caller = context.person(request);
    const fields = asFields(request.body);
    const name = requiredString(fields, 'name');
    const targetUrl = readTargetUrl(fields);
    const resource = requiredString(fields, 'resource');
    const event = requiredString(fields, 'event');
    if (!(WEBHOOK_RESOURCES as readonly string[]).includes(resource)) {
      throw badRequest(`Invalid resource ${JSON.stringify(resource)}: the simulator supports ${WEBHOOK_RESOURCES.join(', ')}.`);
    }
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(event)) {
      throw badRequest(`Invalid event ${JSON.stringify(event)}: expected one of ${WEBHOOK_EVENTS.join(', ')}.`);
    }
    const filter = optionalString(fields, 'filter') || undefined;
    parseFilter(resource, filter);

    const webhook: WebhookRecord = {
      id: newWebexId('WEBHOOK'),
      name,
      targetUrl,
      resource,
      event,
      filter,
      secret: readSecret(fields),
      status: 'active',
      created: nowIso(),
      ownerId: caller.id,
      orgId: caller.orgId,
      appId: caller.appId,
      consecutiveFailures: 0,
    };
    state.webhooks.set(webhook.id, webhook);
    return webhookView(webhook);
  });

  app.get('/v1/webhooks', async (request) => {
    const caller = context.person(request);
    const max = pageSize(request.query as Fields, 100, 1000);
    const own = [...state.webhooks.values()].filter((w) => w.ownerId === caller.id);
    return { items: own.slice(0, max).map(webhookView) };
  });

  app.get<{ Params: { webhookId: string } }>('/v1/webhooks/:webhookId', async (request) => {
    return webhookView(ownWebhook(request));
  });

  app.put<{ Params: { webhookId: string } }>('/v1/webhooks/:webhookId', async (request) => {
    const webhook = ownWebhook(request);
    const fields = asFields(request.body);
    const name = requiredString(fields, 'name');
    const targetUrl = readTargetUrl(fields);
    const status = optionalString(fields, 'status');
    if (status !== undefined && status !== 'active' && status !== 'inactive') {
      throw badRequest(`Invalid status ${JSON.stringify(status)}: expected active or inactive.`);
    }

    webhook.name = name;
    webhook.targetUrl = targetUrl;
    if (fields.secret !== undefined) {
      webhook.secret = readSecret(fields);
    }
    if (status === 'active') {
      webhook.consecutiveFailures = 0;
    }
    if (status !== undefined) {
      webhook.status = status;
    }
    return webhookView(webhook);
  });

  app.delete<{ Params: { webhookId: string } }>('/v1/webhooks/:webhookId', async (request, reply) => {
    const webhook = ownWebhook(request);
    state.webhooks.delete(webhook.id);
    return reply.code(204).send();
  });
}
