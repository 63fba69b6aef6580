// The hub's pino logger. Fields that may carry message content or secrets are censored
// here, at the one place every log line passes, as a second line of defence: code logs
// ids and counts, never text.

import pino, { type DestinationStream, type Logger } from 'pino';

export const redactedPaths = [
  'text',
  'markdown',
  'body',
  'payload',
  'token',
  'secret',
  'password',
  'authorization',
  'fileName',
  '*.text',
  '*.markdown',
  '*.body',
  '*.payload',
  '*.token',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.fileName',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-spark-signature"]',
  'req.headers["x-slack-signature"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'parley' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { err: errorSerializer },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Logs an error's class, code and message, and its cause chain. Platform error
 * messages are built by Parley's own code and carry no content.
 */
function errorSerializer(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.stack) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = errorSerializer(error.cause);
  return out;
}
