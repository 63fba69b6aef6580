// Reading a multipart/form-data message: the text fields of a JSON body, and one file in the
// field `files`. The file is streamed and counted, so an oversized file fails as soon as it
// passes the limit and nothing is stored.
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { UploadedFile } from './contents.js';
import { WebexApiError, badRequest } from './errors.js';
import type { Fields } from './input.js';

/**
 * Bytes a multipart body may have beyond the file, for the text fields, part headers and
 * boundaries. It equals the JSON body limit of the simulator.
 */
export const FORM_OVERHEAD_BYTES = 1024 * 1024;

const FILE_FIELD = 'files';

/** Maximum size of one text field, well above the 7439 bytes allowed for text and markdown. */
const MAX_FIELD_BYTES = 64 * 1024;

const MAX_FIELDS = 20;
const MAX_PARTS = 40;

export interface MultipartMessage {
  fields: Fields;
  /** The file of the field `files`, or undefined when the form has none. */
  file: UploadedFile | undefined;
}

export const payloadTooLarge = (message: string): WebexApiError => new WebexApiError(413, message);

/** Formats a byte count for messages, such as '104857600 bytes (100 MB)'. */
function describeBytes(bytes: number): string {
  const mebibyte = 1024 * 1024;
  if (bytes >= mebibyte && bytes % mebibyte === 0) {
    return `${bytes} bytes (${bytes / mebibyte} MB)`;
  }
  if (bytes >= 1024 && bytes % 1024 === 0) {
    return `${bytes} bytes (${bytes / 1024} KB)`;
  }
  return `${bytes} bytes`;
}

function checkDeclaredLength(request: FastifyRequest, maxFileBytes: number): void {
  const declared = Number(request.headers['content-length']);
  const limit = maxFileBytes + FORM_OVERHEAD_BYTES;
  if (Number.isFinite(declared) && declared > limit) {
    throw payloadTooLarge(
      `The request body is ${declared} bytes, over the maximum of ${limit} bytes for a message with a file ` +
        `(${describeBytes(maxFileBytes)} for the file and ${FORM_OVERHEAD_BYTES} bytes for the form fields). Send a smaller file.`,
    );
  }
}

/** Reads the file stream, counting bytes, and throws 413 once it passes `maxFileBytes`. */
async function readFileBytes(part: MultipartFile, maxFileBytes: number, keep: boolean): Promise<{ bytes: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxFileBytes) {
      throw payloadTooLarge(
        `The file ${JSON.stringify(part.filename ?? '')} is larger than the maximum file size of ${describeBytes(maxFileBytes)}. ` +
          'Send a smaller file or share a link to it.',
      );
    }
    if (keep) {
      chunks.push(chunk);
    }
  }
  return { bytes: Buffer.concat(chunks), size };
}

function addField(fields: Fields, name: string, value: unknown, truncated: boolean): void {
  if (truncated) {
    throw badRequest(`Invalid ${name}: the form field is longer than the maximum of ${MAX_FIELD_BYTES} bytes.`);
  }
  const previous = fields[name];
  if (previous === undefined) {
    fields[name] = value;
  } else {
    fields[name] = Array.isArray(previous) ? [...(previous as unknown[]), value] : [previous, value];
  }
}

/** Turns parser failures (malformed bodies, plugin limits) into Webex error bodies. */
function asApiError(error: unknown): unknown {
  if (error instanceof WebexApiError) {
    return error;
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  const status = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 ? statusCode : 400;
  const reason = error instanceof Error ? error.message : String(error);
  return new WebexApiError(status, `Invalid multipart/form-data body: ${reason}.`, { cause: error });
}

/**
 * Reads a multipart `POST /messages` body. Text fields become `fields` as in a JSON body,
 * except that a repeated field becomes a list. The file must be in the field `files`, at
 * most one file is allowed (400), and a file over `maxFileBytes` gets 413. A part with an
 * empty filename and no bytes, which a browser sends for an empty file input, is ignored.
 */
export async function readMultipartMessage(request: FastifyRequest, maxFileBytes: number): Promise<MultipartMessage> {
  checkDeclaredLength(request, maxFileBytes);

  const fields: Fields = {};
  let file: UploadedFile | undefined;
  let fileCount = 0;
  // One byte over the limit lets readFileBytes see that the file is too large.
  const limits = { fileSize: maxFileBytes + 1, fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: MAX_PARTS, parts: MAX_PARTS };

  try {
    // preservePath keeps slashes and backslashes in file names instead of cutting the name at them.
    for await (const part of request.parts({ limits, preservePath: true }) as AsyncIterable<Multipart>) {
      if (part.type === 'field') {
        addField(fields, part.fieldname, part.value, part.valueTruncated);
        continue;
      }
      if (part.fieldname !== FILE_FIELD) {
        throw badRequest(`Unexpected file in the form field ${part.fieldname}: send the file in the field ${FILE_FIELD}.`);
      }

      // Only the first file is kept; later ones are read to count them for the error message.
      const { bytes, size } = await readFileBytes(part, maxFileBytes, fileCount === 0);
      // NOTE: @fastify/busboy 3.2.6 ignores RFC 5987 `filename*` in the usual header
      // `form-data; name="files"; filename="..."; filename*=...` and returns the plain
      // `filename`. A quote that a browser encodes as %22 there stays "%22" in the stored name.
      const name = part.filename ?? '';
      if (name === '' && size === 0) {
        continue;
      }
      if (name === '') {
        throw badRequest(`The file in the field ${FILE_FIELD} has no name. Set filename in the Content-Disposition header of its part.`);
      }
      fileCount += 1;
      if (fileCount === 1) {
        file = { name, mediaType: part.mimetype, bytes };
      }
    }
  } catch (error) {
    throw asApiError(error);
  }

  if (fileCount > 1) {
    throw badRequest(`Only one file per message is allowed; got ${fileCount} files in the field ${FILE_FIELD}. Send each file in its own message.`);
  }
  return { fields, file };
}
