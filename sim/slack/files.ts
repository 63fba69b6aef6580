// File records and their single-use upload URLs. File content stays in memory for the
// simulator's lifetime, so maxFileBytes bounds one file, not the total.

import { randomBytes } from 'node:crypto';

import mime from 'mime-types';

import { randomId } from './ids.js';
import type { SimFile } from './model.js';

/** Default largest file in bytes, 1 GiB. The method reference names no limit. */
export const DEFAULT_MAX_FILE_BYTES = 1024 ** 3;

/** Slack's `filetype` for extensions whose short name differs from the extension. */
const FILETYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text',
  jpeg: 'jpg',
  htm: 'html',
  md: 'markdown',
  yml: 'yaml',
  js: 'javascript',
  py: 'python',
};

/** Slack's `pretty_type` where it is not the upper-cased filetype. */
const PRETTY_TYPE: Readonly<Record<string, string>> = {
  text: 'Plain Text',
  binary: 'Binary',
  jpg: 'JPEG',
  markdown: 'Markdown (raw)',
  javascript: 'JavaScript',
  python: 'Python',
};

export interface FileTypeInfo {
  mimetype: string;
  filetype: string;
  prettyType: string;
}

/**
 * Derives mimetype, filetype and pretty_type from the file name, or takes the mimetype from
 * `mediaType` when given. Slack detects types from the content and recognizes more
 * filetypes, while this reads the name's extension and falls back to `binary`.
 */
export function describeFileType(name: string, mediaType?: string): FileTypeInfo {
  const mimetype = mediaType ?? (mime.lookup(name) || 'application/octet-stream');
  const nameExtension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  const extension = nameExtension ?? (mime.extension(mimetype) || undefined);
  const filetype = extension === undefined ? 'binary' : (FILETYPE_BY_EXTENSION[extension] ?? extension);
  return { mimetype, filetype, prettyType: PRETTY_TYPE[filetype] ?? filetype.toUpperCase() };
}

export interface NewFile {
  teamId: string;
  user: string;
  appId?: string;
  name: string;
  title?: string;
  /** Media type, derived from the name when absent. */
  mediaType?: string;
  snippetType?: string;
  altTxt?: string;
  size: number;
}

interface UploadTicket {
  fileId: string;
  /** True while a request sends bytes to this URL, so that a second request gets 404. */
  receiving: boolean;
}

/** A claimed upload URL: its file, and the calls that store the bytes or release the claim. */
export type UploadClaim = { file: SimFile; release: () => void; store: (bytes: Buffer) => void };

export class FileStore {
  readonly maxFileBytes: number;

  private baseUrl = '';
  private readonly files = new Map<string, SimFile>();
  private readonly tickets = new Map<string, UploadTicket>();

  constructor(maxFileBytes: number) {
    if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < 1) {
      throw new Error(`maxFileBytes must be a positive integer, got ${String(maxFileBytes)}.`);
    }
    this.maxFileBytes = maxFileBytes;
  }

  /** Sets the origin of upload and download URLs, such as `http://127.0.0.1:41234`. */
  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  get(fileId: string): SimFile | undefined {
    return this.files.get(fileId);
  }

  /** Registers a file that awaits its bytes and returns its single-use upload URL. */
  addAwaitingUpload(input: NewFile): { file: SimFile; uploadUrl: string } {
    const file = this.addFile(input, 'awaiting_upload');
    const token = randomBytes(24).toString('base64url');
    this.tickets.set(token, { fileId: file.id, receiving: false });
    return { file, uploadUrl: `${this.baseUrl}/upload/v1/${token}` };
  }

  /** Stores a file whose content is already known, as when a person shares one. */
  addComplete(input: Omit<NewFile, 'size'>, bytes: Buffer): SimFile {
    const file = this.addFile({ ...input, size: bytes.length }, 'complete');
    file.bytes = bytes;
    return file;
  }

  private addFile(input: NewFile, status: SimFile['status']): SimFile {
    const type = describeFileType(input.name, input.mediaType);
    const isSnippet = input.snippetType !== undefined;
    const file: SimFile = {
      id: randomId('F'),
      teamId: input.teamId,
      user: input.user,
      name: input.name,
      title: input.title ?? input.name,
      mimetype: type.mimetype,
      filetype: isSnippet ? (input.snippetType ?? type.filetype) : type.filetype,
      prettyType: type.prettyType,
      mode: isSnippet ? 'snippet' : 'hosted',
      size: input.size,
      created: Math.floor(Date.now() / 1000),
      status,
      ...(input.appId !== undefined ? { appId: input.appId } : {}),
      ...(input.altTxt !== undefined ? { altTxt: input.altTxt } : {}),
    };
    this.files.set(file.id, file);
    return file;
  }

  /**
   * Claims an upload URL for one request. Returns undefined when the token is unknown, was
   * used, or another request is sending to it. The caller must call `store` with the bytes
   * (which uses up the URL) or `release` (which lets the uploader try again).
   */
  claimUpload(token: string): UploadClaim | undefined {
    const ticket = this.tickets.get(token);
    const file = ticket === undefined ? undefined : this.files.get(ticket.fileId);
    if (ticket === undefined || ticket.receiving || file?.status !== 'awaiting_upload') {
      return undefined;
    }

    ticket.receiving = true;
    return {
      file,
      release: () => {
        ticket.receiving = false;
      },
      store: (bytes: Buffer) => {
        this.tickets.delete(token);
        file.bytes = bytes;
        file.status = 'uploaded';
      },
    };
  }

  /** Marks a file deleted and drops its content. */
  delete(fileId: string): void {
    const file = this.files.get(fileId);
    if (file === undefined) {
      throw new Error(`File ${fileId} not found; use an id that shareFileAsUser or filesIn returned.`);
    }
    file.status = 'deleted';
    delete file.bytes;
  }

  /** Returns `url_private`, which serves the content to a bot token with files:read. */
  privateUrl(file: SimFile): string {
    return `${this.baseUrl}/files-pri/${file.teamId}-${file.id}/${encodeURIComponent(file.name)}`;
  }

  /** Returns `url_private_download`, which serves the content as an attachment named after the file. */
  downloadUrl(file: SimFile): string {
    return `${this.baseUrl}/files-pri/${file.teamId}-${file.id}/download/${encodeURIComponent(file.name)}`;
  }
}
