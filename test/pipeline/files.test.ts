import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import type { FileSource } from '../../src/core/connector.js';
import { FileNotDeliverableError } from '../../src/core/errors.js';
import type { FileRef } from '../../src/core/events.js';
import type { ConnectionId } from '../../src/core/ids.js';
import { assertPublicUrl, download, downloadFromUserUrl, isPrivateAddress } from '../../src/connectors/shared/files.js';
import { deliveredName, FileSizeMismatchError, formatBytes, openForDelivery, sweepSpools, type FileLimits } from '../../src/pipeline/files.js';

const ref = (extra: Partial<FileRef> = {}): FileRef => ({ connectionId: 'src' as ConnectionId, handle: 'h', ...extra });

function source(bytes: Buffer, announce: { size?: number; name?: string; mediaType?: string } = {}): FileSource & { opened: number } {
  return {
    opened: 0,
    async openFile() {
      this.opened += 1;
      return { body: Readable.from([bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)]), mediaType: announce.mediaType ?? 'application/pdf', ...announce };
    },
  };
}

const limits = (platformBytes: number, policyLimit?: number): FileLimits => ({
  platformBytes,
  platformName: 'Slack',
  policyDenies: async ({ size }) => (policyLimit !== undefined && size > policyLimit ? `the federation policy of your organisation allows files up to ${policyLimit} bytes` : undefined),
});

const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('parley-file-')).length;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const signal = new AbortController().signal;

describe('files on their way between platforms', () => {
  test('announced size streams through unchanged', async () => {
    const bytes = Buffer.from('%PDF-1.7 résumé');
    const file = await openForDelivery(source(bytes, { size: bytes.length, name: '가나다 résumé.pdf' }), ref(), limits(1000), signal);
    assert.equal(file.name, '가나다 résumé.pdf');
    assert.equal(file.size, bytes.length);
    assert.equal(sha(await text(file.body)), sha(bytes.toString()));
  });

  test('unknown size spooled, then removed', async () => {
    const before = spools();
    const bytes = Buffer.alloc(300_000, 7);
    const file = await openForDelivery(source(bytes), ref(), limits(1_000_000), signal);
    assert.equal(file.size, 300_000);
    const chunks: Buffer[] = [];
    for await (const chunk of file.body) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).length, 300_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(spools(), before, 'the temporary file is deleted');
  });

  test('announced oversize rejected before download', async () => {
    const src = source(Buffer.alloc(10), { size: 5.5 * 1024 * 1024 });
    await assert.rejects(openForDelivery(src, ref({ size: 5.5 * 1024 * 1024 }), limits(1024 * 1024), signal), (error: unknown) => {
      assert.ok(error instanceof FileNotDeliverableError);
      assert.equal(error.platformCode, 'file_too_large');
      assert.equal(error.explanation, 'the file is 5.5 MB and Slack takes files up to 1 MB');
      return true;
    });
    assert.equal(src.opened, 0, 'nothing was downloaded');
  });

  test('unknown oversize stops at limit', async () => {
    const before = spools();
    await assert.rejects(openForDelivery(source(Buffer.alloc(2000)), ref(), limits(1024), signal), /over 1 KB and Slack takes files up to 1 KB/);
    assert.equal(spools(), before);
  });

  test('policy size limit rejects file', async () => {
    await assert.rejects(openForDelivery(source(Buffer.alloc(600), { size: 600 }), ref(), limits(10_000, 500), signal), (error: unknown) => {
      assert.ok(error instanceof FileNotDeliverableError);
      assert.equal(error.platformCode, 'file_policy');
      assert.match(error.explanation, /allows files up to 500 bytes \(the file is 600 bytes, application\/pdf\)/);
      return true;
    });
  });

  test('spooling stops at policy limit', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 64 * 1024;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const src: FileSource = { openFile: async () => ({ body: endless, mediaType: 'application/pdf' }) };
    await assert.rejects(openForDelivery(src, ref(), { ...limits(1024 ** 3), policyBytes: 100_000 }, signal), /federation policy allows files up to 97.7 KB/);
    assert.ok(pulled < 400_000, `read ${pulled} bytes`);
  });

  test('early stop closes the source', async () => {
    const before = spools();
    let closed = false;
    const body = Readable.from([Buffer.alloc(100_000), Buffer.alloc(100_000)]);
    const src: FileSource = { openFile: async () => ({ body, mediaType: 'text/plain' }) };
    const file = await openForDelivery(src, ref(), limits(1_000_000), signal);
    file.body.once('close', () => (closed = true));
    file.body.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(closed, true);
    assert.equal(spools(), before, 'the temporary file is gone');

    const announced = new Readable({ read() {} });
    const known: FileSource = { openFile: async () => ({ body: announced, mediaType: 'text/plain', size: 10 }) };
    const opened = await openForDelivery(known, ref(), limits(1000), signal);
    opened.body.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(announced.destroyed, true, 'the source stream is closed with it');
  });

  test('wrong byte count fails transfer', async () => {
    const more = await openForDelivery(source(Buffer.alloc(20), { size: 10 }), ref(), limits(1000), signal);
    await assert.rejects(text(more.body), FileSizeMismatchError);
    const fewer = await openForDelivery(source(Buffer.alloc(5), { size: 10 }), ref(), limits(1000), signal);
    await assert.rejects(text(fewer.body), FileSizeMismatchError);
  });

  test('sweep removes old spools only', async () => {
    const old = await mkdtemp(`${tmpdir()}/parley-file-`);
    const young = await mkdtemp(`${tmpdir()}/parley-file-`);
    const dayAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    await utimes(old, dayAgo, dayAgo);
    assert.ok((await sweepSpools(24 * 3600 * 1000)) >= 1);
    assert.equal(readdirSync(tmpdir()).includes(old.split('/').at(-1)!), false);
    assert.equal(readdirSync(tmpdir()).includes(young.split('/').at(-1)!), true);
    await rm(young, { recursive: true });
  });

  test('names generated and made safe', () => {
    const at = new Date('2026-12-04T10:11:12Z');
    assert.equal(deliveredName(undefined, 'application/pdf', at), 'file-20261204-101112.pdf');
    assert.equal(deliveredName('  ', 'image/png', at), 'file-20261204-101112.png');
    assert.equal(deliveredName(undefined, 'application/x-unknown-thing', at), 'file-20261204-101112.bin');
    assert.equal(deliveredName('../../etc/passwd', 'text/plain', at), '.._.._etc_passwd');
    assert.equal(deliveredName('a\u0000b\nc.txt', 'text/plain', at), 'a_b_c.txt');
    assert.equal(deliveredName('e\u0301te\u0301.txt', 'text/plain', at), 'été.txt');
    assert.equal(deliveredName('..', 'text/plain', at), 'file-20261204-101112.txt');
    assert.equal(deliveredName('...', 'text/plain', at), 'file-20261204-101112.txt');
  });

  test('invisible characters leave names', () => {
    assert.equal(deliveredName('invoice\u202egpj.exe', 'application/octet-stream'), 'invoicegpj.exe');
    assert.equal(deliveredName('setup.exe\u200b', 'application/octet-stream'), 'setup.exe');
    assert.equal(deliveredName('setup.exe. ', 'application/octet-stream'), 'setup.exe');
    assert.equal(deliveredName('a\u0085b\u2028c.txt', 'text/plain'), 'a_b_c.txt');
    assert.equal(deliveredName('family 👨‍👩‍👧 🏳️‍⚧️.png', 'image/png'), 'family 👨‍👩‍👧 🏳️‍⚧️.png');
  });

  test('long names shortened, extension kept', () => {
    const long = deliveredName(`${'가'.repeat(10_000)}.pdf`, 'application/pdf');
    assert.ok(Buffer.byteLength(long) <= 255);
    assert.ok(long.endsWith('가.pdf'));
    assert.equal(deliveredName(`${'a'.repeat(300)}`, 'text/plain').length, 255);
  });

  test('sizes read as people expect', () => {
    assert.equal(formatBytes(1), '1 byte');
    assert.equal(formatBytes(1023), '1023 bytes');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(100 * 1024 * 1024), '100 MB');
    assert.equal(formatBytes(1024 ** 3), '1 GB');
  });
});

describe('downloads from links users send', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/gone') return void response.writeHead(404).end();
      if (request.url === '/gzip') return void response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': '20' }).end(gzipSync('hello'));
      if (request.url === '/moved') return void response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '5' }).end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('private addresses are recognised', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '100.64.0.1', '::7f00:1', '::ffff:0:7f00:1', '2002:7f00:1::', 'fec0::1', '64:ff9b:1::1']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['93.184.216.34', '2606:4700::1111', '8.8.8.8', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(address), false, address);
  });

  test('private links rejected without connecting', async () => {
    let hits = 0;
    server.once('request', () => (hits += 1));
    for (const url of [`http://127.0.0.1:${port}/file`, 'http://169.254.169.254/latest/meta-data/', `http://[::1]:${port}/file`]) {
      await assert.rejects(downloadFromUserUrl(url, { allowPrivate: false, where: 'test' }), (error: unknown) => {
        assert.ok(error instanceof FileNotDeliverableError);
        assert.equal(error.platformCode, 'file_url_private');
        return true;
      });
    }
    // A name that resolves to loopback is refused at connect time.
    await assert.rejects(downloadFromUserUrl(`http://localhost:${port}/file`, { allowPrivate: false, where: 'test' }), FileNotDeliverableError);
    assert.equal(hits, 0);
  });

  test('upload address must be public', async () => {
    for (const url of ['http://127.0.0.1:5280/upload', 'http://[::1]/x', 'http://169.254.169.254/latest', 'http://10.1.2.3/x', 'ftp://93.184.216.34/x']) {
      await assert.rejects(assertPublicUrl(url, false, 'the address'), FileNotDeliverableError, url);
    }
    await assertPublicUrl('https://93.184.216.34/upload', false, 'the address');
    await assertPublicUrl('http://127.0.0.1:5280/upload', true, 'the address');
  });

  test('other schemes and credentials rejected', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'http://user:pw@example.com/x', 'not a url']) {
      await assert.rejects(downloadFromUserUrl(url, { allowPrivate: true, where: 'test' }), /not a plain http or https address/);
    }
  });

  test('allowed private download, no redirects', async () => {
    const got = await downloadFromUserUrl(`http://127.0.0.1:${port}/file`, { allowPrivate: true, where: 'test' });
    assert.equal(got.mediaType, 'text/plain');
    assert.equal(got.size, 5);
    assert.equal(await text(got.body), 'hello');
    await assert.rejects(downloadFromUserUrl(`http://127.0.0.1:${port}/gone`, { allowPrivate: true, where: 'test' }), /deleted before it could be passed on/);
    await assert.rejects(downloadFromUserUrl(`http://127.0.0.1:${port}/moved`, { allowPrivate: true, where: 'test' }), /returned 302/);
    await assert.rejects(downloadFromUserUrl(`http://127.0.0.1:${port}/gzip`, { allowPrivate: true, where: 'test' }), /sent it compressed \(gzip\)/);
  });

  test('compressed download size not trusted', async () => {
    const got = await download(`http://127.0.0.1:${port}/gzip`, { where: 'test' });
    assert.equal(got.size, undefined, 'the size is counted instead');
    assert.equal(await text(got.body), 'hello');
  });

});
