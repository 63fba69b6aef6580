// Conformance with the published Bot Framework and Teams specs: activities against the
// `Activity` definition of the Bot Framework JSON schema (draft-07), Connector responses
// against the ConnectorAPI and TeamsAPI Swagger definitions, and key sets against the Teams
// sample payloads. Skipped when the spec folder is absent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { ACTIVITY_TYPES, TEXT_FORMATS } from '../../../sim/teams/schemas.js';
import { type SpecsFolder, loadSpecs } from '../../kit/specs.js';
import { TENANT_ID, activitiesPath, connector, startWorld } from './helpers.js';

const SKIP_NOTICE = 'spec folder ../shared/specs not found; skipping conformance checks';
const specs = loadSpecs();

// ajv-formats is CommonJS: under NodeNext the plugin function is its `default` export.
const addFormats = ajvFormats.default;

interface SwaggerDoc {
  definitions: Record<string, { enum?: string[]; properties?: Record<string, unknown>; allOf?: { properties?: Record<string, unknown> }[] }>;
}

/** Fields Teams returns for members today that TeamsAPI.swagger.json (2021) predates. */
const MEMBER_QUIRKS = ['tenantId', 'userRole'];

function activityValidator(folder: SpecsFolder): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(folder.readJson('teams/botframework-activity.schema.json') as object, 'botframework');
  const validate = ajv.getSchema('botframework#/definitions/Activity');
  assert.ok(validate, 'the schema defines Activity');
  return validate;
}

/** Validates against a Swagger 2.0 definition; formats such as int32 are Swagger's own, so they are not checked. */
function swaggerValidator(folder: SpecsFolder, file: string): (definition: string, value: unknown) => void {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ definitions: (folder.readJson(file) as SwaggerDoc).definitions }, file);
  return (definition, value) => {
    const validate = ajv.getSchema(`${file}#/definitions/${definition}`);
    assert.ok(validate, `${file} defines ${definition}`);
    assert.ok(validate(value), `${definition}: ${ajv.errorsText(validate.errors)}`);
  };
}

/**
 * Returns the errors of the last validation, minus one quirk of Teams: membersAdded and
 * membersRemoved list accounts by id only (as SampleActivityMembersAdded.json shows), while the
 * schema's ChannelAccount also requires name.
 */
function unexpectedErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? [])
    .filter((error) => !(/^\/members(Added|Removed)\/\d+$/.test(error.instancePath) && error.params.missingProperty === 'name'))
    .map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

/** Lists the keys of `sample` (recursively, for objects) that `actual` lacks. */
function missingKeys(sample: unknown, actual: unknown, path = ''): string[] {
  if (typeof sample !== 'object' || sample === null || Array.isArray(sample)) {
    return [];
  }
  const actualObject = (typeof actual === 'object' && actual !== null ? actual : {}) as Record<string, unknown>;
  return Object.entries(sample as Record<string, unknown>).flatMap(([key, value]) => {
    const keyPath = path === '' ? key : `${path}.${key}`;
    if (!(key in actualObject)) {
      return value === null ? [] : [keyPath];
    }
    return missingKeys(value, actualObject[key], keyPath);
  });
}

test('activities to the bot match Activity schema', async (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }
  const validate = activityValidator(specs);
  const { sim, bot, alice, carol } = await startWorld(t);

  const message = sim.sendMessage(alice.id, '<at>Parley</at> hi', { mentions: [{ id: sim.bot.id, name: 'Parley' }] });
  sim.editMessage(alice.id, message, '<at>Parley</at> hello');
  sim.react(alice.id, message, 'like', 'added');
  sim.typing(alice.id);
  sim.sendFile(alice.id, { name: 'notes.txt', bytes: 'notes' });
  sim.deleteMessage(alice.id, message);
  sim.installApp(carol.id);
  const card = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.teams.card.file.consent', name: 'a.txt', content: { sizeInBytes: 1 } }],
  });
  await sim.acceptFileConsent(alice.id, card.body.id);
  await sim.settle();

  // Carol's conversationUpdate is in another conversation, so its place in the order varies.
  assert.deepEqual(
    bot.received.map((r) => r.activity.type).sort(),
    ['conversationUpdate', 'invoke', 'message', 'message', 'messageDelete', 'messageReaction', 'messageUpdate', 'typing'],
  );
  for (const { activity } of bot.received) {
    validate(activity);
    assert.deepEqual(unexpectedErrors(validate), [], activity.type);
  }
});

test('activities carry the sample keys', async (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }
  const { sim, bot, alice } = await startWorld(t);

  sim.sendMessage(alice.id, 'hi');
  sim.sendFile(alice.id, { name: 'notes.txt', bytes: 'notes' });
  const card = await connector(sim, 'POST', activitiesPath(sim.conversationId(alice.id) ?? ''), {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.teams.card.file.consent', name: 'a.txt', content: { sizeInBytes: 1, acceptContext: {} } }],
  });
  await sim.acceptFileConsent(alice.id, card.body.id);
  await sim.settle();
  const [message, file, invoke] = bot.received.map((r) => r.activity);
  const fileAttachment = (file?.attachments as unknown[])[0];

  const sampleMessage = specs.readJson('teams/samples/SampleActivityMessageWithAADObjectId.json');
  const sampleDownload = specs.readJson('teams/samples/SampleFileDownloadInfoAttachment.json');
  const sampleInvoke = specs.readJson('teams/samples/SampleFileConsentCardResponseInvoke.json');
  assert.deepEqual(missingKeys(sampleMessage, message), []);
  assert.deepEqual(missingKeys(sampleDownload, fileAttachment), []);
  assert.deepEqual(missingKeys(sampleInvoke, invoke), []);
});

test('simulator enums match the spec', (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }
  const { definitions } = specs.readJson('teams/botframework-activity.schema.json') as SwaggerDoc;

  assert.deepEqual([...ACTIVITY_TYPES].sort(), [...(definitions.ActivityTypes?.enum ?? [])].sort());
  assert.deepEqual([...TEXT_FORMATS].sort(), [...(definitions.TextFormatTypes?.enum ?? [])].sort());
});

test('schema and simulator agree on bodies', async (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }
  const validate = activityValidator(specs);
  const { sim, alice } = await startWorld(t, { rateLimits: [{ windowMs: 1000, limit: 100 }] });
  const conversationId = sim.conversationId(alice.id) ?? '';
  // The schema requires channelId and conversation; the Connector takes them from the route.
  const routed = { channelId: 'msteams', conversation: { id: conversationId } };
  const bot = { id: sim.bot.id, name: 'Parley' };
  const valid: [string, Record<string, unknown>][] = [
    ['minimal message', { type: 'message', text: 'hi' }],
    ['typing', { type: 'typing' }],
    [
      'full message',
      {
        type: 'message',
        from: bot,
        recipient: { id: alice.id, name: 'Alice Anders' },
        text: '<at>Alice Anders</at> done',
        textFormat: 'markdown',
        summary: 'done',
        locale: 'en-US',
        timestamp: '2025-01-01T10:00:00.000Z',
        entities: [{ type: 'mention', text: '<at>Alice Anders</at>', mentioned: { id: alice.id, name: 'Alice Anders' } }],
        attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', body: [] } }],
        channelData: { notification: { alert: true } },
      },
    ],
  ];
  const invalid: [string, Record<string, unknown>][] = [
    ['no type', { text: 'hi' }],
    ['type not a string', { type: 7, text: 'hi' }],
    ['text not a string', { type: 'message', text: 42 }],
    ['attachments not an array', { type: 'message', text: 'hi', attachments: {} }],
    ['attachment without contentType', { type: 'message', attachments: [{ content: {} }] }],
    ['attachment content a string', { type: 'message', attachments: [{ contentType: 'text/html', content: '<b>x</b>' }] }],
    ['entity without type', { type: 'message', text: 'hi', entities: [{}] }],
    ['from without id', { type: 'message', text: 'hi', from: { name: 'Parley' } }],
    ['timestamp not a date-time', { type: 'message', text: 'hi', timestamp: 'yesterday' }],
  ];

  for (const [label, body] of valid) {
    assert.ok(validate({ ...routed, ...body }), `${label} is valid in the schema: ${JSON.stringify(validate.errors)}`);
    assert.equal((await connector(sim, 'POST', activitiesPath(conversationId), body)).status, 201, `${label} is accepted`);
  }
  for (const [label, body] of invalid) {
    assert.equal(validate({ ...routed, ...body }), false, `${label} is invalid in the schema`);
    assert.equal((await connector(sim, 'POST', activitiesPath(conversationId), body)).status, 400, `${label} is rejected`);
  }
});

test('responses match the Swagger definitions', async (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }
  const checkConnector = swaggerValidator(specs, 'teams/ConnectorAPI.swagger.json');
  const checkTeams = swaggerValidator(specs, 'teams/TeamsAPI.swagger.json');
  const { sim, alice } = await startWorld(t);
  const conversationId = sim.conversationId(alice.id) ?? '';
  const base = `v3/conversations/${encodeURIComponent(conversationId)}`;

  const created = await connector(sim, 'POST', 'v3/conversations', {
    bot: { id: sim.bot.id },
    members: [{ id: alice.id }],
    channelData: { tenant: { id: TENANT_ID } },
    isGroup: false,
    activity: { type: 'message', text: 'hello' },
  });
  const sent = await connector(sim, 'POST', activitiesPath(conversationId), { type: 'message', text: 'hi' });
  const notFound = await connector(sim, 'POST', activitiesPath('a:1missing'), { type: 'message', text: 'hi' });
  const members = await connector(sim, 'GET', `${base}/members`);
  const paged = await connector(sim, 'GET', `${base}/pagedmembers`);
  const member = await connector(sim, 'GET', `${base}/members/${encodeURIComponent(alice.id)}`);

  checkConnector('ConversationResourceResponse', created.body);
  checkConnector('ResourceResponse', sent.body);
  checkConnector('ErrorResponse', notFound.body);
  checkConnector('PagedMembersResult', paged.body);
  checkTeams('TeamsPagedMembersResult', paged.body);
  checkTeams('TeamsChannelAccount', member.body);
  for (const account of members.body as unknown[]) {
    checkTeams('TeamsChannelAccount', account);
  }

  // TeamsChannelAccount extends ChannelAccount; the ConnectorAPI version of it has aadObjectId.
  const connectorDefinitions = (specs.readJson('teams/ConnectorAPI.swagger.json') as SwaggerDoc).definitions;
  const teamsDefinitions = (specs.readJson('teams/TeamsAPI.swagger.json') as SwaggerDoc).definitions;
  const documented = new Set([
    ...Object.keys(connectorDefinitions.ChannelAccount?.properties ?? {}),
    ...(teamsDefinitions.TeamsChannelAccount?.allOf ?? []).flatMap((part) => Object.keys(part.properties ?? {})),
    ...MEMBER_QUIRKS,
  ]);
  for (const key of Object.keys(member.body as object)) {
    assert.ok(documented.has(key), `member field ${key} is neither in TeamsChannelAccount nor a known quirk`);
  }
});

test('validators reject a wrong shape', (t) => {
  if (specs === undefined) {
    t.skip(SKIP_NOTICE);
    return;
  }
  const validate = activityValidator(specs);
  const checkConnector = swaggerValidator(specs, 'teams/ConnectorAPI.swagger.json');

  assert.equal(validate({ type: 'message', channelId: 'msteams' }), false, 'conversation is required');
  assert.throws(() => checkConnector('ResourceResponse', { id: 42 }), /id/);
});
