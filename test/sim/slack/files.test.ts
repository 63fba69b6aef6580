// File upload, sharing and download through the official @slack/web-api client and plain HTTP.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { test } from 'node:test';

import { parse as parseContentDisposition } from 'content-disposition';
import type { WebAPIPlatformError, WebAPIRateLimitedError } from '@slack/web-api';

import type { SlackSimulator } from '../../../sim/slack/index.js';
import { loadSpecs } from '../../kit/specs.js';
import { BOT_SCOPES, sdkClient, startFixture, startReceiver } from './helpers.js';
import { compileWrapperSchema, unknownKeys } from './sample-keys.js';

const FILE_SCOPES = [...BOT_SCOPES, 'files:read', 'files:write'];
const FAST_RETRIES = { retryDelaysMs: [0, 50, 100], ackTimeoutMs: 500 };
const KOREAN_NAME = '가나다 résumé.pdf';
const specs = loadSpecs();

/** Runs an SDK call that must fail and returns Slack's error body. */
async function slackError(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (error) {
    const data = (error as WebAPIPlatformError).data as unknown as Record<string, unknown> | undefined;
    assert.ok(data, `expected a Slack platform error, got ${String(error)}`);
    return data;
  }
  assert.fail('expected the call to fail');
}

function uploadRaw(url: string, body: Buffer): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
}

/** Streams the response body through SHA-256 without holding it, and returns the hex digest. */
async function sha256Of(response: Response): Promise<string> {
  assert.ok(response.body, 'response has a body');
  const hash = createHash('sha256');
  for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function rawCall(sim: SlackSimulator, token: string, method: string, args: Record<string, string>): Promise<Response> {
  return fetch(`${sim.url}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(args).toString(),
  });
}

test('uploadV2 shares a 1-byte file', async () => {
  const { sim, bob, app, client, workspace } = await startFixture(FAST_RETRIES, FILE_SCOPES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);

    // files.uploadV2 runs getUploadURLExternal, a multipart POST to the upload URL and completeUploadExternal.
    const uploaded = await client.files.uploadV2({ channel_id: im, file: Buffer.from('x'), filename: 'one.txt', initial_comment: 'one byte' });
    assert.equal(uploaded.ok, true);
    // The SDK returns one completeUploadExternal result per completion call.
    const completions = (uploaded as { files?: Array<{ files?: Array<{ id?: string }> }> }).files ?? [];
    const fileId = completions[0]?.files?.[0]?.id ?? '';
    assert.match(fileId, /^F[A-Z0-9]+$/);

    const [stored] = sim.filesIn(im);
    assert.equal(stored?.id, fileId);
    assert.equal(stored?.name, 'one.txt');
    assert.equal(stored?.title, 'one.txt');
    assert.equal(stored?.size, 1);
    assert.equal(stored?.mediaType, 'text/plain');
    assert.equal(stored?.user, app.botUserId);
    assert.deepEqual(stored?.bytes, Buffer.from('x'));

    const info = await client.files.info({ file: fileId });
    const file = info.file as Record<string, unknown> & { shares: { private: Record<string, Array<{ ts: string }>> } };
    assert.equal(file.name, 'one.txt');
    assert.equal(file.size, 1);
    assert.equal(file.user, app.botUserId);
    assert.equal(file.filetype, 'text');
    assert.equal(file.pretty_type, 'Plain Text');
    assert.equal(file.is_external, false);
    assert.deepEqual(file.ims, [im]);
    assert.equal(file.shares.private[im]?.[0]?.ts, stored?.ts);
    assert.equal(new URL(String(file.url_private)).origin, sim.url);
    assert.equal(new URL(String(file.url_private_download)).origin, sim.url);
    assert.match(String(file.permalink), new RegExp(`^https://${workspace.domain}/files/`));

    const history = await client.conversations.history({ channel: im });
    const message = history.messages?.[0];
    assert.equal(message?.subtype, 'file_share');
    assert.equal(message?.bot_id, app.botId);
    assert.equal(message?.text, 'one byte');
    assert.equal(message?.upload, true);
    assert.equal(message?.files?.[0]?.id, fileId);

    const content = await fetch(String(file.url_private), { headers: { authorization: `Bearer ${app.botToken}` } });
    assert.equal(content.status, 200);
    assert.equal(content.headers.get('content-type'), 'text/plain');
    assert.equal(content.headers.get('content-length'), '1');
    assert.equal(await content.text(), 'x');

    // The app's own share comes back as a file_share event with bot_id, which the hub filters on.
    await sim.settle();
    const [event] = receiver.events().map((entry) => entry.envelope.event);
    assert.equal(event?.subtype, 'file_share');
    assert.equal(event?.bot_id, app.botId);
    assert.equal(event?.user, app.botUserId);
    assert.equal((event?.files as Array<{ id: string }> | undefined)?.[0]?.id, fileId);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('5 MB upload streams and round-trips', async () => {
  const { sim, bob, app, client, workspace } = await startFixture({}, FILE_SCOPES);
  try {
    const channel = sim.createChannel(workspace, { name: 'big-files', isPrivate: true, members: [bob.id, app.botUserId] });
    const root = await sim.postAsUser(bob.id, channel, 'send the dump here');
    const size = 5 * 1024 * 1024;

    const slot = await client.files.getUploadURLExternal({ filename: 'dump.bin', length: size });
    assert.match(slot.upload_url ?? '', new RegExp(`^${sim.url}/upload/v1/`));

    // The body is generated chunk by chunk and hashed on the way, so the test never keeps all 5 MB in memory.
    const sent = createHash('sha256');
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let offset = 0; offset < size; offset += 64 * 1024) {
        const chunk = randomBytes(Math.min(64 * 1024, size - offset));
        sent.update(chunk);
        yield chunk;
      }
    }
    const upload = await fetch(slot.upload_url ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: Readable.toWeb(Readable.from(chunks())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(upload.status, 200);
    assert.equal(await upload.text(), `OK - ${size}`);
    const expected = sent.digest('hex');

    const completed = await client.files.completeUploadExternal({
      files: [{ id: slot.file_id ?? '', title: 'Memory dump' }],
      channel_id: channel,
      initial_comment: 'here it is',
      thread_ts: root,
    });
    assert.deepEqual(completed.files, [{ id: slot.file_id, title: 'Memory dump' }]);

    const [stored] = sim.filesIn(channel);
    assert.equal(stored?.sha256, expected);
    assert.equal(stored?.threadTs, root);

    const info = await client.files.info({ file: slot.file_id ?? '' });
    const file = info.file as Record<string, unknown> & { shares: { private: Record<string, Array<Record<string, unknown>>> } };
    assert.equal(file.title, 'Memory dump');
    assert.equal(file.size, size);
    assert.equal(file.mimetype, 'application/octet-stream');
    assert.deepEqual(file.groups, [channel]);
    const share = file.shares.private[channel]?.[0];
    assert.equal(share?.thread_ts, root);
    assert.equal(share?.channel_name, 'big-files');
    assert.equal(share?.reply_count, 1);

    const authorization = { authorization: `Bearer ${app.botToken}` };
    const content = await fetch(String(file.url_private), { headers: authorization });
    assert.equal(content.headers.get('content-length'), String(size));
    assert.equal(await sha256Of(content), expected);

    const download = await fetch(String(file.url_private_download), { headers: authorization });
    assert.equal(parseContentDisposition(download.headers.get('content-disposition') ?? '').type, 'attachment');
    assert.equal(await sha256Of(download), expected);
  } finally {
    await sim.stop();
  }
});

test('non-Latin file name kept exactly', async () => {
  const { sim, bob, app, client } = await startFixture(FAST_RETRIES, FILE_SCOPES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const im = sim.openIm(bob.id, app.botUserId);

    const slot = await client.files.getUploadURLExternal({ filename: KOREAN_NAME, length: 4 });
    assert.equal((await uploadRaw(slot.upload_url ?? '', Buffer.from('%PDF'))).status, 200);
    await client.files.completeUploadExternal({ files: [{ id: slot.file_id ?? '' }], channel_id: im });

    const info = await client.files.info({ file: slot.file_id ?? '' });
    assert.equal(info.file?.name, KOREAN_NAME);
    assert.equal(info.file?.title, KOREAN_NAME);
    assert.equal(info.file?.mimetype, 'application/pdf');
    assert.equal(info.file?.filetype, 'pdf');

    const download = await fetch(info.file?.url_private_download ?? '', { headers: { authorization: `Bearer ${app.botToken}` } });
    assert.equal(parseContentDisposition(download.headers.get('content-disposition') ?? '').parameters.filename, KOREAN_NAME);
    await download.body?.cancel();

    await sim.shareFileAsUser(bob.id, im, { name: KOREAN_NAME, mediaType: 'application/pdf', bytes: Buffer.from('%PDF-1.7') });
    await sim.settle();
    const names = receiver
      .events()
      .map((entry) => (entry.envelope.event.files as Array<{ name: string }> | undefined)?.[0]?.name);
    assert.deepEqual(names, [KOREAN_NAME, KOREAN_NAME]);
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('file methods need files scopes', async () => {
  const { sim, app, client } = await startFixture({}, BOT_SCOPES);
  try {
    const upload = await slackError(client.files.getUploadURLExternal({ filename: 'a.txt', length: 1 }));
    assert.equal(upload.error, 'missing_scope');
    assert.equal(upload.needed, 'files:write');

    const complete = await slackError(client.files.completeUploadExternal({ files: [{ id: 'F123' }] }));
    assert.equal(complete.error, 'missing_scope');
    assert.equal(complete.needed, 'files:write');

    const writer = sim.installApp(app.teamId, { scopes: ['files:write'] });
    const info = await slackError(sdkClient(sim, writer.botToken).files.info({ file: 'F123' }));
    assert.equal(info.error, 'missing_scope');
    assert.equal(info.needed, 'files:read');
  } finally {
    await sim.stop();
  }
});

test('getUploadURLExternal argument errors', async () => {
  const { sim, app, client } = await startFixture({}, FILE_SCOPES);
  try {
    const noName = await (await rawCall(sim, app.botToken, 'files.getUploadURLExternal', { length: '5' })).json();
    assert.deepEqual(noName, {
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: filename'] },
    });

    const noLength = (await (await rawCall(sim, app.botToken, 'files.getUploadURLExternal', { filename: 'a.txt' })).json()) as Record<string, unknown>;
    assert.equal(noLength.error, 'invalid_arguments');
    assert.deepEqual(noLength.response_metadata, { messages: ['[ERROR] missing required field: length'] });

    const notNumber = (await (await rawCall(sim, app.botToken, 'files.getUploadURLExternal', { filename: 'a.txt', length: 'ten' })).json()) as Record<string, unknown>;
    assert.equal(notNumber.error, 'invalid_arguments');

    const zero = await slackError(client.files.getUploadURLExternal({ filename: 'a.txt', length: 0 }));
    assert.equal(zero.error, 'missing_argument');

    const altTxt = (await (await rawCall(sim, app.botToken, 'files.getUploadURLExternal', { filename: 'a.png', length: '1', alt_txt: 'x'.repeat(1001) })).json()) as Record<string, unknown>;
    assert.equal(altTxt.error, 'alt_txt_too_large');
    // @slack/web-api 8.2 sends the description as alt_text.
    const altText = await slackError(client.files.getUploadURLExternal({ filename: 'a.png', length: 1, alt_text: 'x'.repeat(1001) }));
    assert.equal(altText.error, 'alt_txt_too_large');

    const snippet = await slackError(client.files.getUploadURLExternal({ filename: 'a.py', length: 2 * 1024 * 1024, snippet_type: 'python' }));
    assert.equal(snippet.error, 'snippet_too_large');
  } finally {
    await sim.stop();
  }
});

test('complete rejects a length mismatch', async () => {
  const { sim, bob, app, client, workspace } = await startFixture({}, FILE_SCOPES);
  try {
    const im = sim.openIm(bob.id, app.botUserId);

    const short = await client.files.getUploadURLExternal({ filename: 'short.txt', length: 10 });
    const upload = await uploadRaw(short.upload_url ?? '', Buffer.from('12345'));
    assert.equal(upload.status, 200);
    assert.equal(await upload.text(), 'OK - 5');
    const mismatch = await slackError(client.files.completeUploadExternal({ files: [{ id: short.file_id ?? '' }], channel_id: im }));
    assert.equal(mismatch.error, 'file_not_found');

    const never = await client.files.getUploadURLExternal({ filename: 'never.txt', length: 3 });
    const notUploaded = await slackError(client.files.completeUploadExternal({ files: [{ id: never.file_id ?? '' }], channel_id: im }));
    assert.equal(notUploaded.error, 'file_not_found');

    const unknown = await slackError(client.files.completeUploadExternal({ files: [{ id: 'FNOPE' }] }));
    assert.equal(unknown.error, 'file_not_found');

    const other = sim.installApp(workspace, { scopes: FILE_SCOPES, name: 'Other' });
    const foreign = await slackError(sdkClient(sim, other.botToken).files.completeUploadExternal({ files: [{ id: never.file_id ?? '' }] }));
    assert.equal(foreign.error, 'access_denied');

    const badList = (await (await rawCall(sim, app.botToken, 'files.completeUploadExternal', { files: '{"id": "F1"}' })).json()) as Record<string, unknown>;
    assert.equal(badList.error, 'invalid_arguments');

    assert.deepEqual(sim.messages(im), []);
    assert.deepEqual(sim.filesIn(im), []);
  } finally {
    await sim.stop();
  }
});

test('complete without channel keeps file private', async () => {
  const { sim, bob, client, workspace } = await startFixture({}, FILE_SCOPES);
  try {
    const slot = await client.files.getUploadURLExternal({ filename: 'notes.md', length: 2 });
    await uploadRaw(slot.upload_url ?? '', Buffer.from('# '));
    await client.files.completeUploadExternal({ files: [{ id: slot.file_id ?? '' }] });

    const info = await client.files.info({ file: slot.file_id ?? '' });
    assert.deepEqual(info.file?.shares, {});
    assert.equal(info.file?.is_public, false);

    const twice = await slackError(client.files.completeUploadExternal({ files: [{ id: slot.file_id ?? '' }] }));
    assert.equal(twice.error, 'file_not_found');

    const other = sim.installApp(workspace, { scopes: FILE_SCOPES, name: 'Other' });
    const hidden = await slackError(sdkClient(sim, other.botToken).files.info({ file: slot.file_id ?? '' }));
    assert.equal(hidden.error, 'file_not_found');

    const elsewhere = sim.addWorkspace({ domain: 'initech.example', name: 'Initech' });
    const outsider = sim.installApp(elsewhere, { scopes: FILE_SCOPES });
    const otherTeam = await slackError(sdkClient(sim, outsider.botToken).files.info({ file: slot.file_id ?? '' }));
    assert.equal(otherTeam.error, 'file_not_found');

    const notMember = sim.createChannel(workspace, { name: 'no-bot', isPrivate: true, members: [bob.id] });
    const second = await client.files.getUploadURLExternal({ filename: 'b.txt', length: 1 });
    await uploadRaw(second.upload_url ?? '', Buffer.from('b'));
    const denied = await slackError(client.files.completeUploadExternal({ files: [{ id: second.file_id ?? '' }], channel_id: notMember }));
    assert.equal(denied.error, 'channel_not_found');
  } finally {
    await sim.stop();
  }
});

test('upload URL works only once', async () => {
  const { sim, client } = await startFixture({}, FILE_SCOPES);
  try {
    const slot = await client.files.getUploadURLExternal({ filename: 'once.txt', length: 3 });
    const first = await uploadRaw(slot.upload_url ?? '', Buffer.from('abc'));
    assert.equal(first.status, 200);
    await first.body?.cancel();

    const second = await uploadRaw(slot.upload_url ?? '', Buffer.from('abc'));
    assert.equal(second.status, 404);
    await second.body?.cancel();

    const unknown = await uploadRaw(`${sim.url}/upload/v1/not-a-token`, Buffer.from('abc'));
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
  } finally {
    await sim.stop();
  }
});

test('upload rejects malformed multipart', async () => {
  const { sim, client } = await startFixture({}, FILE_SCOPES);
  try {
    const slot = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 2 });
    const url = slot.upload_url ?? '';
    const boundary = { 'content-type': 'multipart/form-data; boundary=xyz' };

    const noBoundary = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'ab' });
    assert.equal(noBoundary.status, 400);
    assert.match(await noBoundary.text(), /Invalid multipart\/form-data body/);

    const fieldsOnly = '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nab\r\n--xyz--\r\n';
    const noFile = await fetch(url, { method: 'POST', headers: boundary, body: fieldsOnly });
    assert.equal(noFile.status, 400);
    assert.match(await noFile.text(), /no file part/);

    const cutShort = '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nab';
    const truncated = await fetch(url, { method: 'POST', headers: boundary, body: cutShort });
    assert.equal(truncated.status, 400);
    await truncated.body?.cancel();

    const valid = await fetch(url, { method: 'POST', headers: boundary, body: `${cutShort}\r\n--xyz--\r\n` });
    assert.equal(valid.status, 200);
    assert.equal(await valid.text(), 'OK - 2');
  } finally {
    await sim.stop();
  }
});

test('over-limit sizes are refused', async () => {
  const { sim, bob, app, client } = await startFixture({ maxFileBytes: 1000 }, FILE_SCOPES);
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const tooLong = await slackError(client.files.getUploadURLExternal({ filename: 'big.bin', length: 1001 }));
    assert.equal(tooLong.error, 'file_upload_size_restricted');

    // A body longer than the declared length gets 413 and stores nothing.
    const slot = await client.files.getUploadURLExternal({ filename: 'small.bin', length: 100 });
    const raw = await uploadRaw(slot.upload_url ?? '', randomBytes(5000));
    assert.equal(raw.status, 413);
    await raw.body?.cancel();

    // The simulator stops reading at the first byte past the declared length, so a client
    // streaming 64 MiB never gets to send all of it.
    const streamed = 64 * 1024 * 1024;
    let produced = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      while (produced < streamed) {
        produced += 64 * 1024;
        yield Buffer.alloc(64 * 1024);
      }
    }
    const stream = await fetch(slot.upload_url ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.toWeb(Readable.from(endless())) as ReadableStream,
      duplex: 'half',
    } as RequestInit).catch((error: unknown) => error);
    assert.ok(stream instanceof Response, `expected a response, got ${String(stream)}`);
    assert.equal(stream.status, 413);
    await stream.body?.cancel();
    assert.ok(produced < streamed, `the client produced all ${produced} bytes`);

    const form = new FormData();
    form.append('file', new Blob([randomBytes(101)]), 'small.bin');
    const multipart = await fetch(slot.upload_url ?? '', { method: 'POST', body: form });
    assert.equal(multipart.status, 413);
    await multipart.body?.cancel();

    const incomplete = await slackError(client.files.completeUploadExternal({ files: [{ id: slot.file_id ?? '' }], channel_id: im }));
    assert.equal(incomplete.error, 'file_not_found');

    // A rejected upload leaves the URL usable for a correct one.
    const exact = new FormData();
    exact.append('file', new Blob([randomBytes(100)]), 'small.bin');
    const retried = await fetch(slot.upload_url ?? '', { method: 'POST', body: exact });
    assert.equal(retried.status, 200);
    assert.equal(await retried.text(), 'OK - 100');
    await client.files.completeUploadExternal({ files: [{ id: slot.file_id ?? '' }], channel_id: im });
    assert.equal(sim.filesIn(im)[0]?.size, 100);

    await assert.rejects(
      sim.shareFileAsUser(bob.id, im, { name: 'huge.bin', mediaType: 'application/octet-stream', bytes: Buffer.alloc(1001) }),
      /more than maxFileBytes/,
    );
  } finally {
    await sim.stop();
  }
});

test('url_private needs a files:read token', async () => {
  const { sim, bob, app, workspace } = await startFixture({}, FILE_SCOPES);
  try {
    const im = sim.openIm(bob.id, app.botUserId);
    const { fileId } = await sim.shareFileAsUser(bob.id, im, { name: 'photo.png', mediaType: 'image/png', bytes: randomBytes(64) });
    const info = await sdkClient(sim, app.botToken).files.info({ file: fileId });
    const url = info.file?.url_private ?? '';

    const anonymous = await fetch(url);
    assert.equal(anonymous.status, 403);
    await anonymous.body?.cancel();

    const noScope = sim.installApp(workspace, { scopes: ['chat:write'], name: 'Writer' });
    const withoutScope = await fetch(url, { headers: { authorization: `Bearer ${noScope.botToken}` } });
    assert.equal(withoutScope.status, 403);
    await withoutScope.body?.cancel();

    const allowed = await fetch(url, { headers: { authorization: `Bearer ${app.botToken}` } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('content-type'), 'image/png');
    assert.equal((await allowed.arrayBuffer()).byteLength, 64);

    sim.deleteFile(fileId);
    const afterDelete = await fetch(url, { headers: { authorization: `Bearer ${app.botToken}` } });
    assert.equal(afterDelete.status, 404);
    await afterDelete.body?.cancel();

    const deleted = await slackError(sdkClient(sim, app.botToken).files.info({ file: fileId }));
    assert.equal(deleted.error, 'file_deleted');
    const history = await sdkClient(sim, app.botToken).conversations.history({ channel: im });
    assert.deepEqual(history.messages?.[0]?.files, [{ id: fileId, mode: 'tombstone' }]);
  } finally {
    await sim.stop();
  }
});

test("person's file share reaches app as file_share", async () => {
  const { sim, bob, app, workspace } = await startFixture(FAST_RETRIES, FILE_SCOPES);
  const receiver = await startReceiver();
  try {
    await sim.setRequestUrl(app, receiver.url);
    const channel = sim.createChannel(workspace, { name: 'general', members: [bob.id, app.botUserId] });
    const bytes = Buffer.from('col1,col2\n1,2\n');
    const { ts, fileId } = await sim.shareFileAsUser(bob.id, channel, { name: 'table.csv', mediaType: 'text/csv', bytes, text: 'numbers' });
    await sim.settle();

    const [received] = receiver.events();
    assert.ok(received);
    const event = received.envelope.event;
    assert.equal(event.type, 'message');
    assert.equal(event.subtype, 'file_share');
    assert.equal(event.user, bob.id);
    assert.equal(event.text, 'numbers');
    assert.equal(event.ts, ts);
    assert.equal(event.channel, channel);
    assert.equal(event.channel_type, 'channel');
    assert.equal(event.team, undefined);
    assert.equal(event.bot_id, undefined);

    const [file] = event.files as Array<Record<string, unknown>>;
    assert.equal(file?.id, fileId);
    assert.equal(file?.name, 'table.csv');
    assert.equal(file?.mimetype, 'text/csv');
    assert.equal(file?.filetype, 'csv');
    assert.equal(file?.size, bytes.length);
    assert.equal(file?.user, bob.id);
    assert.equal(file?.mode, 'hosted');
    assert.equal(file?.is_public, true);
    assert.equal(new URL(String(file?.url_private)).origin, sim.url);

    const content = await fetch(String(file?.url_private_download), { headers: { authorization: `Bearer ${app.botToken}` } });
    assert.deepEqual(Buffer.from(await content.arrayBuffer()), bytes);

    if (specs !== undefined) {
      const validate = compileWrapperSchema(specs);
      assert.equal(validate(received.envelope), true, JSON.stringify(validate.errors));
      const sample = specs.readJson('slack/java-slack-sdk-samples/events/MessageFileSharePayload.json') as Record<string, unknown>;
      assert.deepEqual(unknownKeys(event, sample.event), []);
      const { event: _event, ...wrapper } = received.envelope;
      const { event: _sampleEvent, ...sampleWrapper } = sample;
      assert.deepEqual(unknownKeys(wrapper, sampleWrapper), []);
    }
  } finally {
    await sim.stop();
    await receiver.close();
  }
});

test('file method responses use sample keys', async (t) => {
  if (specs === undefined) {
    t.skip('spec folder ../shared/specs not found; skipping conformance checks');
    return;
  }

  const { sim, bob, app, workspace } = await startFixture({}, FILE_SCOPES);
  try {
    const channel = sim.createChannel(workspace, { name: 'shared', members: [bob.id, app.botUserId] });
    const im = sim.openIm(bob.id, app.botUserId);
    const call = async (method: string, args: Record<string, string>) => (await (await rawCall(sim, app.botToken, method, args)).json()) as Record<string, unknown>;

    const slot = await call('files.getUploadURLExternal', { filename: 'a.png', length: '3', alt_txt: 'three bytes' });
    await uploadRaw(String(slot.upload_url), Buffer.from('png'));
    const completed = await call('files.completeUploadExternal', { files: JSON.stringify([{ id: slot.file_id }]), channel_id: channel });
    const { fileId } = await sim.shareFileAsUser(bob.id, im, { name: 'b.txt', mediaType: 'text/plain', bytes: Buffer.from('b') });
    const publicInfo = await call('files.info', { file: String(slot.file_id) });
    const privateInfo = await call('files.info', { file: fileId });

    for (const [method, body] of [
      ['files.getUploadURLExternal', slot],
      ['files.completeUploadExternal', completed],
    ] as const) {
      assert.equal(body.ok, true, `${method} failed: ${String(body.error)}`);
      const sample = specs.readJson(`slack/java-slack-sdk-samples/api/${method}.json`);
      assert.deepEqual(unknownKeys(body, sample), [], `${method} keys`);
    }

    // `shares` is keyed by conversation id, so each share is compared with the sample's first one.
    const sample = specs.readJson('slack/java-slack-sdk-samples/api/files.info.json') as { file: { shares: { public: Record<string, unknown[]> } } };
    const sampleShare = Object.values(sample.file.shares.public)[0]?.[0];
    for (const info of [publicInfo, privateInfo]) {
      assert.equal(info.ok, true, `files.info failed: ${String(info.error)}`);
      const { shares, ...file } = info.file as Record<string, unknown> & { shares: Record<string, Record<string, unknown[]>> };
      assert.deepEqual(unknownKeys({ ...info, file }, sample), [], 'files.info keys');
      const entries = Object.values(shares).flatMap((byConversation) => Object.values(byConversation).flat());
      assert.equal(entries.length, 1);
      assert.deepEqual(unknownKeys(entries[0], sampleShare), [], 'files.info share keys');
    }
  } finally {
    await sim.stop();
  }
});

test('file methods are rate limited', async () => {
  const { sim, app, client } = await startFixture({ rateLimitScale: 0.01 }, FILE_SCOPES);
  try {
    const first = await rawCall(sim, app.botToken, 'files.getUploadURLExternal', { filename: 'a.txt', length: '1' });
    assert.equal(first.status, 200);
    await first.body?.cancel();

    const limited = await rawCall(sim, app.botToken, 'files.getUploadURLExternal', { filename: 'a.txt', length: '1' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.deepEqual(await limited.json(), { ok: false, error: 'ratelimited' });

    const notFound = await slackError(client.files.info({ file: 'F1' }));
    assert.equal(notFound.error, 'file_not_found');
    await assert.rejects(client.files.info({ file: 'F1' }), (error: unknown) => {
      assert.equal((error as WebAPIRateLimitedError).code, 'slack_webapi_rate_limited_error');
      return true;
    });

    sim.failNext({ method: 'files.completeUploadExternal', error: 'internal_error' });
    const failed = await slackError(client.files.completeUploadExternal({ files: [{ id: 'F1' }] }));
    assert.equal(failed.error, 'internal_error');
  } finally {
    await sim.stop();
  }
});
