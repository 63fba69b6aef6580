// File uploads with multipart POST /messages and downloads from /v1/contents/{id}: sizes,
// file names, access, malware scan states and webhook data.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseContentDisposition } from 'content-disposition';
import { DEFAULT_MAX_FILE_BYTES, type WebexSimulator, WebexRequestError } from '../../../sim/webex/index.js';
import { type ApiResponse, api, errorMessage, startReceiver, startWorld } from './helpers.js';

const unicodeName = '가나다 résumé.pdf';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Decodes a Webex id and returns its kind, such as 'CONTENT'. */
function idKind(id: string): string | undefined {
  return /^ciscospark:\/\/us\/([A-Z_]+)\//.exec(Buffer.from(id, 'base64url').toString('utf8'))?.[1];
}

/** Posts a multipart message over real HTTP with fetch's FormData, as a Node client would. */
async function postForm(sim: WebexSimulator, token: string | undefined, form: FormData): Promise<ApiResponse> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const response = await fetch(`${sim.apiUrl}/messages`, { method: 'POST', headers, body: form });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

function fileForm(fields: Record<string, string>, files: { name: string; type: string; bytes: Uint8Array }[]): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    form.append(name, value);
  }
  for (const file of files) {
    form.append('files', new Blob([file.bytes], { type: file.type }), file.name);
  }
  return form;
}

async function download(url: string, token: string | undefined, method = 'GET'): Promise<Response> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return fetch(url, { method, headers });
}

test('file upload: one byte stored and served', async (t) => {
  const { sim, alice, bob } = await startWorld(t);

  const sent = await sim.actAs(alice.token).sendFile({
    toPersonEmail: bob.email,
    text: 'one byte',
    file: { name: 'one.bin', mediaType: 'application/octet-stream', bytes: Buffer.from([0x2a]) },
  });
  const url = sent.files?.[0] ?? '';
  const contentId = url.slice(url.lastIndexOf('/') + 1);
  const fetched = await download(url, bob.token);

  assert.equal(sent.files?.length, 1);
  assert.equal(url, `${sim.url}/v1/contents/${contentId}`);
  assert.equal(idKind(contentId), 'CONTENT');
  assert.equal(sent.text, 'one byte');
  assert.equal(fetched.status, 200);
  assert.equal(fetched.headers.get('content-length'), '1');
  assert.equal(fetched.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), Buffer.from([0x2a]));
  assert.deepEqual(
    sim.contents().map((c) => ({ id: c.id, url: c.url, messageId: c.messageId, name: c.name, size: c.size, scanState: c.scanState })),
    [{ id: contentId, url, messageId: sent.id, name: 'one.bin', size: 1, scanState: 'clean' }],
  );
});

test('file upload: empty file allowed', async (t) => {
  const { sim, alice, bob } = await startWorld(t);

  const sent = await sim.actAs(alice.token).sendFile({
    toPersonEmail: bob.email,
    file: { name: 'empty.txt', mediaType: 'text/plain', bytes: Buffer.alloc(0) },
  });
  const fetched = await sim.actAs(bob.token).downloadContent(sent.files?.[0] ?? '');

  assert.equal(sent.text, undefined);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.headers['content-length'], '0');
  assert.equal(fetched.bytes.length, 0);
});

test('file upload: 5 MB streamed back byte-identical', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const bytes = randomBytes(5 * 1024 * 1024);

  const posted = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email }, [{ name: 'big.bin', type: 'application/zip', bytes }]));
  const fetched = await download(posted.body.files[0], bob.token);
  const received = Buffer.from(await fetched.arrayBuffer());

  assert.equal(posted.status, 200);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.headers.get('content-length'), String(bytes.length));
  assert.equal(fetched.headers.get('content-type'), 'application/zip');
  assert.equal(received.length, bytes.length);
  assert.equal(sha256(received), sha256(bytes));
});

test('file upload: chunked body without Content-Length', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const form = fileForm({ toPersonEmail: bob.email }, [{ name: 'chunked.txt', type: 'text/plain', bytes: Buffer.from('sent in chunks') }]);
  const encoded = new Response(form);
  const contentType = encoded.headers.get('content-type') ?? '';

  const response = await fetch(`${sim.apiUrl}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}`, 'content-type': contentType },
    body: encoded.body,
    duplex: 'half',
  } as RequestInit);
  const body = (await response.json()) as { files: string[] };
  const fetched = await sim.actAs(bob.token).downloadContent(body.files[0] ?? '');

  assert.equal(response.status, 200);
  assert.equal(fetched.bytes.toString('utf8'), 'sent in chunks');
});

test('file name: unicode round-trips via Content-Disposition', async (t) => {
  const { sim, alice, bob } = await startWorld(t);

  const posted = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email }, [{ name: unicodeName, type: 'application/pdf', bytes: Buffer.from('%PDF-1.4') }]));
  const fetched = await download(posted.body.files[0], bob.token);
  const header = fetched.headers.get('content-disposition') ?? '';
  const parsed = parseContentDisposition(header);

  assert.equal(fetched.status, 200);
  assert.equal(parsed.type, 'attachment');
  assert.equal(parsed.parameters.filename, unicodeName);
  assert.match(header, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
  assert.equal(fetched.headers.get('content-type'), 'application/pdf');
  assert.equal(sim.contents()[0]?.name, unicodeName);
});

test('file name: RFC 5987 filename* alone is read', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const name = 'quote " and 가나다 (1).txt';
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const boundary = 'test-boundary-5987';
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="toPersonEmail"\r\n\r\n${bob.email}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename*=UTF-8''${encoded}\r\n` +
      `Content-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`,
    'utf8',
  );

  const response = await fetch(`${sim.apiUrl}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
  const sent = (await response.json()) as { files: string[] };
  const fetched = await sim.actAs(bob.token).downloadContent(sent.files[0] ?? '');

  assert.equal(response.status, 200);
  assert.equal(sim.contents()[0]?.name, name);
  assert.equal(parseContentDisposition(fetched.headers['content-disposition'] ?? '').parameters.filename, name);
});

test('file name: slashes and quotes kept as sent', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const name = 'dir\\sub/"odd" name.txt';

  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name, mediaType: 'text/plain', bytes: Buffer.from('x') } });
  const fetched = await sim.actAs(bob.token).downloadContent(sent.files?.[0] ?? '');

  assert.equal(sim.contents()[0]?.name, name);
  assert.equal(parseContentDisposition(fetched.headers['content-disposition'] ?? '').parameters.filename, name);
});

test('file download: HEAD gives headers without body', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendFile({
    toPersonEmail: bob.email,
    file: { name: unicodeName, mediaType: 'application/pdf', bytes: Buffer.from('0123456789') },
  });
  const url = sent.files?.[0] ?? '';

  const get = await download(url, bob.token);
  const head = await download(url, bob.token, 'HEAD');
  const headBody = await head.arrayBuffer();

  assert.equal(head.status, 200);
  for (const name of ['content-type', 'content-length', 'content-disposition']) {
    assert.equal(head.headers.get(name), get.headers.get(name), `HEAD ${name} matches GET`);
  }
  assert.equal(head.headers.get('content-length'), '10');
  assert.equal(headBody.byteLength, 0);
});

test('file download: non-member 404, no token 401', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'a.txt', mediaType: 'text/plain', bytes: Buffer.from('secret') } });
  const url = sent.files?.[0] ?? '';

  const asCarol = await api(sim, carol.token, 'GET', url);
  const anonymous = await api(sim, undefined, 'GET', url);
  const headAsCarol = await download(url, carol.token, 'HEAD');
  const unknown = await api(sim, bob.token, 'GET', `${sim.apiUrl}/contents/not-a-content-id`);

  assert.equal(asCarol.status, 404);
  assert.match(errorMessage(asCarol), /member/);
  assert.equal(anonymous.status, 401);
  assert.equal(errorMessage(anonymous).length > 0, true);
  assert.equal(headAsCarol.status, 404);
  assert.equal(unknown.status, 404);
});

test('file upload: no token 401 and nothing stored', async (t) => {
  const { sim, alice, bob } = await startWorld(t);

  const posted = await postForm(sim, undefined, fileForm({ toPersonEmail: bob.email }, [{ name: 'a.txt', type: 'text/plain', bytes: Buffer.from('x') }]));

  assert.equal(posted.status, 401);
  assert.deepEqual(sim.contents(), []);
  assert.deepEqual(sim.inbox(bob.id), []);
  assert.deepEqual(sim.inbox(alice.id), []);
});

test('file upload: over maxFileBytes 413, nothing stored', async (t) => {
  const { sim, alice, bob } = await startWorld(t, { maxFileBytes: 1024 });

  const atLimit = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email }, [{ name: 'fits.bin', type: 'application/octet-stream', bytes: Buffer.alloc(1024) }]));
  const over = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email, text: 'too big' }, [{ name: 'over.bin', type: 'application/octet-stream', bytes: Buffer.alloc(1025) }]));

  assert.equal(atLimit.status, 200);
  assert.equal(over.status, 413);
  assert.match(errorMessage(over), /maximum file size of 1024 bytes/);
  assert.deepEqual(sim.contents().map((c) => c.name), ['fits.bin']);
  assert.deepEqual(sim.inbox(bob.id).map((m) => m.text), [undefined]);
  await assert.rejects(
    sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'x.bin', mediaType: 'application/octet-stream', bytes: Buffer.alloc(4096) } }),
    (error: unknown) => error instanceof WebexRequestError && error.status === 413,
  );
  assert.equal(sim.contents().length, 1);
});

test('file upload: declared body over limit 413 before reading', async (t) => {
  const { sim, alice } = await startWorld(t, { maxFileBytes: 1024 });
  const url = new URL(`${sim.apiUrl}/messages`);

  // Declares 10 MB and sends nothing, so the response must come from the Content-Length alone.
  const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.token}`,
        'content-type': 'multipart/form-data; boundary=never-sent',
        'content-length': String(10 * 1024 * 1024),
      },
    });
    request.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        request.destroy();
      });
    });
    request.on('error', reject);
    request.flushHeaders();
  });

  assert.equal(response.status, 413);
  assert.match((JSON.parse(response.body) as { message: string }).message, /10485760 bytes/);
  assert.deepEqual(sim.contents(), []);
});

test('file upload: default limit is 100 MB', () => {
  assert.equal(DEFAULT_MAX_FILE_BYTES, 100 * 1024 * 1024);
});

test('file upload: two files rejected with 400', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const firstFile = { name: 'a.txt', type: 'text/plain', bytes: Buffer.from('a') };
  const secondFile = { name: 'b.txt', type: 'text/plain', bytes: Buffer.from('b') };

  const twoParts = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email }, [firstFile, secondFile]));
  const partAndUrl = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email, files: 'https://files.example/c.png' }, [firstFile]));

  assert.equal(twoParts.status, 400);
  assert.match(errorMessage(twoParts), /Only one file per message is allowed; got 2/);
  assert.equal(partAndUrl.status, 400);
  assert.match(errorMessage(partAndUrl), /Only one file per message is allowed; got 2/);
  assert.deepEqual(sim.contents(), []);
  assert.deepEqual(sim.inbox(bob.id), []);
});

test('file upload: invalid forms rejected', async (t) => {
  const { sim, alice, bob, carol } = await startWorld(t);
  const file = { name: 'a.txt', type: 'text/plain', bytes: Buffer.from('a') };
  const wrongField = new FormData();
  wrongField.append('toPersonEmail', bob.email);
  wrongField.append('file', new Blob(['a']), 'a.txt');
  const room = await sim.actAs(carol.token).createRoom('Partner only');

  const misnamed = await postForm(sim, alice.token, wrongField);
  const noTarget = await postForm(sim, alice.token, fileForm({}, [file]));
  const notMember = await postForm(sim, alice.token, fileForm({ roomId: room.id }, [file]));
  const tooLongText = await postForm(sim, alice.token, fileForm({ toPersonEmail: bob.email, text: 'a'.repeat(7440) }, [file]));
  const editWithForm = await fetch(`${sim.apiUrl}/messages/any`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${alice.token}` },
    body: fileForm({ text: 'x' }, []),
  });

  assert.equal(misnamed.status, 400);
  assert.match(errorMessage(misnamed), /field files/);
  assert.equal(noTarget.status, 400);
  assert.equal(notMember.status, 404);
  assert.equal(tooLongText.status, 400);
  assert.equal(editWithForm.status, 415);
  assert.deepEqual(sim.contents(), []);
});

test('file upload: fields and file in any order, threads kept', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const parent = await sim.actAs(alice.token).sendMessage({ toPersonEmail: bob.email, text: 'thread start' });
  const form = new FormData();
  form.append('files', new Blob(['late fields'], { type: 'text/plain' }), 'first.txt');
  form.append('roomId', parent.roomId);
  form.append('parentId', parent.id);
  form.append('markdown', '**see file**');

  const posted = await postForm(sim, bob.token, form);

  assert.equal(posted.status, 200);
  assert.equal(posted.body.parentId, parent.id);
  assert.equal(posted.body.markdown, '**see file**');
  assert.equal(posted.body.files.length, 1);
});

test('message views: files listed in get and list', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, text: 'report', file: { name: 'r.pdf', mediaType: 'application/pdf', bytes: Buffer.from('pdf') } });

  const fetched = await api(sim, bob.token, 'GET', `/messages/${sent.id}`);
  const listed = await api(sim, bob.token, 'GET', `/messages?roomId=${sent.roomId}`);
  const edit = await api(sim, alice.token, 'PUT', `/messages/${sent.id}`, { roomId: sent.roomId, text: 'changed' });

  assert.deepEqual(fetched.body.files, sent.files);
  assert.deepEqual(listed.body.items[0].files, sent.files);
  assert.deepEqual(sim.inbox(bob.id)[0]?.files, sent.files);
  assert.equal(edit.status, 400, 'messages with files cannot be edited');
});

test('scan: scanning 423 with Retry-After, then 200', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  sim.scanFiles({ state: 'scanning', retryAfter: 1, forMs: 400 });
  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 's.txt', mediaType: 'text/plain', bytes: Buffer.from('scan me') } });
  const url = sent.files?.[0] ?? '';

  const during = await api(sim, bob.token, 'GET', url);
  const headDuring = await download(url, bob.token, 'HEAD');
  await sleep(450);
  const after = await download(url, bob.token);

  assert.equal(during.status, 423);
  assert.equal(during.headers.get('retry-after'), '1');
  assert.match(errorMessage(during), /being scanned/);
  assert.equal(headDuring.status, 423);
  assert.equal(headDuring.headers.get('retry-after'), '1');
  assert.equal(after.status, 200);
  assert.equal(await after.text(), 'scan me');
});

test('scan: policy applies to later uploads only', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const before = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'a.txt', mediaType: 'text/plain', bytes: Buffer.from('a') } });
  sim.scanFiles({ state: 'infected' });
  const infected = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'b.txt', mediaType: 'text/plain', bytes: Buffer.from('b') } });
  sim.scanFiles({ state: 'clean' });
  const after = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'c.txt', mediaType: 'text/plain', bytes: Buffer.from('c') } });

  const bobActor = sim.actAs(bob.token);
  assert.equal((await bobActor.downloadContent(before.files?.[0] ?? '')).status, 200);
  assert.equal((await bobActor.downloadContent(infected.files?.[0] ?? '')).status, 410);
  assert.equal((await bobActor.downloadContent(after.files?.[0] ?? '')).status, 200);
  assert.throws(() => sim.scanFiles({ state: 'clean', forMs: 100 }), RangeError);
  assert.throws(() => sim.scanFiles({ state: 'scanning', retryAfter: 1.5 }), RangeError);
});

test('scan: setContentState per file', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'f.txt', mediaType: 'text/plain', bytes: Buffer.from('f') } });
  const url = sent.files?.[0] ?? '';
  const contentId = url.slice(url.lastIndexOf('/') + 1);
  const asBob = sim.actAs(bob.token);

  sim.setContentState(url, 'scanning', 7);
  const scanning = await asBob.downloadContent(url);
  sim.setContentState(contentId, 'infected');
  const infected = await api(sim, bob.token, 'GET', url);
  const infectedHead = await download(url, bob.token, 'HEAD');
  sim.setContentState(url, 'unscannable');
  const unscannable = await api(sim, bob.token, 'GET', url);
  const forced = await asBob.downloadContent(`${url}?allow=unscannable`);
  sim.setContentState(url, 'clean');
  const clean = await asBob.downloadContent(url);

  assert.equal(scanning.status, 423);
  assert.equal(scanning.headers['retry-after'], '7');
  assert.equal(infected.status, 410);
  assert.match(errorMessage(infected), /malware/);
  assert.equal(infectedHead.status, 410);
  assert.equal(unscannable.status, 428);
  assert.match(errorMessage(unscannable), /allow=unscannable/);
  assert.equal(forced.status, 200);
  assert.equal(clean.status, 200);
  assert.equal(clean.bytes.toString('utf8'), 'f');
  assert.throws(() => sim.setContentState('no-such-content', 'clean'), /No stored file/);
});

test('message delete: content then 404', async (t) => {
  const { sim, alice, bob } = await startWorld(t);
  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bob.email, file: { name: 'd.txt', mediaType: 'text/plain', bytes: Buffer.from('d') } });
  const url = sent.files?.[0] ?? '';

  const before = await download(url, bob.token);
  await sim.actAs(alice.token).deleteMessage(sent.id);
  const after = await api(sim, bob.token, 'GET', url);
  const afterAsAuthor = await api(sim, alice.token, 'GET', url);

  assert.equal(before.status, 200);
  assert.equal(after.status, 404);
  assert.equal(afterAsAuthor.status, 404);
  assert.deepEqual(sim.contents(), []);
});

test('webhook data: message with a file has files', async (t) => {
  const { sim, alice, bot } = await startWorld(t);
  const receiver = await startReceiver(t);
  await sim.actAs(bot.token).createWebhook({ name: 'files', targetUrl: receiver.url, resource: 'messages', event: 'created' });

  const sent = await sim.actAs(alice.token).sendFile({ toPersonEmail: bot.email, file: { name: unicodeName, mediaType: 'application/pdf', bytes: Buffer.from('pdf') } });
  await sim.settle();

  assert.equal(receiver.received.length, 1);
  const data = receiver.received[0]!.json.data;
  assert.equal(data.id, sent.id);
  assert.deepEqual(data.files, sent.files);
  assert.equal((await sim.actAs(bot.token).downloadContent(data.files[0])).status, 200);
});
