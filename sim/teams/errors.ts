/**
 * An error that a Connector route returns. The server turns it into the ErrorResponse body of
 * the Connector API, `{error: {code, message}}`.
 * NOTE: BadArgument, BotNotInConversationRoster, ConversationNotFound and MessageSizeTooBig are
 * codes Teams is known to return. The other codes here are the simulator's choice.
 */
export class ConnectorError extends Error {
  readonly status: number;
  readonly code: string;
  /** Seconds for the `Retry-After` header, set on 429 and on injected faults that ask for it. */
  readonly retryAfter: number | undefined;

  constructor(status: number, code: string, message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.status = status;
    this.code = code;
    this.retryAfter = options.retryAfter;
  }
}

export interface ErrorResponse {
  error: { code: string; message: string };
}

export function errorResponse(code: string, message: string): ErrorResponse {
  return { error: { code, message } };
}

export const badArgument = (message: string): ConnectorError => new ConnectorError(400, 'BadArgument', message);

export const conversationNotFound = (conversationId: string): ConnectorError =>
  new ConnectorError(404, 'ConversationNotFound', `Conversation ${conversationId} not found.`);

export const activityNotFound = (activityId: string): ConnectorError =>
  new ConnectorError(404, 'ActivityNotFound', `Activity ${activityId} not found in this conversation.`);

/** The 403 Teams returns when the bot was never installed for the user or was removed. */
export const botNotInRoster = (): ConnectorError =>
  new ConnectorError(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');

/**
 * The body sent with 401: the ASP.NET Web API default, not an ErrorResponse.
 * NOTE: the body of a Teams 401 is not documented, so a client should rely on the status alone.
 */
export const UNAUTHORIZED_BODY = { message: 'Authorization has been denied for this request.' };
