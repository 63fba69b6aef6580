import { z } from 'zod';

import { secret } from '../../core/secret.js';
import { dnsDomain } from '../shared/config.js';

const domain = dnsDomain('xmpp.hub.example');

export const xmppConfigSchema = z
  .object({
    host: z.string().default('127.0.0.1').describe('Address of the XMPP server that hosts the Parley component.'),
    port: z.number().int().min(1).max(65535).default(5347).describe("The XMPP server's component port (XEP-0114)."),
    componentDomain: domain.describe('Domain of the Parley component; external contacts get JIDs on it.'),
    serverDomain: domain.describe('A host the XMPP server itself serves; the hub pings it to confirm delivery.'),
    secret: secret.describe("The component's shared secret (component_secret in Prosody)."),
    maxStanzaBytes: z
      .number()
      .int()
      .min(4096)
      .default(512 * 1024)
      .describe('Largest stanza accepted from the server, in bytes; a larger one ends the stream.'),
    maxDepth: z.number().int().min(8).max(1000).default(64).describe('Deepest element nesting accepted in a stanza.'),
    stanzaTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .describe('Time one stanza may take to arrive, in milliseconds; a slower one ends the stream.'),
    uploadService: z
      .string()
      .regex(/^[a-z0-9.-]+$/i)
      .optional()
      .describe("JID of the XEP-0363 upload service the component sends files through, such as Prosody's http_file_share; without it, files to XMPP users are refused with a notice."),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024)
      .describe('Largest file the hub uploads for XMPP users, in bytes; keep it at or under the upload service limit (http_file_share_size_limit).'),
    allowPrivateFileUrls: z
      .boolean()
      .default(false)
      .describe('Fetch files from links that point to private or loopback addresses; only for a test or a sandbox on one machine.'),
    reconnectMinMs: z.number().int().min(10).default(1000).describe('First reconnect delay, in milliseconds; doubles each time.'),
    reconnectMaxMs: z.number().int().min(10).default(60_000).describe('Longest reconnect delay, in milliseconds.'),
  })
  .strict();

export type XmppConfig = z.infer<typeof xmppConfigSchema>;
