// File transfer in personal chats. A person's file reaches the bot as a download info
// attachment whose pre-authenticated downloadUrl this server serves. A bot's file goes through
// the file consent card: when the user accepts, the simulator opens an upload session like a
// OneDrive one, the bot PUTs the bytes with Content-Range, and the file is kept.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimContext } from './context.js';
import type { TeamsUser } from './directory.js';
import { newUrlSecret } from './ids.js';
import type { Conversation, SharedFile, StoredActivity, UploadSession } from './state.js';

const DOWNLOAD_PREFIX = '/sharepoint/download/';
const UPLOAD_PREFIX = '/sharepoint/upload/';

/** Time an upload session accepts chunks, reported in expirationDateTime; the simulator does not expire sessions. */
const UPLOAD_SESSION_LIFETIME_MS = 15 * 60 * 1000;

/** Returns the file type Teams reports: the extension in lower case, without the dot. */
export function fileTypeOf(name: string): string {
  return path.extname(name).slice(1).toLowerCase();
}

/** Returns the OneDrive folder URL of a user, modelled on `https://<tenant>-my.sharepoint.com/personal/<upn with _>/Documents`. */
function personalDrive(context: SimContext, user: TeamsUser): string {
  const folder = user.userPrincipalName.toLowerCase().replace(/[^a-z0-9]/g, '_');
  return `${context.baseUrl}/sharepoint/personal/${folder}/Documents`;
}

function oneDriveError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

/** Stores a file a person shares and returns it with the download URL and the content URL. */
export function shareFile(
  context: SimContext,
  user: TeamsUser,
  activityId: string,
  file: { name: string; bytes: Buffer; contentType: string },
): { shared: SharedFile; downloadUrl: string; contentUrl: string } {
  if (file.bytes.length > context.maxFileBytes) {
    throw new RangeError(`File ${file.name} has ${file.bytes.length} bytes; the simulator's maxFileBytes is ${context.maxFileBytes}.`);
  }
  const shared: SharedFile = {
    uniqueId: randomUUID(),
    name: file.name,
    contentType: file.contentType,
    bytes: Buffer.from(file.bytes),
    tempauth: newUrlSecret(),
    userId: user.id,
    activityId,
  };
  context.state.sharedFiles.set(shared.uniqueId, shared);

  const downloadUrl = `${context.baseUrl}${DOWNLOAD_PREFIX}${shared.uniqueId}?tempauth=${shared.tempauth}`;
  const contentUrl = `${personalDrive(context, user)}/Microsoft Teams Chat Files/${encodeURIComponent(file.name)}`;
  return { shared, downloadUrl, contentUrl };
}

/** Opens the upload session for a consent card the user accepted. */
export function openUploadSession(
  context: SimContext,
  user: TeamsUser,
  conversation: Conversation,
  consent: StoredActivity,
  name: string,
  declaredSize: number,
): UploadSession {
  const session: UploadSession = {
    id: newUrlSecret(),
    uniqueId: randomUUID().toUpperCase(),
    name,
    fileType: fileTypeOf(name),
    contentUrl: `${personalDrive(context, user)}/Applications/${encodeURIComponent(name)}`,
    userId: user.id,
    conversationId: conversation.id,
    consentActivityId: consent.id,
    declaredSize,
    chunks: [],
    receivedBytes: 0,
    totalBytes: undefined,
    complete: false,
  };
  context.state.uploadSessions.set(session.id, session);
  return session;
}

export function uploadUrlOf(context: SimContext, session: UploadSession): string {
  return `${context.baseUrl}${UPLOAD_PREFIX}${session.id}`;
}

export function registerFileRoutes(app: FastifyInstance, context: SimContext): void {
  app.get<{ Params: { uniqueId: string }; Querystring: { tempauth?: string } }>(`${DOWNLOAD_PREFIX}:uniqueId`, async (request, reply) => {
    const file = context.state.sharedFiles.get(request.params.uniqueId);
    if (file === undefined) {
      return oneDriveError(reply, 404, 'itemNotFound', 'The file was not found.');
    }
    if (request.query.tempauth !== file.tempauth) {
      return oneDriveError(reply, 401, 'unauthenticated', 'The download URL is not valid; use the downloadUrl of the attachment unchanged.');
    }
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      .send(file.bytes);
  });

  // Content URLs name files in SharePoint, which needs a Graph token; the simulator does not serve them.
  app.get('/sharepoint/personal/*', async (_request, reply) =>
    oneDriveError(reply, 401, 'unauthenticated', 'Content URLs need a Microsoft Graph token; download with downloadUrl instead.'),
  );

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: context.maxFileBytes }, (_request, body, done) => {
      done(null, body);
    });
    scope.setErrorHandler((error: { code?: string; message: string }, _request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return oneDriveError(reply, 413, 'maxFileSizeExceeded', `The chunk is larger than the simulator's maxFileBytes (${context.maxFileBytes}).`);
      }
      return oneDriveError(reply, 400, 'invalidRequest', `Invalid upload request: ${error.message}`);
    });

    scope.put<{ Params: { sessionId: string } }>(`${UPLOAD_PREFIX}:sessionId`, async (request, reply) =>
      receiveChunk(context, request.params.sessionId, request.headers, request.body, reply),
    );
  });
}

/**
 * Stores one chunk of an upload. Chunks must come in order; each needs
 * `Content-Range: bytes {start}-{end}/{total}` that matches the body length. A single PUT of
 * the whole file uses `bytes 0-{n-1}/{n}`.
 */
function receiveChunk(
  context: SimContext,
  sessionId: string,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  reply: FastifyReply,
): FastifyReply {
  const session = context.state.uploadSessions.get(sessionId);
  if (session === undefined || session.complete) {
    return oneDriveError(reply, 404, 'itemNotFound', 'The upload session was not found or is already complete.');
  }
  // Upload session URLs are pre-authenticated, and OneDrive may respond 401 when a bearer token comes along.
  if (headers.authorization !== undefined) {
    return oneDriveError(reply, 401, 'unauthenticated', 'Do not send an Authorization header to an upload URL; it is pre-authenticated.');
  }

  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const range = headers['content-range'];
  const match = typeof range === 'string' ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range.trim()) : null;
  if (match === null) {
    return oneDriveError(reply, 400, 'invalidRequest', `Missing or invalid Content-Range ${String(range)}; send bytes {start}-{end}/{total}.`);
  }
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];

  if (end < start || end >= total) {
    return oneDriveError(reply, 400, 'invalidRequest', `Content-Range ${range} is invalid: expected start <= end < total.`);
  }
  if (bytes.length !== end - start + 1) {
    return oneDriveError(reply, 400, 'invalidRequest', `Content-Range ${range} covers ${end - start + 1} bytes but the body has ${bytes.length}.`);
  }
  if (session.totalBytes !== undefined && total !== session.totalBytes) {
    return oneDriveError(reply, 400, 'invalidRequest', `Content-Range total ${total} differs from the total ${session.totalBytes} of the first chunk.`);
  }
  if (total > context.maxFileBytes) {
    return oneDriveError(reply, 413, 'maxFileSizeExceeded', `The file has ${total} bytes; the simulator's maxFileBytes is ${context.maxFileBytes}.`);
  }
  if (start !== session.receivedBytes) {
    return reply.code(416).send({
      error: { code: 'invalidRange', message: `Expected the chunk starting at byte ${session.receivedBytes}, got ${start}.` },
      nextExpectedRanges: [`${session.receivedBytes}-`],
    });
  }

  session.totalBytes = total;
  session.chunks.push(bytes);
  session.receivedBytes += bytes.length;
  if (session.receivedBytes < total) {
    return reply.code(202).send({
      expirationDateTime: new Date(Date.now() + UPLOAD_SESSION_LIFETIME_MS).toISOString(),
      nextExpectedRanges: [`${session.receivedBytes}-`],
    });
  }

  session.complete = true;
  const content = Buffer.concat(session.chunks);
  session.chunks = [];
  context.state.uploadedFiles.push({
    uniqueId: session.uniqueId,
    name: session.name,
    fileType: session.fileType,
    contentUrl: session.contentUrl,
    bytes: content,
    declaredSize: session.declaredSize,
    userId: session.userId,
    conversationId: session.conversationId,
    consentActivityId: session.consentActivityId,
    uploadedAt: new Date().toISOString(),
  });
  return reply.code(201).send({
    id: session.uniqueId,
    name: session.name,
    size: content.length,
    webUrl: session.contentUrl,
    file: {},
  });
}
