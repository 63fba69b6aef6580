// The admin API's OpenAPI 3.0 document, served at /api/v1/openapi.json.

const org = { name: 'org', in: 'path', required: true, schema: { type: 'string' } };
const errors = {
  '400': { description: 'Invalid input; the message names the value and the fix.' },
  '401': { description: 'No session, or the login failed.' },
  '403': { description: 'Missing or wrong x-csrf-token, or an auditor tried a change.' },
  '404': { description: 'No such organisation or resource, or not one the admin may see.' },
};
const pathId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const domainParam = { name: 'domain', in: 'path', required: true, schema: { type: 'string' } };
const csrf = { name: 'x-csrf-token', in: 'header', required: true, schema: { type: 'string' } };
const json = (properties: Record<string, unknown>) => ({ required: true, content: { 'application/json': { schema: { type: 'object', properties } } } });

export const openApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Parley admin API', version: '1' },
  components: {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
      token: { type: 'http', scheme: 'bearer', description: 'An API token; no CSRF header needed.' },
    },
  },
  security: [{ session: [] }, { token: [] }],
  paths: {
    '/api/v1/session': {
      post: {
        summary: 'Log in with email, password and a TOTP or recovery code; sets the session cookie and returns the CSRF token.',
        security: [],
        requestBody: json({ email: { type: 'string' }, password: { type: 'string' }, code: { type: 'string' } }),
        responses: { '200': { description: 'Logged in.' }, '401': errors['401'], '429': { description: 'Locked after repeated failures.' } },
      },
      get: { summary: 'The admin this session or token acts as, and the CSRF token of a session.', responses: { '200': { description: 'The admin.' }, '401': errors['401'] } },
      delete: { summary: 'Log out.', parameters: [csrf], responses: { '200': { description: 'Logged out.' }, '401': errors['401'], '403': errors['403'] } },
    },
    '/api/v1/sso/{org}/login': {
      get: {
        summary: "Start a login through the organisation's OpenID Connect identity provider; redirects there.",
        security: [],
        parameters: [org],
        responses: { '302': { description: 'To the identity provider.' }, '404': { description: 'The organisation has no single sign-on.' } },
      },
    },
    '/api/v1/sso/callback': {
      get: {
        summary: 'Finish a single sign-on login; sets the session cookie and returns the CSRF token.',
        security: [],
        responses: { '200': { description: 'Logged in.' }, '401': { description: 'The login was refused; the message says why.' } },
      },
    },
    '/api/v1/audit': {
      get: { summary: 'The whole hub\'s audit log, logins included; for the operator.', responses: { '200': { description: 'Entries.' }, ...errors } },
    },
    '/api/v1/tokens': {
      post: {
        summary: 'Create an API token (shown once); an org admin\'s stays in their organisation, an auditor\'s may only read.',
        parameters: [csrf],
        requestBody: json({ name: { type: 'string' }, scopes: { type: 'array', items: { type: 'string', enum: ['read', 'write'] } }, days: { type: 'integer' }, orgId: { type: 'string' } }),
        responses: { '200': { description: 'The token, once.' }, ...errors },
      },
      get: { summary: 'The API tokens the admin may see, without their secrets.', responses: { '200': { description: 'Tokens.' }, ...errors } },
    },
    '/api/v1/tokens/{id}': {
      delete: { summary: 'Revoke an API token.', parameters: [pathId, csrf], responses: { '200': { description: 'Revoked.' }, ...errors } },
    },
    '/api/v1/orgs': {
      get: { summary: 'The organisations the admin may see, with their verified domains.', responses: { '200': { description: 'Organisations.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/analytics/overview': {
      get: {
        summary: 'The trailing 12 months by month and the last 30 days by day: unique users, deliveries, failures, active contacts, the invitation funnel, and the split by platform and by local and partner domain.',
        parameters: [
          org,
          { name: 'partnerDomain', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'platform', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'months', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 12 }, description: 'The period: months up to this one; 12 by default.' },
        ],
        responses: { '200': { description: 'The overview.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/analytics/usage': {
      get: {
        summary: 'Usage per partner domain, local domain or platform: users, deliveries, failures, first and last day; JSON or CSV.',
        parameters: [
          org,
          { name: 'by', in: 'query', required: false, schema: { type: 'string', enum: ['partner_domain', 'user_domain', 'platform'] } },
          { name: 'from', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, description: 'First month, YYYY-MM.' },
          { name: 'to', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, description: 'Last month, YYYY-MM.' },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'] } },
        ],
        responses: { '200': { description: 'The report.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/invitations': {
      get: { summary: "Invitations from or to the organisation's users, newest first, with their status.", parameters: [org], responses: { '200': { description: 'Invitations.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/metadata/export': {
      get: {
        summary: "The organisation's metadata log as CSV or JSON lines, streamed; the export is audited.",
        parameters: [org, { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['csv', 'jsonl'] } }],
        responses: { '200': { description: 'The records, oldest first; never content.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/connections': {
      get: { summary: "The organisation's platform connections and their health; never their credentials.", parameters: [org], responses: { '200': { description: 'Connections.' }, ...errors } },
      post: {
        summary: 'Connect a platform: settings as in the config file, credentials write-only and sealed at rest (AES-256-GCM). It starts at once.',
        parameters: [org, csrf],
        requestBody: json({
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
          platform: { type: 'string', enum: ['webex', 'slack', 'xmpp'] },
          settings: { type: 'object', description: "The platform section's other keys, such as apiUrl." },
          credentials: { type: 'object', description: 'webex: botToken, webhookSecret, guestToken; slack: botToken, signingSecret; xmpp: secret.' },
        }),
        responses: { '200': { description: 'The connection and its state.' }, '409': { description: 'The id is taken.' }, '503': { description: 'The hub has no PARLEY_CREDENTIALS_KEY.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/connections/{id}/test': {
      post: { summary: 'Make one authenticated call to the platform through the connection and report the outcome and its duration.', parameters: [org, pathId, csrf], responses: { '200': { description: 'The outcome.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/connections/{id}': {
      patch: {
        summary: 'Change settings or replace some credentials; the connection restarts at once.',
        parameters: [org, pathId, csrf],
        requestBody: json({ settings: { type: 'object' }, credentials: { type: 'object' } }),
        responses: { '200': { description: 'The connection and its state.' }, '409': { description: 'A connection from the config file.' }, ...errors },
      },
      delete: { summary: 'Disconnect a platform; it stops at once. Its id is not reused.', parameters: [org, pathId, csrf], responses: { '200': { description: 'Removed.' }, '409': { description: 'A connection from the config file.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/domains': {
      get: { summary: "The organisation's domains, with the TXT record each unverified one needs.", parameters: [org], responses: { '200': { description: 'Domains.' }, ...errors } },
      post: { summary: 'Add a domain; it routes invitations once verified.', parameters: [org, csrf], requestBody: json({ domain: { type: 'string' } }), responses: { '200': { description: 'The domain and its TXT record.' }, '409': { description: 'Another organisation has it.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/domains/{domain}/verify': {
      post: { summary: 'Check the TXT record and verify the domain.', parameters: [org, domainParam, csrf], responses: { '200': { description: 'Verified.' }, '409': { description: 'No record, or the wrong token.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/domains/{domain}/approve': {
      post: { summary: "An operator's approval of a domain on a closed network.", parameters: [org, domainParam, csrf], responses: { '200': { description: 'Verified.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/policy': {
      get: { summary: "The organisation's federation policy.", parameters: [org], responses: { '200': { description: 'The policy.' }, ...errors } },
      put: { summary: 'Replace the policy; applies from the next event.', parameters: [org, csrf], requestBody: json({}), responses: { '200': { description: 'The stored policy.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/suspensions': {
      post: {
        summary: 'Suspend or reinstate a user of the organisation.',
        parameters: [org, csrf],
        requestBody: json({ email: { type: 'string' }, suspended: { type: 'boolean' } }),
        responses: { '200': { description: 'Done.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/revocations': {
      post: {
        summary: 'Revoke the contact between two users, one of them in the organisation.',
        parameters: [org, csrf],
        requestBody: json({ from: { type: 'string' }, to: { type: 'string' } }),
        responses: { '200': { description: 'Revoked.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/audit': {
      get: {
        summary: "The organisation's audit log, newest first.",
        parameters: [
          org,
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
          { name: 'before', in: 'query', required: false, schema: { type: 'integer' } },
          { name: 'action', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'Entries.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/users': {
      get: {
        summary: "The organisation's users, by email: presence and suspension.",
        parameters: [org, { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } }, { name: 'after', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '200': { description: 'Users.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/contacts': {
      get: { summary: 'Contacts with a user of the organisation, newest first.', parameters: [org], responses: { '200': { description: 'Contacts.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/metadata': {
      get: {
        summary: 'Metadata records the organisation sent or received; never content.',
        parameters: [
          org,
          ...['user', 'type', 'sessionId'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          ...['from', 'to', 'afterSeq', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'integer' } })),
        ],
        responses: { '200': { description: 'Records, oldest first.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/dead-letters': {
      get: { summary: "Deliveries to the organisation's connections that failed for good, with the reason; never content.", parameters: [org], responses: { '200': { description: 'Dead letters.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/dead-letters/{id}/retry': {
      post: { summary: 'Queue a dead letter again; the policy is checked again before sending.', parameters: [org, pathId, csrf], responses: { '200': { description: 'Queued.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/dead-letters/{id}': {
      delete: { summary: 'Discard a dead letter and its content.', parameters: [org, pathId, csrf], responses: { '200': { description: 'Discarded.' }, ...errors } },
    },
    '/api/v1/orgs/{org}/approvals': {
      get: { summary: 'Partner domains waiting for approval, with their held invitations.', parameters: [org], responses: { '200': { description: 'Approvals.' }, ...errors } },
      post: {
        summary: 'Approve a partner domain (it is listed as allowed and held invitations are sent) or decline it.',
        parameters: [org, csrf],
        requestBody: json({ domain: { type: 'string' }, approve: { type: 'boolean' } }),
        responses: { '200': { description: 'Invitations sent and declined.' }, ...errors },
      },
    },
    '/api/v1/orgs/{org}/explain': {
      get: {
        summary: 'Whether the policies allow a feature between two users, and the rule that decides.',
        parameters: [
          org,
          { name: 'from', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'to', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'feature', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'fileBytes', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'With feature=files: the file size.' },
          { name: 'fileType', in: 'query', required: false, schema: { type: 'string' }, description: 'With feature=files: the media type, such as application/pdf.' },
          { name: 'fileName', in: 'query', required: false, schema: { type: 'string' }, description: 'With feature=files: the file name, for extension rules.' },
        ],
        responses: { '200': { description: 'The decision.' }, ...errors },
      },
    },
  },
} as const;
