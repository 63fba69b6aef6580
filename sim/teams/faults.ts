// Injected failures for Connector operations and the token endpoint: the next matching
// requests get the chosen status instead of their normal response, or run and then lose the
// connection before the response.
import { ConnectorError } from './errors.js';

/** Connector operations by their ConnectorAPI operation names, plus the token endpoint. */
export type ConnectorOperation =
  | 'createConversation'
  | 'sendToConversation'
  | 'replyToActivity'
  | 'updateActivity'
  | 'deleteActivity'
  | 'getConversationMembers'
  | 'getConversationPagedMembers'
  | 'getConversationMember'
  | 'getToken';

export interface FaultOptions {
  /** Seconds for a `Retry-After` header; no header when absent. */
  retryAfter?: number;
  /** How many requests fail; default 1. */
  times?: number;
  /** Error message in the body; a generic one by status when absent. */
  message?: string;
  /**
   * The request takes effect, then the connection drops before the response, as when a
   * network path fails mid-call. The status is ignored.
   */
  loseResponse?: boolean;
}

interface ActiveFault extends FaultOptions {
  operation: ConnectorOperation | '*';
  status: number;
  remaining: number;
}

/** Error codes the simulator puts in the ErrorResponse of an injected status; the sim's own choice. */
const FAULT_CODES: Record<number, string> = {
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(operation: ConnectorOperation | '*', status: number, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`Invalid times ${String(options.times)} for failNext: expected a whole number of at least 1.`);
    }
    if (options.loseResponse !== true && (!Number.isInteger(status) || status < 400 || status > 599)) {
      throw new RangeError(`Invalid status ${status} for failNext: expected an HTTP error status from 400 to 599.`);
    }
    this.faults.push({ ...options, operation, status, remaining: times });
  }

  /**
   * Uses up the first fault that matches `operation`. Throws its ConnectorError, returns
   * 'lose-response' when the request should run and its connection then drop, or returns
   * undefined when no fault matches.
   */
  take(operation: ConnectorOperation): 'lose-response' | undefined {
    const fault = this.faults.find((f) => f.operation === operation || f.operation === '*');
    if (fault === undefined) {
      return undefined;
    }

    fault.remaining -= 1;
    if (fault.remaining === 0) {
      this.faults = this.faults.filter((f) => f !== fault);
    }
    if (fault.loseResponse === true) {
      return 'lose-response';
    }

    const code = FAULT_CODES[fault.status] ?? 'ServiceError';
    const message = fault.message ?? `${operation} failed with status ${fault.status} (injected by the simulator).`;
    throw new ConnectorError(fault.status, code, message, fault.retryAfter === undefined ? {} : { retryAfter: fault.retryAfter });
  }
}
