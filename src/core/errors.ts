// Coded errors: one class per code, each with the HTTP status it maps to and a message
// that names the failing value and what to do next. Messages never carry message text,
// file names or secrets.

export enum ErrorCode {
  ConfigInvalid = 'config_invalid',
  SecretMissing = 'secret_missing',
  PortInUse = 'port_in_use',
  SignatureInvalid = 'signature_invalid',
  RequestStale = 'request_stale',
  PayloadTooLarge = 'payload_too_large',
  PayloadInvalid = 'payload_invalid',
  PlatformRateLimited = 'platform_rate_limited',
  PlatformUnavailable = 'platform_unavailable',
  PlatformRejected = 'platform_rejected',
  NotFound = 'not_found',
  LoginFailed = 'login_failed',
  Unauthenticated = 'unauthenticated',
  LoginLocked = 'login_locked',
  Forbidden = 'forbidden',
}

export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

export class ConfigInvalidError extends ParleyError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.ConfigInvalid, 500, message, options);
  }
}

export class SecretMissingError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.SecretMissing, 500, message);
  }
}

export class PortInUseError extends ParleyError {
  constructor(host: string, port: number, options?: ErrorOptions) {
    super(
      ErrorCode.PortInUse,
      500,
      `Port ${port} on ${host} is already in use. Stop the process that holds it, or set server.port (PARLEY_SERVER_PORT) to a free port.`,
      options,
    );
  }
}

/** An inbound request whose signature or token does not verify. */
export class SignatureInvalidError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.SignatureInvalid, 401, message);
  }
}

/** An inbound request outside the platform's replay window. */
export class RequestStaleError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.RequestStale, 401, message);
  }
}

export class PayloadTooLargeError extends ParleyError {
  constructor(size: number, limit: number) {
    super(ErrorCode.PayloadTooLarge, 413, `Request body of ${size} bytes exceeds the limit of ${limit} bytes.`);
  }
}

export class PayloadInvalidError extends ParleyError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.PayloadInvalid, 400, message, options);
  }
}

export class NotFoundError extends ParleyError {
  constructor(message: string) {
    super(ErrorCode.NotFound, 404, message);
  }
}

/**
 * A platform call that failed and may succeed later: 429, 5xx, a network error.
 * `retryAfterMs` is the platform's `Retry-After`, when it sent one. `outcomeUnknown` says
 * the platform may have acted on the call before it failed (a dropped connection, a 500),
 * so a write must be looked up on the platform before it is sent again.
 */
export class PlatformUnavailableError extends ParleyError {
  readonly retryAfterMs: number | undefined;
  readonly outcomeUnknown: boolean;

  constructor(message: string, retryAfterMs?: number, options?: ErrorOptions & { outcomeUnknown?: boolean }) {
    super(
      retryAfterMs === undefined ? ErrorCode.PlatformUnavailable : ErrorCode.PlatformRateLimited,
      503,
      message,
      options,
    );
    this.retryAfterMs = retryAfterMs;
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/** A platform call the platform rejected for good: retrying the same request cannot help. */
export class PlatformRejectedError extends ParleyError {
  /** The platform's own error code or HTTP status, safe to log. */
  readonly platformCode: string;

  constructor(platformCode: string, message: string, options?: ErrorOptions) {
    super(ErrorCode.PlatformRejected, 502, message, options);
    this.platformCode = platformCode;
  }
}

/**
 * Something the target platform cannot show, for good. `explanation` completes a notice to
 * the sender such as "Your reaction was not passed on to Bob: …" and names no content.
 */
export class NotPassedOnError extends PlatformRejectedError {
  constructor(
    platformCode: string,
    readonly explanation: string,
  ) {
    super(platformCode, `Not passed on: ${explanation}.`);
  }
}

/**
 * A file that cannot reach its recipient: too large, or refused by the source platform's
 * malware scan. The explanation names sizes and limits, never the file's name.
 */
export class FileNotDeliverableError extends NotPassedOnError {}

/**
 * A file its source platform is not ready to serve yet, such as one Webex is still scanning
 * for malware. It is retried; `explanation` tells the sender why it never came, if it does not.
 */
export class FileNotReadyError extends PlatformUnavailableError {
  constructor(
    retryAfterMs: number,
    readonly explanation: string,
  ) {
    super(`File not ready: ${explanation}.`, retryAfterMs);
  }
}
